#include "sample/probes.h"

#include <torch/torch.h>

#include <chrono>
#include <optional>

#include "common/clock.h"
#include "common/error.h"
#include "common/rng.h"
#include "data/dataset.h"
#include "data/gaussian_mixture.h"
#include "methods/method.h"
#include "metrics/toy_metrics.h"
#include "sample/draw_samples.h"
#include "sample/langevin_sampler.h"

namespace scorelab {

namespace {

void require_points(const Dataset& data, const char* what) {
  if (data.is_image()) {
    throw ConfigError(std::string(what) + " are drawn for 2-D data; this run trains on " +
                      data.name());
  }
}

}  // namespace

FieldResult evaluate_field(const ProbeInputs& in, const FieldRequest& q) {
  require_points(in.data, "score fields");
  if (q.nx < 2 || q.ny < 2 || !(q.x1 > q.x0) || !(q.y1 > q.y0) || !(q.sigma > 0)) {
    throw ConfigError("field request: need nx, ny >= 2, x1 > x0, y1 > y0 and sigma > 0");
  }
  torch::NoGradGuard no_grad;
  FieldResult r;
  r.request = q;
  r.step = in.step;
  auto xs = torch::linspace(q.x0, q.x1, q.nx, torch::kFloat);
  auto ys = torch::linspace(q.y0, q.y1, q.ny, torch::kFloat);
  auto grid = torch::meshgrid({ys, xs}, "ij");
  r.points = torch::stack({grid[1].flatten(), grid[0].flatten()}, 1);
  // Data with D > 2: the field on the plane of the first two axes through the data's mean, and
  // of each score its first two coordinates.
  torch::Tensor at = r.points;
  const int64_t d = in.data.dim();
  if (d > 2) {
    auto mean = in.real_reference.to(torch::kFloat).mean(0);
    at = mean.unsqueeze(0).repeat({r.points.size(0), 1});
    at.narrow(1, 0, 2).copy_(r.points);
  }
  auto first_two = [d](const torch::Tensor& v) {
    return d > 2 ? v.narrow(1, 0, 2).contiguous() : v;
  };
  r.learned = first_two(in.method.score(q.model, at, q.sigma, q.alpha).to(torch::kCPU));
  if (!q.exact) return r;
  const GaussianMixture* mix = in.data.mixture();
  GaussianMixture p = mix ? *mix : GaussianMixture::from_samples(in.real_reference);
  r.exact_kind = mix ? "mixture" : "empirical";
  if (q.alpha < 1 && in.method.has_generator()) {
    const Rng rng(static_cast<uint64_t>(in.config.run.seed) + 4242, in.method.device());
    GaussianMixture fake =
        GaussianMixture::from_samples(in.method.generate(5000, rng).to(torch::kCPU));
    p = GaussianMixture::blend(p, fake, q.alpha);
    r.exact_kind += "+generator";
  }
  auto noised = p.noised(q.sigma);
  r.exact = first_two(noised.score(at).to(torch::kFloat));
  r.log_density = noised.log_prob(at).to(torch::kFloat);
  return r;
}

SampleResult draw_request(const ProbeInputs& in, const SampleRequest& q) {
  SampleResult r = draw_samples(in.method, in.config.sampler, q.sampler, q.n, in.data.dim(), q.seed,
                                in.method.device(), in.between_steps);
  if (q.metrics && !in.data.is_image()) {
    r.metrics = evaluate_samples(r.samples, in.data, q.seed);
    r.has_metrics = true;
  }
  return r;
}

LangevinTrace record_langevin(const ProbeInputs& in, const LangevinRequest& q) {
  if (in.data.is_image()) {
    throw ConfigError(
        "Langevin traces are drawn for 2-D data; sample images with "
        "scorelab-cli sample --sampler annealed");
  }
  if (q.n < 1 || q.record_every < 1) {
    throw ConfigError("langevin request: need n >= 1, record_every >= 1");
  }
  ScoreFn score;
  std::optional<GaussianMixture> empirical;
  if (q.exact_score) {
    if (!in.data.mixture()) empirical.emplace(GaussianMixture::from_samples(in.real_reference));
    score = exact_score(in.data.mixture() ? *in.data.mixture() : *empirical);
  } else {
    if (in.method.data_score_model().empty()) {
      throw ConfigError("langevin request: " + in.method.name() +
                        " learns no data score; use the exact score");
    }
    score = learned_score(in.method);
  }
  LangevinTrace t;
  const auto t0 = std::chrono::steady_clock::now();
  LangevinSampler s(score, langevin_options(in.config.sampler, q.annealed), q.n, in.data.dim(),
                    q.seed, in.method.device());
  auto record = [&] {
    t.frames.push_back(s.particles().to(torch::kCPU));
    t.frame_steps.push_back(s.steps_done());
    t.frame_sigma.push_back(s.sigma());
    t.frame_step_size.push_back(s.step_size());
  };
  record();
  while (!s.done()) {
    if (in.between_steps) in.between_steps();
    s.step();
    if (s.steps_done() % q.record_every == 0 || s.done()) record();
  }
  t.result = s.result().to(torch::kCPU);
  t.nfe = s.nfe();
  t.seconds = seconds_since(t0);
  return t;
}

}  // namespace scorelab
