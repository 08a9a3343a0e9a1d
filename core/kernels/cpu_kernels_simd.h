#pragma once
// The CPU kernels written once over a vector type V, instantiated by each instruction-set file
// (cpu_kernels_avx2.cpp, cpu_kernels_avx512.cpp) with its own V and compiler flags. Include only
// from those files: V's operations are intrinsics of their instruction set.
//
// V provides, for a float vector F of V::N lanes, an int32 vector I and a lane mask M:
//   load, store, set1, zero, add, sub, mul, div, sqrt, fmadd(a,b,c) = a·b + c,
//   fnmadd(a,b,c) = c − a·b, min, max, floor, rcp (≥ 12 bits), gt(a,b) → M,
//   select(m, a, b) = m ? a : b, bit_xor, bit_andnot(a, b) = ~a & b;
//   cvtt(F) → I (truncating), cvt(I) → F, iset1, iadd, iand, iandnot(a, b) = ~a & b,
//   ieq(a, b) → M, shl23(I), shl29(I), as_float(I).
#include <cmath>
#include <cstdint>

#include "kernels/cpu_kernels.h"

namespace scorelab::cpu_kernels::simd {

// e^x: Cephes' expf (range reduction by ln 2, degree-6 polynomial), ~1 ulp over the clamped
// range. Clamped to ±88, the result stays finite (below 2^127; an infinity would make the
// sigmoid's Newton step 0·∞), and silu's h = z·σ(z) still turns NaN into NaN.
template <class V>
inline typename V::F exp(typename V::F x) {
  x = V::min(x, V::set1(88.0f));
  x = V::max(x, V::set1(-88.0f));
  auto fx = V::floor(V::fmadd(x, V::set1(1.44269504088896341f), V::set1(0.5f)));
  x = V::fnmadd(fx, V::set1(0.693359375f), x);
  x = V::fnmadd(fx, V::set1(-2.12194440e-4f), x);
  auto y = V::set1(1.9875691500E-4f);
  y = V::fmadd(y, x, V::set1(1.3981999507E-3f));
  y = V::fmadd(y, x, V::set1(8.3334519073E-3f));
  y = V::fmadd(y, x, V::set1(4.1665795894E-2f));
  y = V::fmadd(y, x, V::set1(1.6666665459E-1f));
  y = V::fmadd(y, x, V::set1(5.0000001201E-1f));
  y = V::fmadd(y, V::mul(x, x), V::add(x, V::set1(1.0f)));
  const auto n = V::shl23(V::iadd(V::cvtt(fx), V::iset1(127)));
  return V::mul(y, V::as_float(n));
}

// 1/(1 + e^−z): the reciprocal from rcp and one Newton step (~23 bits), cheaper than a
// division; 1 + e^−z ≥ 1, so rcp never meets a zero or a denormal.
template <class V>
inline typename V::F sigmoid(typename V::F z) {
  const auto d = V::add(V::set1(1.0f), exp<V>(V::sub(V::zero(), z)));
  const auto r = V::rcp(d);
  return V::mul(r, V::fnmadd(d, r, V::set1(2.0f)));
}

inline float sigmoid1(float z) {
  return 1.0f / (1.0f + std::exp(-z));
}

// cos and sin: Cephes' sinf/cosf (reduction by π/4 in three parts, degree-3 and degree-4
// polynomials on [−π/4, π/4]), ~1e-7 absolute for the embeddings' |x| ≲ 10⁴.
template <class V>
inline void sincos(typename V::F x, typename V::F& c, typename V::F& s) {
  const auto sign_bit = V::as_float(V::iset1(static_cast<int32_t>(0x80000000u)));
  const auto x_abs = V::bit_andnot(sign_bit, x);
  const auto sign_in = V::bit_xor(x, x_abs);
  // j = the octant, rounded up to even.
  auto j = V::cvtt(V::mul(x_abs, V::set1(1.27323954473516f)));
  j = V::iand(V::iadd(j, V::iset1(1)), V::iset1(~1));
  const auto y = V::cvt(j);
  auto r = V::fnmadd(y, V::set1(0.78515625f), x_abs);
  r = V::fnmadd(y, V::set1(2.4187564849853515625e-4f), r);
  r = V::fnmadd(y, V::set1(3.77489497744594108e-8f), r);
  const auto z = V::mul(r, r);
  auto pc = V::set1(2.443315711809948e-5f);
  pc = V::fmadd(pc, z, V::set1(-1.388731625493765e-3f));
  pc = V::fmadd(pc, z, V::set1(4.166664568298827e-2f));
  pc = V::mul(V::mul(pc, z), z);
  pc = V::add(V::fnmadd(z, V::set1(0.5f), pc), V::set1(1.0f));
  auto ps = V::set1(-1.9515295891e-4f);
  ps = V::fmadd(ps, z, V::set1(8.3321608736e-3f));
  ps = V::fmadd(ps, z, V::set1(-1.6666654611e-1f));
  ps = V::fmadd(V::mul(ps, z), r, r);
  // Octants 2 and 6 (mod 8) swap the polynomials; sin flips sign from octant 4 on (and with
  // the input's sign), cos in octants 2..5.
  const auto swap = V::ieq(V::iand(j, V::iset1(2)), V::iset1(2));
  const auto sin_flip = V::bit_xor(sign_in, V::as_float(V::shl29(V::iand(j, V::iset1(4)))));
  const auto cos_flip = V::as_float(V::shl29(V::iandnot(V::iadd(j, V::iset1(-2)), V::iset1(4))));
  s = V::bit_xor(V::select(swap, pc, ps), sin_flip);
  c = V::bit_xor(V::select(swap, ps, pc), cos_flip);
}

template <class V>
void bias_act(Act act, float leak, float* z, const float* bias, const float* extra, float* h,
              int64_t rows, int64_t cols) {
  constexpr int n = V::N;
  const auto vleak = V::set1(leak), zero = V::zero();
  for (int64_t i = 0; i < rows; ++i) {
    float* zr = z + i * cols;
    float* hr = h + i * cols;
    const float* er = extra ? extra + i * cols : nullptr;
    int64_t j = 0;
    for (; j + n <= cols; j += n) {
      auto v = V::load(zr + j);
      if (bias) v = V::add(v, V::load(bias + j));
      if (er) v = V::add(v, V::load(er + j));
      if (act == Act::silu) {
        // silu' = σ + h·(1 − σ), kept for the backward: one stream fewer for it to read.
        const auto s = sigmoid<V>(v), hv = V::mul(v, s);
        V::store(hr + j, hv);
        V::store(zr + j, V::fmadd(hv, V::sub(V::set1(1.0f), s), s));
      } else {
        V::store(hr + j, V::select(V::gt(v, zero), v, V::mul(v, vleak)));
        V::store(zr + j, v);
      }
    }
    for (; j < cols; ++j) {
      const float v = zr[j] + (bias ? bias[j] : 0.0f) + (er ? er[j] : 0.0f);
      if (act == Act::silu) {
        const float s = sigmoid1(v);
        hr[j] = v * s;
        zr[j] = s + hr[j] * (1.0f - s);
      } else {
        hr[j] = v > 0 ? v : leak * v;
        zr[j] = v;
      }
    }
  }
}

template <class V>
void act_backward(Act act, float leak, const float* dh, const float* z, const float* h, float* dz,
                  float* colsum, int64_t rows, int64_t cols) {
  constexpr int n = V::N;
  const auto vleak = V::set1(leak), zero = V::zero();
  if (colsum)
    for (int64_t j = 0; j < cols; ++j) colsum[j] = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const float* gr = dh + i * cols;
    const float* zr = z + i * cols;
    const float* hr = h + i * cols;
    float* dr = dz + i * cols;
    int64_t j = 0;
    for (; j + n <= cols; j += n) {
      const auto g = V::load(gr + j);
      const auto d = act == Act::silu
                         ? V::mul(g, V::load(zr + j))
                         : V::select(V::gt(V::load(hr + j), zero), g, V::mul(g, vleak));
      V::store(dr + j, d);
      if (colsum) V::store(colsum + j, V::add(V::load(colsum + j), d));
    }
    for (; j < cols; ++j) {
      const float d = act == Act::silu ? gr[j] * zr[j] : (hr[j] > 0 ? gr[j] : leak * gr[j]);
      dr[j] = d;
      if (colsum) colsum[j] += d;
    }
  }
}

