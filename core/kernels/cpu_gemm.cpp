#include "kernels/cpu_gemm.h"

#include <dlfcn.h>
#include <torch/torch.h>

namespace scorelab::cpu_gemm {

namespace {

// The Fortran BLAS interface (column-major, every argument by pointer).
using Sgemm = void (*)(const char* ta, const char* tb, const int* m, const int* n, const int* k,
                       const float* alpha, const float* a, const int* lda, const float* b,
                       const int* ldb, const float* beta, float* c, const int* ldc);

Sgemm find_sgemm() {
  return reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "sgemm_"));
}

Sgemm sgemm() {
  static const Sgemm fn = find_sgemm();  // immutable after first use
  return fn;
}

torch::Tensor view(const float* p, int64_t rows, int64_t cols, int64_t ld, bool trans) {
  // Stored rows×cols with leading dimension ld; the operand is its transpose when trans.
  auto t = torch::from_blob(const_cast<float*>(p), {rows, cols}, {ld, 1}, torch::kFloat);
  return trans ? t.t() : t;
}

}  // namespace

bool direct() {
  return sgemm() != nullptr;
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (const Sgemm fn = sgemm()) {
    // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands.
    const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
    const int ila = static_cast<int>(lda), ilb = static_cast<int>(ldb), ilc = static_cast<int>(ldc);
    fn(&tb, &ta, &in, &im, &ik, &alpha, b, &ilb, a, &ila, &beta, c, &ilc);
    return;
  }
  gemm_via_libtorch(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_via_libtorch(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                       float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  torch::NoGradGuard no_grad;
  auto out = torch::from_blob(c, {m, n}, {ldc, 1}, torch::kFloat);
  auto lhs = trans_a ? view(a, k, m, lda, true) : view(a, m, k, lda, false);
  auto rhs = trans_b ? view(b, n, k, ldb, true) : view(b, k, n, ldb, false);
  if (beta == 0) {
    at::mm_out(out, lhs, rhs);
    if (alpha != 1) out.mul_(alpha);
  } else {
    out.mul_(beta).addmm_(lhs, rhs, 1, alpha);
  }
}

}  // namespace scorelab::cpu_gemm
