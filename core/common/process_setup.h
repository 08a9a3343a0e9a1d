#pragma once
// Process-wide settings every scorelab executable applies once, first thing in main().

namespace scorelab {

// glibc's malloc returns large blocks (activations of a few MB) to the kernel on every free and
// maps them again on the next allocation: the page faults made a 2000-particle Langevin run
// ~6x slower (mostly system time). Keep freed memory in the heap instead. Also stops OpenBLAS's
// own thread pool from spinning beside libtorch's (Debian's pthread OpenBLAS starts one thread
// per core), so `threads` alone decides the CPU parallelism.
void setup_process();

// Applies the intra-op thread count to libtorch (on the calling thread) and OpenBLAS.
void set_compute_threads(int threads);

}  // namespace scorelab
