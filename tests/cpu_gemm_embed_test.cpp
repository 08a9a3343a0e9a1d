// The fast path's BLAS entry (kernels/cpu_gemm.h) against a plain triple loop in double, for
// every transpose combination and both routes (direct BLAS and libtorch's addmm), and the
// Fourier-embedding kernel against the C library's cos and sin.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "common/rng.h"
#include "kernels/cpu_gemm.h"
#include "kernels/cpu_kernels.h"

using namespace scorelab;

namespace {

// C = α·op(A)·op(B) + β·C0 in double; A is stored [m,k] or, transposed, [k,m] (likewise B).
std::vector<double> naive(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha,
                          const float* a, int64_t lda, const float* b, int64_t ldb, double beta,
                          const float* c0, int64_t ldc) {
  std::vector<double> c(m * ldc);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double av = ta ? a[p * lda + i] : a[i * lda + p];
        const double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
      }
      c[i * ldc + j] = alpha * s + beta * c0[i * ldc + j];
    }
  }
  return c;
}

}  // namespace

TEST(CpuGemm, EveryTransposeMatchesTheDefinitionOnBothRoutes) {
  Rng rng(11, torch::kCPU);
  const int64_t m = 7, n = 5, k = 9, pad = 3;  // padded leading dimensions catch ld mix-ups
  using Gemm = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                        const float*, int64_t, float, float*, int64_t);
  std::vector<Gemm> routes{&cpu_gemm::gemm_via_libtorch};
  if (cpu_gemm::direct()) routes.push_back(&cpu_gemm::gemm);
  for (Gemm route : routes) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        for (float beta : {0.0f, 0.5f}) {
          const int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
          auto a = rng.randn({(ta ? k : m) * lda}), b = rng.randn({(tb ? n : k) * ldb});
          auto c = rng.randn({m * ldc});
          // With β = 0 the old contents must not leak in, NaN included.
          if (beta == 0) c.fill_(std::nanf(""));
          const auto c0 = beta == 0 ? torch::zeros_like(c) : c.clone();
          const auto want = naive(ta, tb, m, n, k, 1.5, a.data_ptr<float>(), lda,
                                  b.data_ptr<float>(), ldb, beta, c0.data_ptr<float>(), ldc);
          route(ta, tb, m, n, k, 1.5f, a.data_ptr<float>(), lda, b.data_ptr<float>(), ldb, beta,
                c.data_ptr<float>(), ldc);
          const float* got = c.data_ptr<float>();
          for (int64_t i = 0; i < m; ++i) {
            for (int64_t j = 0; j < n; ++j) {
              EXPECT_NEAR(got[i * ldc + j], want[i * ldc + j], 1e-4)
                  << "ta " << ta << " tb " << tb << " beta " << beta << " at " << i << "," << j;
            }
          }
        }
      }
    }
  }
}

TEST(CpuKernels, FourierEmbeddingMatchesCosAndSin) {
  if (!cpu_kernels::available()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  Rng rng(12, torch::kCPU);
  const int64_t rows = 9, f = 21;  // 2 vectors of 8 and a tail of 5
  // The embeddings' range: u = ln σ / 4 or α − ½, frequencies 2π·N(0, 16²); plus exact
  // octant boundaries and zero.
  auto u = rng.randn({rows}) * 1.5;
  auto freqs = rng.randn({f}) * (2 * M_PI * 16);
  u[0] = 0;
  u[1] = 1;
  freqs[0] = 0;
  freqs[1] = static_cast<float>(M_PI / 4);
  freqs[2] = static_cast<float>(-M_PI / 2);
  freqs[3] = static_cast<float>(3 * M_PI);
  for (const auto& set : cpu_kernels::kernel_sets()) {
    std::vector<float> emb(rows * 2 * f);
    set.fourier_embed(u.data_ptr<float>(), rows, freqs.data_ptr<float>(), f, emb.data());
    double worst = 0;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < f; ++j) {
        // The float product, as the kernel forms it; its cos and sin in double.
        const double x = u[i].item<float>() * freqs[j].item<float>();
        worst = std::max(worst, std::abs(emb[i * 2 * f + j] - std::cos(x)));
        worst = std::max(worst, std::abs(emb[i * 2 * f + f + j] - std::sin(x)));
      }
    }
    EXPECT_LT(worst, 2e-6) << set.name;
  }
}

TEST(CpuKernels, AdamWAndSumOfSquaresFollowTheirFormulas) {
  if (!cpu_kernels::available()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  Rng rng(13, torch::kCPU);
  const int64_t n = 45;  // vectors of 8 or 16 and a tail
  const auto p0 = rng.randn({n}), g0 = rng.randn({n}), m0 = rng.randn({n}) * 0.1;
  const auto v0 = rng.rand({n}) * 0.01;
  cpu_kernels::AdamWStep s{0.7f, 0.9f, 0.99f, 0.999f, 0.01f, 0.05f, 1e-8f};
  for (const auto& set : cpu_kernels::kernel_sets()) {
    auto p = p0.clone(), g = g0.clone(), m = m0.clone(), v = v0.clone();
    set.adamw(p.data_ptr<float>(), g.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(), n,
              s);
    for (int64_t i = 0; i < n; ++i) {
      const double gi = s.scale * g0[i].item<double>();
      const double mi = s.beta1 * m0[i].item<double>() + (1 - s.beta1) * gi;
      const double vi = s.beta2 * v0[i].item<double>() + (1 - s.beta2) * gi * gi;
      const double pi =
          p0[i].item<double>() * s.decay - s.step * mi / (std::sqrt(vi / s.bc2) + s.eps);
      EXPECT_NEAR(g[i].item<double>(), gi, 1e-6) << set.name << " g " << i;
      EXPECT_NEAR(m[i].item<double>(), mi, 1e-6) << set.name << " m " << i;
      EXPECT_NEAR(v[i].item<double>(), vi, 1e-7) << set.name << " v " << i;
      EXPECT_NEAR(p[i].item<double>(), pi, 1e-5) << set.name << " p " << i;
    }
    const double want = (g0.to(torch::kDouble).square().sum()).item<double>();
    EXPECT_NEAR(set.sum_squares(g0.data_ptr<float>(), n), want, 1e-9 * want) << set.name;
  }
}
