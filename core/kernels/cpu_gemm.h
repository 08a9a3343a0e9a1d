#pragma once
// Float32 GEMM on row-major buffers for the fast path, straight into the BLAS that libtorch
// itself links (its Fortran `sgemm_`, found at run time): a libtorch op costs ~5–10 µs of
// dispatch and shape checks before BLAS sees the matrices, which at the toy networks' sizes is
// a good part of the multiplication itself. Where no such symbol is exported (a libtorch with
// BLAS linked in statically), the same product goes through libtorch's addmm.
#include <cstdint>

namespace scorelab::cpu_gemm {

// Whether the process exports a BLAS `sgemm_` (libtorch's own BLAS).
bool direct();

// C[m,n] ← α·op(A)·op(B) + β·C, all row-major; op(A) is A[m,k] (lda ≥ k) or, when trans_a,
// the transpose of A[k,m] (lda ≥ m); likewise B. With β = 0, C's old contents are ignored.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The same product through libtorch's addmm: what gemm falls back to (tests call it directly).
void gemm_via_libtorch(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                       float* c, int64_t ldc);

}  // namespace scorelab::cpu_gemm
