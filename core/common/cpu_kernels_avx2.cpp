#include "common/cpu_kernels_avx2.h"

#include <immintrin.h>

#include <cmath>

namespace scorelab::cpu_kernels::avx2 {

namespace {

// e^x for 8 floats: Cephes' expf (range reduction by ln 2, degree-6 polynomial), ~1 ulp over
// the clamped range. Clamped to ±88, the result stays finite (below 2^127; an infinity would
// make the sigmoid's Newton step 0·∞), and silu's h = z·σ(z) still turns NaN into NaN.
inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(x, _mm256_set1_ps(88.0f));
  x = _mm256_max_ps(x, _mm256_set1_ps(-88.0f));
  __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f));
  fx = _mm256_floor_ps(fx);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500E-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894E-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201E-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  __m256i n = _mm256_cvttps_epi32(fx);
  n = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(n));
}

// 1/(1 + e^−z): the reciprocal from rcp (12 bits) and one Newton step (~23 bits), cheaper than a
// division; 1 + e^−z ≥ 1, so rcp never meets a zero or a denormal.
inline __m256 sigmoid8(__m256 z) {
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
  const __m256 d = _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), z)));
  const __m256 r = _mm256_rcp_ps(d);
  return _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, two));
}

// cos and sin of 8 floats: Cephes' sinf/cosf (reduction by π/4 in three parts, degree-3 and
// degree-4 polynomials on [−π/4, π/4]), ~1e-7 absolute for the embeddings' |x| ≲ 10⁴.
inline void sincos8(__m256 x, __m256& c, __m256& s) {
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 sign_in = _mm256_and_ps(x, sign_mask);
  x = _mm256_andnot_ps(sign_mask, x);
  // j = the octant rounded up to even; y = j as float.
  __m256i j = _mm256_cvttps_epi32(_mm256_mul_ps(x, _mm256_set1_ps(1.27323954473516f)));
  j = _mm256_and_si256(_mm256_add_epi32(j, _mm256_set1_epi32(1)), _mm256_set1_epi32(~1));
  const __m256 y = _mm256_cvtepi32_ps(j);
  x = _mm256_fnmadd_ps(y, _mm256_set1_ps(0.78515625f), x);
  x = _mm256_fnmadd_ps(y, _mm256_set1_ps(2.4187564849853515625e-4f), x);
  x = _mm256_fnmadd_ps(y, _mm256_set1_ps(3.77489497744594108e-8f), x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 pc = _mm256_set1_ps(2.443315711809948e-5f);
  pc = _mm256_fmadd_ps(pc, z, _mm256_set1_ps(-1.388731625493765e-3f));
  pc = _mm256_fmadd_ps(pc, z, _mm256_set1_ps(4.166664568298827e-2f));
  pc = _mm256_mul_ps(_mm256_mul_ps(pc, z), z);
  pc = _mm256_add_ps(_mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), pc), _mm256_set1_ps(1.0f));
  __m256 ps = _mm256_set1_ps(-1.9515295891e-4f);
  ps = _mm256_fmadd_ps(ps, z, _mm256_set1_ps(8.3321608736e-3f));
  ps = _mm256_fmadd_ps(ps, z, _mm256_set1_ps(-1.6666654611e-1f));
  ps = _mm256_fmadd_ps(_mm256_mul_ps(ps, z), x, x);
  // Octants 2 and 6 (mod 8) swap the polynomials; sin flips sign from octant 4 on (and with
  // the input's sign), cos in octants 2..5.
  const __m256 swap = _mm256_castsi256_ps(
      _mm256_cmpeq_epi32(_mm256_and_si256(j, _mm256_set1_epi32(2)), _mm256_set1_epi32(2)));
  const __m256 sin_v = _mm256_blendv_ps(ps, pc, swap);
  const __m256 cos_v = _mm256_blendv_ps(pc, ps, swap);
  const __m256 sin_flip = _mm256_xor_ps(
      sign_in,
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_and_si256(j, _mm256_set1_epi32(4)), 29)));
  const __m256i jc = _mm256_sub_epi32(j, _mm256_set1_epi32(2));
  const __m256 cos_flip =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_andnot_si256(jc, _mm256_set1_epi32(4)), 29));
  s = _mm256_xor_ps(sin_v, sin_flip);
  c = _mm256_xor_ps(cos_v, cos_flip);
}

inline float sigmoid1(float z) {
  return 1.0f / (1.0f + std::exp(-z));
}

}  // namespace

