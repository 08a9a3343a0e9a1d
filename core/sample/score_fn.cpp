#include "sample/score_fn.h"

#include "data/gaussian_mixture.h"
#include "methods/method.h"

namespace scorelab {

ScoreFn learned_score(Method& method, const std::string& which, double alpha) {
  const std::string model = which.empty() ? method.data_score_model() : which;
  return [&method, model, alpha](const torch::Tensor& x, double sigma) {
    return method.score(model, x, sigma, alpha);
  };
}

ScoreFn exact_score(const GaussianMixture& mixture) {
  return [&mixture](const torch::Tensor& x, double sigma) {
    return mixture.noised(sigma).score(x).to(x.device(), torch::kFloat);
  };
}

}  // namespace scorelab
