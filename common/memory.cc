#include "common/memory.h"

#include <atomic>
#include <cstdlib>  // defines __GLIBC__ with glibc

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace seealso {

namespace {
std::atomic<bool> one_arena{false};
std::atomic<bool> keep_freed{false};
}  // namespace

void UseOneMallocArena() {
#ifdef __GLIBC__
  if (mallopt(M_ARENA_MAX, 1) == 1) one_arena = true;
#endif
}

bool OneMallocArena() { return one_arena; }

void KeepFreedMemory() {
#ifdef __GLIBC__
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit systems.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  keep_freed = true;
#endif
}

void ReturnFreedMemory() {
#ifdef __GLIBC__
  if (!keep_freed) malloc_trim(0);
#endif
}

}  // namespace seealso
