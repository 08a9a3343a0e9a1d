#include "methods/smd.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"
#include "config/config_io.h"
#include "methods/dsm.h"
#include "methods/network_factory.h"
#include "methods/smt.h"
#include "train/checkpoint.h"

namespace scorelab {

namespace {
constexpr uint64_t kTeacherSeed = 0, kFakeSeed = 300, kDiscSeed = 400, kGenSeed = 500;

torch::Tensor row_mean(const torch::Tensor& t) {
  return t.mean(1, /*keepdim=*/true);
}

// log(α/(1−α)); ±inf at α = 0 and 1, where sigmoid(ℓ ± inf) is exactly 0 or 1.
torch::Tensor alpha_logit(const torch::Tensor& alpha) {
  return alpha.log() - (1.0 - alpha).log();
}
}  // namespace

SmdMethod::SmdMethod(const MethodContext& context)
    : ctx_(context),
      teacher_(make_score_net(context, {kTeacherSeed})),
      teacher_ema_(make_score_net(context, {kTeacherSeed})),
      fake_(make_score_net(context, {kFakeSeed})),
      disc_(make_discriminator(context, true, kDiscSeed)),
      gen_(context, kGenSeed),
      teacher_net_("teacher", teacher_, score_hyper(context.config.optim)),
      fake_net_("fake", fake_, score_hyper(context.config.optim)),
      disc_net_("disc", disc_, score_hyper(context.config.optim)),
      sigmas_(context.config.noise, context.device),
      alphas_(context.config.method, context.device) {
  teacher_net_.attach_ema(teacher_ema_, context.config.optim.ema);
  if (!context.config.method.teacher.empty()) load_teacher(context.config.method.teacher);
}

void SmdMethod::load_teacher(const std::string& path) {
  Checkpoint ck;
  try {
    ck = read_checkpoint(path);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("method.teacher: ") + e.what());
  }
  const Config& tc = ck.config;
  if (tc.data.name != ctx_.config.data.name) {
    throw ConfigError("method.teacher " + path + " was trained on " + tc.data.name +
                      ", this run uses " + ctx_.config.data.name);
  }
  for (const auto& key : changed_keys(tc, ctx_.config)) {
    // Generator and discriminator settings are SMD's own; the score model's must match.
    if (key.rfind("model.", 0) == 0 && key.rfind("model.gen", 0) == std::string::npos &&
        key.find("disc_") == std::string::npos && key != "model.z_dim" &&
        key != "model.alpha_fourier_scale") {
      throw ConfigError("method.teacher " + path + ": its " + key +
                        " differs from this run's; the fake score copies the teacher's shape");
    }
  }
  const CheckpointNetwork* saved = nullptr;
  for (const auto& n : ck.networks)
    if (n.name == "score" || n.name == "teacher") saved = &n;
  if (!saved) throw CheckpointError(path + ": holds no DSM score network to distil");
  restore_network(*saved, teacher_net_, path);
  teacher_loaded_ = true;
}

bool SmdMethod::teacher_ready() const {
  return teacher_loaded_ || external_teacher_ ||
         teacher_net_.updates() >= ctx_.config.method.teacher_steps;
}

void SmdMethod::set_teacher(Denoiser teacher) {
  external_teacher_ = std::move(teacher);
}

torch::Tensor SmdMethod::teacher_denoise(const torch::Tensor& x_t, const torch::Tensor& sigma) {
  torch::NoGradGuard no_grad;
  if (external_teacher_) return external_teacher_(x_t, sigma);
  return teacher_ema_->denoise(x_t, sigma);
}

torch::Tensor SmdMethod::log_ratio(const torch::Tensor& x_t, const torch::Tensor& sigma) {
  return disc_->discriminate(x_t, sigma);
}

torch::Tensor SmdMethod::mixture_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                      const PairNoise& noise) {
  auto pairs = make_mixture_pairs(x_r, x_f, noise, ctx_.sigma_data);
  auto d_p = teacher_denoise(pairs.x_t, pairs.sigma);
  auto d_fake = fake_->denoise(pairs.x_t, pairs.sigma);
  auto weight_p =
      torch::sigmoid(disc_->discriminate(pairs.x_t, pairs.sigma) + alpha_logit(pairs.alpha));
  // s_exp = D·s_p + (1 − D)·s_fake is, in denoiser terms, the same blend of D_p and D_fake.
  return pairs.loss(d_fake + weight_p * (d_p - d_fake));
}

torch::Tensor SmdMethod::score_step(const torch::Tensor& fake) {
  const int64_t b = ctx_.config.optim.batch;
  const Rng& rng = *ctx_.rng;
  auto x_r = ctx_.data->sample(b, rng);
  auto x_f = fake.defined() ? fake : gen_.draw(b);
  auto loss = mixture_loss(x_r, x_f, draw_pair_noise(b, ctx_.data->dim(), sigmas_, alphas_, rng));
  fake_net_.zero_grad();
  disc_net_.zero_grad();
  loss.backward();
  fake_net_.step();
  disc_net_.step();
  return loss.detach();
}

