#include "common/cpu_kernels.h"

#include <stdexcept>

#include "common/cpu_kernels_avx2.h"

namespace scorelab::cpu_kernels {

bool available() {
#if SCORELAB_HAVE_AVX2_KERNELS
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

void bias_act(Act act, float leak, float* z, const float* bias, const float* extra, float* h,
              int64_t rows, int64_t cols) {
#if SCORELAB_HAVE_AVX2_KERNELS
  if (available()) {
    avx2::bias_act(act, leak, z, bias, extra, h, rows, cols);
    return;
  }
#endif
  (void)act, (void)leak, (void)z, (void)bias, (void)extra, (void)h, (void)rows, (void)cols;
  throw std::logic_error("cpu_kernels: not available on this CPU");
}

void act_backward(Act act, float leak, const float* dh, const float* z, const float* h, float* dz,
                  float* colsum, int64_t rows, int64_t cols) {
#if SCORELAB_HAVE_AVX2_KERNELS
  if (available()) {
    avx2::act_backward(act, leak, dh, z, h, dz, colsum, rows, cols);
    return;
  }
#endif
  (void)act, (void)leak, (void)dh, (void)z, (void)h, (void)dz, (void)colsum, (void)rows, (void)cols;
  throw std::logic_error("cpu_kernels: not available on this CPU");
}

void fourier_embed(const float* u, int64_t rows, const float* freqs, int64_t f, float* emb) {
#if SCORELAB_HAVE_AVX2_KERNELS
  if (available()) {
    avx2::fourier_embed(u, rows, freqs, f, emb);
    return;
  }
#endif
  (void)u, (void)rows, (void)freqs, (void)f, (void)emb;
  throw std::logic_error("cpu_kernels: not available on this CPU");
}

double sum_squares(const float* g, int64_t n) {
#if SCORELAB_HAVE_AVX2_KERNELS
  if (available()) return avx2::sum_squares(g, n);
#endif
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(g[i]) * g[i];
  return sum;
}

void adamw(float* p, float* g, float* m, float* v, int64_t n, const AdamWStep& s) {
#if SCORELAB_HAVE_AVX2_KERNELS
  if (available()) {
    avx2::adamw(p, g, m, v, n, s);
    return;
  }
#endif
  (void)p, (void)g, (void)m, (void)v, (void)n, (void)s;
  throw std::logic_error("cpu_kernels: not available on this CPU");
}

}  // namespace scorelab::cpu_kernels
