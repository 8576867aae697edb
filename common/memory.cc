#include "common/memory.h"

#include <atomic>
#include <cstdlib>  // defines __GLIBC__ with glibc

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace seealso {

namespace {
std::atomic<bool> one_arena{false};
}  // namespace

void UseOneMallocArena() {
#ifdef __GLIBC__
  if (mallopt(M_ARENA_MAX, 1) == 1) one_arena = true;
#endif
}

bool OneMallocArena() { return one_arena; }

void ReturnFreedMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace seealso
