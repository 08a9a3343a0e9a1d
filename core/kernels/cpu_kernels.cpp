#include "kernels/cpu_kernels.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/cpu_kernels_avx2.h"
#include "kernels/cpu_kernels_avx512.h"

namespace scorelab::cpu_kernels {

namespace {

std::vector<KernelSet> supported_sets() {
  std::vector<KernelSet> sets;
#if SCORELAB_HAVE_AVX2_KERNELS
  // SCORELAB_CPU_KERNELS=avx2 caps the width and =none turns the kernels off (libtorch's ops
  // then): to compare, or to repeat a run bit for bit on another CPU.
  const char* env = std::getenv("SCORELAB_CPU_KERNELS");
  std::string cap = env ? env : "";
  if (!cap.empty() && cap != "avx512" && cap != "avx2" && cap != "none") {
    // Library code: say so once and take the default rather than stop the program.
    std::fprintf(stderr,
                 "scorelab: SCORELAB_CPU_KERNELS=%s is not one of avx512, avx2, none; using the "
                 "widest kernels this CPU runs\n",
                 cap.c_str());
    cap.clear();
  }
  if (cap == "none") return sets;
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && __builtin_cpu_supports("avx512f") && cap != "avx2") {
    sets.push_back(avx512::kernels());
  }
  if (avx2) sets.push_back(avx2::kernels());
#endif
  return sets;
}

const KernelSet& best() {
  const auto& sets = kernel_sets();
  if (sets.empty()) throw std::logic_error("cpu_kernels: not available on this CPU");
  return sets.front();
}

}  // namespace

const std::vector<KernelSet>& kernel_sets() {
  static const std::vector<KernelSet> sets = supported_sets();  // immutable after first use
  return sets;
}

bool available() {
  return !kernel_sets().empty();
}

void bias_act(Act act, float leak, float* z, const float* bias, const float* extra, float* h,
              int64_t rows, int64_t cols) {
  best().bias_act(act, leak, z, bias, extra, h, rows, cols);
}

void act_backward(Act act, float leak, const float* dh, const float* z, const float* h, float* dz,
                  float* colsum, int64_t rows, int64_t cols) {
  best().act_backward(act, leak, dh, z, h, dz, colsum, rows, cols);
}

void fourier_embed(const float* u, int64_t rows, const float* freqs, int64_t f, float* emb) {
  best().fourier_embed(u, rows, freqs, f, emb);
}

double sum_squares(const float* g, int64_t n) {
  if (!available()) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(g[i]) * g[i];
    return sum;
  }
  return best().sum_squares(g, n);
}

void adamw(float* p, float* g, float* m, float* v, int64_t n, const AdamWStep& s) {
  best().adamw(p, g, m, v, n, s);
}

}  // namespace scorelab::cpu_kernels
