// Keeping a batch run's resident memory to what it uses (glibc malloc).
#ifndef SEEALSO_COMMON_MEMORY_H_
#define SEEALSO_COMMON_MEMORY_H_

namespace seealso {

// Makes threads started from now on allocate from the main malloc arena
// only. glibc gives each thread an arena of its own (up to 8 per core); once
// the corpus's text is freed, an arena other than the main one keeps its
// freed memory resident, and malloc_trim does not return it: 16 reading
// threads held ~13 MB each per 100,000 articles, ~2 GB at a million. For
// batch commands, whose threads do little but allocate once and compute;
// not for servers, whose request threads would contend for the one lock.
// A no-op without glibc.
void UseOneMallocArena();

// True once UseOneMallocArena() was called (and took effect): threads then
// contend for one malloc lock, so allocation-heavy work is better done by
// fewer threads.
bool OneMallocArena();

// Makes freed memory stay with the process, for the next allocations: heap
// tops are never trimmed, blocks under 32 MiB come from the heaps (not
// mmap), and ReturnFreedMemory() does nothing. Each page the system hands
// out is a page fault and a page zeroed: a batch run over 15,000 articles
// took 80,000 faults where its peak needs 43,000, and the index phase
// 0.78-0.84 s instead of 0.90-0.93 s (docs/benchmarks.md, "Corpus loading").
// For batch commands whose peak is far from the machine's memory; the peak
// grows by what the heaps keep (15,000 articles: 170 -> 198 MB). A no-op
// without glibc.
void KeepFreedMemory();

// Hands the free pages of the malloc arenas back to the system (malloc_trim),
// unless KeepFreedMemory() was called.
void ReturnFreedMemory();

}  // namespace seealso

#endif  // SEEALSO_COMMON_MEMORY_H_