torch::Tensor SmdMethod::generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                             const torch::Tensor& sigma,
                                             const torch::Tensor& alpha) {
  torch::NoGradGuard no_grad;
  auto d_p = teacher_denoise(x_t, sigma);
  auto d_fake = fake_->denoise(x_t, sigma);
  auto weight_p = torch::sigmoid(disc_->discriminate(x_t, sigma) + alpha_logit(alpha));
  auto dmd = row_mean((x - d_p).abs()).clamp_min(1e-12);
  return weight_p * (d_fake - d_p) / (alpha * dmd);
}

torch::Tensor SmdMethod::gen_step(torch::Tensor& gan_loss) {
  const MethodConfig& m = ctx_.config.method;
  const int64_t b = generator_batch(ctx_.config.optim);
  const Rng& rng = *ctx_.rng;
  auto x = gen_.forward(b);
  auto sigma = sigmas_.sample(b, rng, m.gen_sigma_lo, m.gen_sigma_hi);
  auto alpha = alphas_.generator_alphas(b, rng);
  auto noise = sigma * rng.randn(x.sizes());
  auto loss = direction_loss(x, generator_direction(x.detach(), x.detach() + noise, sigma, alpha));
  auto total = loss;
  if (m.gan_lambda > 0) {
    // Eq. (11) with ℓ ≈ log p_σ/q_σ, at α = ½ (log term 0) as in SMT.
    gan_loss = torch::softplus(-disc_->discriminate(x + noise, sigma)).mean();
    total = total + m.gan_lambda * gan_loss;
  }
  gen_.step(total);
  return loss.detach();
}

torch::Tensor SmdMethod::teacher_step() {
  const int64_t b = ctx_.config.optim.batch;
  const Rng& rng = *ctx_.rng;
  auto x = ctx_.data->sample(b, rng);
  auto loss = dsm_loss(*teacher_, x, sigmas_.sample(b, rng), rng.randn(x.sizes()), ctx_.sigma_data);
  teacher_net_.zero_grad();
  loss.backward();
  teacher_net_.step();
  return loss.detach();
}

void SmdMethod::step(std::vector<torch::Tensor>& losses) {
  auto zero = torch::zeros({}, torch::TensorOptions().device(ctx_.device));
  if (!teacher_ready()) {
    losses = {teacher_step(), zero, zero, zero};
    return;
  }
  if (!fake_initialised_ && fake_net_.updates() == 0 && !external_teacher_) {
    // Alg. 2: the fake score starts as the teacher (its EMA weights, the ones that score).
    torch::NoGradGuard no_grad;
    fake_net_.params().data().copy_(teacher_net_.ema()->data());
  }
  fake_initialised_ = true;
  torch::Tensor score_loss;
  for (int64_t k = 0; k < ctx_.config.method.score_steps; ++k) score_loss = score_step();
  torch::Tensor gan = zero;
  auto gen = gen_step(gan);
  losses = {zero, score_loss, gen, gan.detach()};
}

void SmdMethod::update_hyperparams(const Config& config) {
  ctx_.config = config;
  for (TrainableNetwork* n : {&teacher_net_, &fake_net_, &disc_net_}) {
    n->optimizer().set_hyper(score_hyper(config.optim));
  }
  teacher_net_.set_ema_decay(config.optim.ema);
  gen_.update_hyperparams(config);
  sigmas_ = SigmaSampler(config.noise, ctx_.device);
  alphas_ = AlphaSampler(config.method, ctx_.device);
}

torch::Tensor SmdMethod::score(const std::string& which, const torch::Tensor& x, double sigma,
                               double alpha) {
  torch::NoGradGuard no_grad;
  auto xs = x.to(ctx_.device, torch::kFloat);
  auto s = torch::full({xs.size(0), 1}, sigma, xs.options());
  auto to_score = [&](const torch::Tensor& d) { return (d - xs) / (sigma * sigma); };
  if (which == "teacher") return to_score(teacher_denoise(xs, s));
  if (which == "fake") return to_score(fake_->denoise(xs, s));
  if (which == "mixture") {
    auto d_p = teacher_denoise(xs, s), d_fake = fake_->denoise(xs, s);
    auto w = torch::sigmoid(disc_->discriminate(xs, s) + alpha_logit(torch::full_like(s, alpha)));
    return to_score(d_fake + w * (d_p - d_fake));
  }
  throw ConfigError("smd has no score model named '" + which + "' (teacher, fake, mixture)");
}

torch::Tensor SmdMethod::generate(int64_t n, const Rng& rng) {
  return gen_.generate(n, rng);
}

}  // namespace scorelab