void bias_act(Act act, float leak, float* z, const float* bias, const float* extra, float* h,
              int64_t rows, int64_t cols) {
  const __m256 vleak = _mm256_set1_ps(leak), zero = _mm256_setzero_ps();
  for (int64_t i = 0; i < rows; ++i) {
    float* zr = z + i * cols;
    float* hr = h + i * cols;
    const float* er = extra ? extra + i * cols : nullptr;
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      __m256 v = _mm256_loadu_ps(zr + j);
      if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + j));
      if (er) v = _mm256_add_ps(v, _mm256_loadu_ps(er + j));
      if (act == Act::silu) {
        const __m256 s = sigmoid8(v);
        _mm256_storeu_ps(hr + j, _mm256_mul_ps(v, s));
        _mm256_storeu_ps(zr + j, s);
      } else {
        const __m256 pos = _mm256_cmp_ps(v, zero, _CMP_GT_OQ);
        _mm256_storeu_ps(hr + j, _mm256_blendv_ps(_mm256_mul_ps(v, vleak), v, pos));
        _mm256_storeu_ps(zr + j, v);
      }
    }
    for (; j < cols; ++j) {
      float v = zr[j] + (bias ? bias[j] : 0.0f) + (er ? er[j] : 0.0f);
      if (act == Act::silu) {
        const float s = sigmoid1(v);
        hr[j] = v * s;
        zr[j] = s;
      } else {
        hr[j] = v > 0 ? v : leak * v;
        zr[j] = v;
      }
    }
  }
}

void act_backward(Act act, float leak, const float* dh, const float* z, const float* h, float* dz,
                  float* colsum, int64_t rows, int64_t cols) {
  const __m256 vleak = _mm256_set1_ps(leak), one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  if (colsum)
    for (int64_t j = 0; j < cols; ++j) colsum[j] = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const float* gr = dh + i * cols;
    const float* zr = z + i * cols;
    const float* hr = h + i * cols;
    float* dr = dz + i * cols;
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      const __m256 g = _mm256_loadu_ps(gr + j), hv = _mm256_loadu_ps(hr + j);
      __m256 d;
      if (act == Act::silu) {
        const __m256 s = _mm256_loadu_ps(zr + j);
        d = _mm256_mul_ps(g, _mm256_fmadd_ps(hv, _mm256_sub_ps(one, s), s));
      } else {
        const __m256 pos = _mm256_cmp_ps(hv, zero, _CMP_GT_OQ);
        d = _mm256_blendv_ps(_mm256_mul_ps(g, vleak), g, pos);
      }
      _mm256_storeu_ps(dr + j, d);
      if (colsum) _mm256_storeu_ps(colsum + j, _mm256_add_ps(_mm256_loadu_ps(colsum + j), d));
    }
    for (; j < cols; ++j) {
      float d;
      if (act == Act::silu) {
        d = gr[j] * (zr[j] + hr[j] * (1.0f - zr[j]));
      } else {
        d = hr[j] > 0 ? gr[j] : leak * gr[j];
      }
      dr[j] = d;
      if (colsum) colsum[j] += d;
    }
  }
}

void fourier_embed(const float* u, int64_t rows, const float* freqs, int64_t f, float* emb) {
  for (int64_t i = 0; i < rows; ++i) {
    const __m256 ui = _mm256_set1_ps(u[i]);
    float* cr = emb + i * 2 * f;
    float* sr = cr + f;
    int64_t j = 0;
    for (; j + 8 <= f; j += 8) {
      __m256 c, s;
      sincos8(_mm256_mul_ps(ui, _mm256_loadu_ps(freqs + j)), c, s);
      _mm256_storeu_ps(cr + j, c);
      _mm256_storeu_ps(sr + j, s);
    }
    for (; j < f; ++j) {
      const float x = u[i] * freqs[j];
      cr[j] = std::cos(x);
      sr[j] = std::sin(x);
    }
  }
}

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

void adamw(float* p, float* g, float* m, float* v, int64_t n, const AdamWStep& s) {
  const __m256 scale = _mm256_set1_ps(s.scale), b1 = _mm256_set1_ps(s.beta1),
               c1 = _mm256_set1_ps(1 - s.beta1), b2 = _mm256_set1_ps(s.beta2),
               c2 = _mm256_set1_ps(1 - s.beta2), decay = _mm256_set1_ps(s.decay),
               step = _mm256_set1_ps(s.step), bc2 = _mm256_set1_ps(s.bc2),
               eps = _mm256_set1_ps(s.eps);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gv = _mm256_mul_ps(_mm256_loadu_ps(g + i), scale);
    _mm256_storeu_ps(g + i, gv);
    const __m256 mv = _mm256_fmadd_ps(gv, c1, _mm256_mul_ps(_mm256_loadu_ps(m + i), b1));
    const __m256 vv =
        _mm256_fmadd_ps(_mm256_mul_ps(gv, gv), c2, _mm256_mul_ps(_mm256_loadu_ps(v + i), b2));
    _mm256_storeu_ps(m + i, mv);
    _mm256_storeu_ps(v + i, vv);
    const __m256 denom = _mm256_add_ps(_mm256_sqrt_ps(_mm256_div_ps(vv, bc2)), eps);
    const __m256 pv = _mm256_mul_ps(_mm256_loadu_ps(p + i), decay);
    _mm256_storeu_ps(p + i, _mm256_fnmadd_ps(step, _mm256_div_ps(mv, denom), pv));
  }
  for (; i < n; ++i) {
    const float gi = g[i] * s.scale;
    g[i] = gi;
    m[i] = s.beta1 * m[i] + (1 - s.beta1) * gi;
    v[i] = s.beta2 * v[i] + (1 - s.beta2) * gi * gi;
    p[i] = p[i] * s.decay - s.step * (m[i] / (std::sqrt(v[i] / s.bc2) + s.eps));
  }
}

}  // namespace scorelab::cpu_kernels::avx2
