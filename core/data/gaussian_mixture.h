#pragma once
// A mixture of isotropic Gaussians Σ_k w_k N(m_k, v_k I) in float64, with its exact log density
// and score. The same object describes a finite sample set (equal weights, variance 0: the
// empirical density), whose noised version at σ is the mixture of N(y_j, σ²I); and the α-blend
// α·p + (1−α)·q of two mixtures. These are the closed forms the tests and overlays compare to.
#include <torch/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace scorelab {

class Rng;

class GaussianMixture {
 public:
  // weights [K] (normalised here), means [K, D], variances [K] (≥ 0).
  GaussianMixture(torch::Tensor weights, torch::Tensor means, torch::Tensor variances);

  // The empirical density of samples [N, D]: weights 1/N, variance 0. Add noise with noised(σ)
  // before asking for a score or density.
  static GaussianMixture from_samples(const torch::Tensor& samples);

  // α·p + (1−α)·q. α = 0 or 1 drops the other side's components.
  static GaussianMixture blend(const GaussianMixture& p, const GaussianMixture& q, double alpha);

  // The density convolved with N(0, σ²I): every variance grows by σ².
  GaussianMixture noised(double sigma) const;

  // log density [N] and score ∇ log density [N, D] at x [N, D] (any float dtype; computed and
  // returned in float64 on the mixture's device). Requires every variance > 0.
  torch::Tensor log_prob(const torch::Tensor& x) const;
  torch::Tensor score(const torch::Tensor& x) const;
  // The same with a noise level per row: row i of x [N, D] under the mixture convolved with
  // N(0, σ_i² I); sigma [N] or [N, 1]. Zero-variance mixtures (sample sets) need σ_i > 0.
  torch::Tensor noised_log_prob(const torch::Tensor& x, const torch::Tensor& sigma) const;
  torch::Tensor noised_score(const torch::Tensor& x, const torch::Tensor& sigma) const;
  // Posterior component probabilities [N, K].
  torch::Tensor responsibilities(const torch::Tensor& x) const;

  // n float32 samples on rng's device.
  torch::Tensor sample(int64_t n, const Rng& rng) const;

  int64_t components() const { return weights_.size(0); }
  int64_t dim() const { return means_.size(1); }
  const torch::Tensor& weights() const { return weights_; }
  const torch::Tensor& means() const { return means_; }
  const torch::Tensor& variances() const { return variances_; }

 private:
  // log w_k + log N(x; m_k, v_k I) for a chunk of rows: [n, K].
  torch::Tensor joint_log(const torch::Tensor& x) const;
  // The same with variances var: [1, K] or one row per x row [n, K].
  torch::Tensor joint_log(const torch::Tensor& x, const torch::Tensor& var) const;
  void require_positive_variance(const char* what) const;
  torch::Tensor weights_, means_, variances_;  // float64
  torch::Tensor log_weights_, mean_sq_;        // cached for joint_log
  // float32 copies of weights, means and standard deviations per device, made on the first
  // draw there: a training step then copies nothing from the host (and can be a CUDA graph).
  struct SampleTables {
    torch::Tensor weights, means, sd;
  };
  struct SampleCache {
    std::mutex mutex;
    std::map<std::string, SampleTables> by_device;
  };
  const SampleTables& sample_tables(torch::Device device) const;
  std::shared_ptr<SampleCache> sample_cache_ = std::make_shared<SampleCache>();
};

}  // namespace scorelab
