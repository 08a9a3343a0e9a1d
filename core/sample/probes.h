#pragma once
// What the app asks of a model to look at it, computed from a method and its data set alone: a
// score field beside the exact one, samples with their metrics, and a recorded Langevin run to
// step through. The Trainer answers them on its probe thread, over a copy of the weights, so
// they never hold up training.
#include <cstdint>
#include <functional>

#include "config/config.h"
#include "sample/requests.h"

namespace scorelab {

class Dataset;
class Method;

// What a probe reads besides the request.
struct ProbeInputs {
  Method& method;
  const Dataset& data;
  const Config& config;
  torch::Tensor real_reference;  // fixed real samples, the empirical density of non-mixtures
  int64_t step = 0;              // the training step the weights are of
  // Called between the steps of long probes (Langevin): it may pause a while, or throw to cancel.
  std::function<void()> between_steps;
};

// The learned score field at the request's grid and, when asked, the exact one: the mixture's
// closed form (or the empirical mixture of real_reference), blended with the generator's samples
// for α < 1. Throws ConfigError for image data or a malformed grid.
FieldResult evaluate_field(const ProbeInputs& in, const FieldRequest& request);

// Samples with the request's sampler, and their metrics against fresh real samples on 2-D data.
SampleResult draw_request(const ProbeInputs& in, const SampleRequest& request);

// Annealed or plain Langevin from the start, every record_every-th step kept, on the learned data
// score or the exact one. Throws ConfigError for image data or a method without a data score.
LangevinTrace record_langevin(const ProbeInputs& in, const LangevinRequest& request);

}  // namespace scorelab
