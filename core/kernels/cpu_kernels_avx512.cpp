#include "kernels/cpu_kernels_avx512.h"

#include <immintrin.h>

#include "kernels/cpu_kernels_avx2.h"
#include "kernels/cpu_kernels_simd.h"

namespace scorelab::cpu_kernels::avx512 {

namespace {

// 16 float lanes (AVX-512F only); masks are mask registers.
struct Avx512 {
  using F = __m512;
  using I = __m512i;
  using M = __mmask16;
  static constexpr int N = 16;
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F zero() { return _mm512_setzero_ps(); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F sqrt(F a) { return _mm512_sqrt_ps(a); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F floor(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  // rcp14 (14 bits; the callers add a Newton step), flushed to 0 where the reciprocal is
  // denormal as AVX's rcp does: silu(−∞) then is −∞·0 = NaN, as libtorch's.
  static F rcp(F a) {
    const M tiny = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0x1p126f), _CMP_GT_OQ);
    return _mm512_mask_blend_ps(tiny, _mm512_rcp14_ps(a), _mm512_setzero_ps());
  }
  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static F select(M m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }
  static F bit_xor(F a, F b) { return as_float(_mm512_xor_si512(bits(a), bits(b))); }
  static F bit_andnot(F a, F b) { return as_float(_mm512_andnot_si512(bits(a), bits(b))); }
  static I cvtt(F a) { return _mm512_cvttps_epi32(a); }
  static F cvt(I a) { return _mm512_cvtepi32_ps(a); }
  static I iset1(int32_t v) { return _mm512_set1_epi32(v); }
  static I iadd(I a, I b) { return _mm512_add_epi32(a, b); }
  static I iand(I a, I b) { return _mm512_and_si512(a, b); }
  static I iandnot(I a, I b) { return _mm512_andnot_si512(a, b); }
  static M ieq(I a, I b) { return _mm512_cmpeq_epi32_mask(a, b); }
  static I shl23(I a) { return _mm512_slli_epi32(a, 23); }
  static I shl29(I a) { return _mm512_slli_epi32(a, 29); }
  static F as_float(I a) { return _mm512_castsi512_ps(a); }
  static I bits(F a) { return _mm512_castps_si512(a); }
};

}  // namespace

KernelSet kernels() {
  // Σ g² stays AVX2's: it is memory-bound.
  return {"avx512",
          &simd::bias_act<Avx512>,
          &simd::act_backward<Avx512>,
          &simd::fourier_embed<Avx512>,
          &avx2::sum_squares,
          &simd::adamw<Avx512>};
}

}  // namespace scorelab::cpu_kernels::avx512