template <class V>
void fourier_embed(const float* u, int64_t rows, const float* freqs, int64_t f, float* emb) {
  constexpr int n = V::N;
  for (int64_t i = 0; i < rows; ++i) {
    const auto ui = V::set1(u[i]);
    float* cr = emb + i * 2 * f;
    float* sr = cr + f;
    int64_t j = 0;
    for (; j + n <= f; j += n) {
      typename V::F c, s;
      sincos<V>(V::mul(ui, V::load(freqs + j)), c, s);
      V::store(cr + j, c);
      V::store(sr + j, s);
    }
    for (; j < f; ++j) {
      const float x = u[i] * freqs[j];
      cr[j] = std::cos(x);
      sr[j] = std::sin(x);
    }
  }
}

template <class V>
void adamw(float* p, float* g, float* m, float* v, int64_t n, const AdamWStep& s) {
  constexpr int w = V::N;
  const auto scale = V::set1(s.scale), b1 = V::set1(s.beta1), c1 = V::set1(1 - s.beta1),
             b2 = V::set1(s.beta2), c2 = V::set1(1 - s.beta2), decay = V::set1(s.decay),
             step = V::set1(s.step), bc2 = V::set1(s.bc2), eps = V::set1(s.eps);
  int64_t i = 0;
  for (; i + w <= n; i += w) {
    const auto gv = V::mul(V::load(g + i), scale);
    V::store(g + i, gv);
    const auto mv = V::fmadd(gv, c1, V::mul(V::load(m + i), b1));
    const auto vv = V::fmadd(V::mul(gv, gv), c2, V::mul(V::load(v + i), b2));
    V::store(m + i, mv);
    V::store(v + i, vv);
    const auto denom = V::add(V::sqrt(V::div(vv, bc2)), eps);
    V::store(p + i, V::fnmadd(step, V::div(mv, denom), V::mul(V::load(p + i), decay)));
  }
  for (; i < n; ++i) {
    const float gi = g[i] * s.scale;
    g[i] = gi;
    m[i] = s.beta1 * m[i] + (1 - s.beta1) * gi;
    v[i] = s.beta2 * v[i] + (1 - s.beta2) * gi * gi;
    p[i] = p[i] * s.decay - s.step * (m[i] / (std::sqrt(v[i] / s.bc2) + s.eps));
  }
}

}  // namespace scorelab::cpu_kernels::simd
