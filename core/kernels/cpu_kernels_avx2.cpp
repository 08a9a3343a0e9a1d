#include "kernels/cpu_kernels_avx2.h"

#include <immintrin.h>

#include "kernels/cpu_kernels_simd.h"

namespace scorelab::cpu_kernels::avx2 {

namespace {

// 8 float lanes; masks are all-ones lanes.
struct Avx2 {
  using F = __m256;
  using I = __m256i;
  using M = __m256;
  static constexpr int N = 8;
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F zero() { return _mm256_setzero_ps(); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F sqrt(F a) { return _mm256_sqrt_ps(a); }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F floor(F a) { return _mm256_floor_ps(a); }
  static F rcp(F a) { return _mm256_rcp_ps(a); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static F bit_xor(F a, F b) { return _mm256_xor_ps(a, b); }
  static F bit_andnot(F a, F b) { return _mm256_andnot_ps(a, b); }
  static I cvtt(F a) { return _mm256_cvttps_epi32(a); }
  static F cvt(I a) { return _mm256_cvtepi32_ps(a); }
  static I iset1(int32_t v) { return _mm256_set1_epi32(v); }
  static I iadd(I a, I b) { return _mm256_add_epi32(a, b); }
  static I iand(I a, I b) { return _mm256_and_si256(a, b); }
  static I iandnot(I a, I b) { return _mm256_andnot_si256(a, b); }
  static M ieq(I a, I b) { return _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)); }
  static I shl23(I a) { return _mm256_slli_epi32(a, 23); }
  static I shl29(I a) { return _mm256_slli_epi32(a, 29); }
  static F as_float(I a) { return _mm256_castsi256_ps(a); }
};

}  // namespace

double sum_squares(const float* g, int64_t n) {
  // Four double accumulators of 4 lanes each: float squares summed in double.
  __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(),
                    _mm256_setzero_pd()};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(g + i), b = _mm256_loadu_ps(g + i + 8);
    const __m256d a0 = _mm256_cvtps_pd(_mm256_castps256_ps128(a));
    const __m256d a1 = _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1));
    const __m256d b0 = _mm256_cvtps_pd(_mm256_castps256_ps128(b));
    const __m256d b1 = _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1));
    acc[0] = _mm256_fmadd_pd(a0, a0, acc[0]);
    acc[1] = _mm256_fmadd_pd(a1, a1, acc[1]);
    acc[2] = _mm256_fmadd_pd(b0, b0, acc[2]);
    acc[3] = _mm256_fmadd_pd(b1, b1, acc[3]);
  }
  const __m256d t = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, t);
  double sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  for (; i < n; ++i) sum += static_cast<double>(g[i]) * g[i];
  return sum;
}

KernelSet kernels() {
  return {
      "avx2",       &simd::bias_act<Avx2>, &simd::act_backward<Avx2>, &simd::fourier_embed<Avx2>,
      &sum_squares, &simd::adamw<Avx2>};
}

}  // namespace scorelab::cpu_kernels::avx2
