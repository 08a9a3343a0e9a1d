#include "common/process_setup.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>

#include <csignal>

namespace scorelab {

namespace {
void set_openblas_threads(int threads) {
  // Looked up at run time: the build may use MKL or another BLAS without this function.
  using Fn = void (*)(int);
  if (auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(threads);
}
}  // namespace

void setup_process() {
  // A file-size limit (ulimit -f) then fails the write with EFBIG, which the writers report and
  // clean up after, instead of killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  set_openblas_threads(1);
}

void set_compute_threads(int threads) {
  at::set_num_threads(threads);
  set_openblas_threads(threads);
}

}  // namespace scorelab
