#pragma once
// A hand-written forward and backward for the toy MLPs (score model, generator, discriminator).
// For 2-D data libtorch's per-op cost (dispatcher, an autograd node per op, an allocation per
// result) is most of a training step, so a network call here is one autograd node: GEMMs into
// buffers reused from call to call, bias and activation in one pass each, EDM's preconditioning
// and the Fourier embeddings folded in, and weight gradients accumulated straight into the
// parameters' gradients (the flat gradient buffer) by GEMMs with β = 1.
//
// Semantics match the module's ordinary forward under autograd, with two limits the modules
// check before taking this path: no double backward (backward with create_graph throws), and σ
// and α take no gradient. Parameter gradients accumulate whenever the node's backward runs,
// also under torch::autograd::grad, which the ordinary path would leave alone.
#include <torch/types.h>

#include <memory>
#include <vector>

namespace scorelab {

enum class MlpActivation { silu, leaky_relu };

// A dense layer y = x·Wᵀ + b: the module's own tensors, so checkpoints do not change.
struct DenseRef {
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]
};

// A scalar condition u embedded as [cos(u·f), sin(u·f)] and projected by `proj`.
struct ConditionRef {
  torch::Tensor freqs;  // [1, F], 2π included
  DenseRef proj;        // [hidden, 2F]
};

// The network and how one call uses it.
struct FusedMlpCall {
  MlpActivation activation = MlpActivation::silu;
  double leak = 0;               // leaky ReLU's negative slope
  std::vector<DenseRef> layers;  // hidden layers, then the output layer (or a head)
  // Conditioning added to the first layer's pre-activation (none when sigma is undefined):
  // proj_σ(emb(ln σ / 4)) [+ proj_α(emb(α − ½))], through silu when silu_condition.
  ConditionRef sigma_embed, alpha_embed;
  bool silu_condition = false;
  double sigma_data = 1;
  bool scale_input = false;  // feed x·c_in(σ), c_in = 1/√(σ² + σ_data²)
  bool denoise = false;      // return c_skip(σ)·x + c_out(σ)·F instead of F
};

class MlpWorkspacePool;

// Buffers reused across calls of one network: a set per batch size, taken by a call and handed
// back when its backward has run (or its graph is dropped). Safe to share between threads.
class FusedMlp {
 public:
  FusedMlp();
  ~FusedMlp();
  FusedMlp(const FusedMlp&) = delete;
  FusedMlp& operator=(const FusedMlp&) = delete;

  // The network's output for x [B, in] with σ, α [B, 1] (undefined when unused): F, or the
  // denoiser when call.denoise. Records one autograd node when x or a parameter needs a gradient.
  torch::Tensor forward(const FusedMlpCall& call, const torch::Tensor& x,
                        const torch::Tensor& sigma, const torch::Tensor& alpha) const;

  // Whether this path can serve a call with these inputs (float32/64 on the CPU or CUDA, no
  // autocast, σ and α without gradients); otherwise the module takes its ordinary path.
  static bool supports(const torch::Tensor& x, const torch::Tensor& sigma,
                       const torch::Tensor& alpha, const torch::Tensor& weight);

 private:
  std::shared_ptr<MlpWorkspacePool> pool_;
};

}  // namespace scorelab
