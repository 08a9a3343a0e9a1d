#pragma once
// A score to sample with: learned (a Method's model) or exact (a mixture's closed form).
#include <torch/types.h>

#include <functional>

namespace scorelab {

class GaussianMixture;
class Method;

// s(x, σ): x [N, D] → [N, D], float32 on x's device.
using ScoreFn = std::function<torch::Tensor(const torch::Tensor& x, double sigma)>;

// The learned score of a method's model `which` (at α where it applies); by default the model
// that estimates the data score.
ScoreFn learned_score(Method& method, const std::string& which = "", double alpha = 1.0);

// The exact score of the mixture noised at σ. The mixture must outlive the function.
ScoreFn exact_score(const GaussianMixture& mixture);

}  // namespace scorelab
