#pragma once
// The fast path's memory-bound passes on the CPU, in float32, hand-vectorised (AVX-512 or
// AVX2 + FMA, the widest this CPU runs, picked at run time), each one pass where libtorch's ops
// take several: for the fused MLPs, bias, conditioning and activation over a layer's
// pre-activations, and the activation's derivative with the bias gradient on the way back (the silu
// forward keeps silu'(z) in place of z, so the backward needs no exponential and reads two
// streams, not three); for the flat optimizer,
// a whole AdamW update. NaN in, NaN out, as libtorch's own kernels.
#include <cstdint>
#include <vector>

namespace scorelab::cpu_kernels {

// Whether these kernels run here (an x86-64 CPU with AVX2 and FMA); otherwise callers use
// libtorch's element-wise ops.
bool available();

enum class Act { silu, leaky_relu };

// Per row i and column j, with z = z[i,j] + bias[j] + extra[i,j] (bias, extra may be null):
//   silu:       h = z·σ(z), and z[i,j] ← silu'(z) = σ(z) + h·(1 − σ(z))
//   leaky_relu: h = z > 0 ? z : leak·z, and z[i,j] ← z
// Rows are contiguous, `cols` floats each.
void bias_act(Act act, float leak, float* z, const float* bias, const float* extra, float* h,
              int64_t rows, int64_t cols);

// From what bias_act left (z: silu'(z) for silu; h) and the gradient dh of h:
//   silu:       dz = dh·silu'(z)
//   leaky_relu: dz = h > 0 ? dh : leak·dh
// and, when colsum is not null, colsum[j] = Σ_i dz[i,j] (the bias gradient).
void act_backward(Act act, float leak, const float* dh, const float* z, const float* h, float* dz,
                  float* colsum, int64_t rows, int64_t cols);

// The Fourier embedding of one scalar per row: emb[i, j] = cos(u[i]·freqs[j]) and
// emb[i, f + j] = sin(u[i]·freqs[j]) for j < f (rows of 2f floats).
void fourier_embed(const float* u, int64_t rows, const float* freqs, int64_t f, float* emb);

// Σ g² over n floats, accumulated in double: the squared norm for gradient clipping.
double sum_squares(const float* g, int64_t n);

// One AdamW update over flat buffers of n floats, in one pass: g ← scale·g (kept: the clipped
// gradient), m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², then
// p ← p·decay − step·m / (√(v / bc2) + eps), with decay = 1 − lr·wd and step = lr / bc1.
struct AdamWStep {
  float scale, beta1, beta2, decay, step, bc2, eps;
};
void adamw(float* p, float* g, float* m, float* v, int64_t n, const AdamWStep& s);

// One instruction set's build of the kernels above.
struct KernelSet {
  const char* name;
  void (*bias_act)(Act, float, float*, const float*, const float*, float*, int64_t, int64_t);
  void (*act_backward)(Act, float, const float*, const float*, const float*, float*, float*,
                       int64_t, int64_t);
  void (*fourier_embed)(const float*, int64_t, const float*, int64_t, float*);
  double (*sum_squares)(const float*, int64_t);
  void (*adamw)(float*, float*, float*, float*, int64_t, const AdamWStep&);
};

// The builds this CPU runs, widest first (the first serves the functions above); empty when
// none does. Tests check each one.
const std::vector<KernelSet>& kernel_sets();

}  // namespace scorelab::cpu_kernels
