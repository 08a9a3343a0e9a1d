#include "methods/smd.h"

#include <torch/torch.h>

#include "common/phase_timer.h"
#include "common/rng.h"
#include "data/dataset.h"
#include "methods/dsm.h"
#include "methods/network_factory.h"
#include "methods/smt.h"

namespace scorelab {

namespace {
constexpr uint64_t kSmdTeacherSeed = 0, kSmdFakeSeed = 300, kSmdDiscSeed = 400, kSmdGenSeed = 500;

// log(α/(1−α)); ±inf at α = 0 and 1, where sigmoid(ℓ ± inf) is exactly 0 or 1.
torch::Tensor alpha_logit(const torch::Tensor& alpha) {
  return alpha.log() - (1.0 - alpha).log();
}
}  // namespace

SmdMethod::SmdMethod(const MethodContext& context)
    : OneStepMethod(context, kSmdGenSeed, "score"),
      teacher_(make_score_net(context, {kSmdTeacherSeed})),
      teacher_ema_(make_score_net(context, {kSmdTeacherSeed})),
      fake_(make_score_net(context, {kSmdFakeSeed})),
      disc_(make_discriminator(context, true, kSmdDiscSeed)),
      teacher_net_("teacher", teacher_, score_hyper(context.config)),
      fake_net_("fake", fake_, score_hyper(context.config, context.config.method.score_steps)),
      disc_net_("disc", disc_, score_hyper(context.config, context.config.method.score_steps)),
      sigmas_(context.config.noise, context.device),
      alphas_(context.config.method, context.device) {
  teacher_net_.attach_ema(teacher_ema_, context.config.optim.ema);
  if (context.teacher) {
    restore_network(*context.teacher, teacher_net_,
                    "method.teacher " + context.config.method.teacher);
    teacher_loaded_ = true;
  }
}

bool SmdMethod::teacher_ready() const {
  return teacher_loaded_ || external_teacher_ ||
         teacher_net_.updates() >= config().method.teacher_steps;
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

torch::Tensor SmdMethod::real_weight(const torch::Tensor& x_t, const torch::Tensor& sigma,
                                     const torch::Tensor& alpha) {
  return torch::sigmoid(disc_->discriminate(x_t, sigma) + alpha_logit(alpha));
}

torch::Tensor SmdMethod::mixture_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                      const PairNoise& noise) {
  auto pairs = make_mixture_pairs(x_r, x_f, noise, context().sigma_data);
  auto d_p = teacher_denoise(pairs.x_t, pairs.sigma);
  auto d_fake = fake_->denoise(pairs.x_t, pairs.sigma);
  auto weight_p = real_weight(pairs.x_t, pairs.sigma, pairs.alpha);
  // s_exp = D·s_p + (1 − D)·s_fake is, in denoiser terms, the same blend of D_p and D_fake.
  return pairs.loss(d_fake + weight_p * (d_p - d_fake));
}

torch::Tensor SmdMethod::critic_loss(const torch::Tensor& x_r, const torch::Tensor& x_f, LossRow&) {
  return mixture_loss(x_r, x_f, draw_pair_noise(x_r.size(0), x_r.size(1), sigmas_, alphas_, rng()));
}

torch::Tensor SmdMethod::generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                             const torch::Tensor& sigma,
                                             const torch::Tensor& alpha) {
  PhaseScope timed(timer(), "direction");
  torch::NoGradGuard no_grad;
  auto d_p = teacher_denoise(x_t, sigma);
  auto d_fake = fake_->denoise(x_t, sigma);
  auto weight_p = real_weight(x_t, sigma, alpha);
  auto dmd = dmd_weight(x - d_p, sigma, config().method.dmd_weight).clamp_min(1e-12);
  return weight_p * (d_fake - d_p) / (alpha * dmd);
}

torch::Tensor SmdMethod::generator_loss(const torch::Tensor& x, LossRow& row) {
  const MethodConfig& m = config().method;
  const int64_t b = x.size(0);
  auto sigma = sigmas_.sample(b, rng(), m.gen_sigma_lo, m.gen_sigma_hi);
  auto alpha = alphas_.generator_alphas(b, rng());
  auto noise = sigma * rng().randn(x.sizes());
  auto loss = direction_loss(x, generator_direction(x.detach(), x.detach() + noise, sigma, alpha));
  row.set("gen", loss);
  if (m.gan_lambda <= 0) return loss;
  PhaseScope timed(timer(), "gan");
  // Eq. (11) with ℓ ≈ log p_σ/q_σ, at α = ½ (log term 0) as in SMT.
  auto gan_loss = torch::softplus(-disc_->discriminate(x + noise, sigma)).mean();
  row.set("gen_gan", gan_loss);
  return loss + m.gan_lambda * gan_loss;
}

std::string SmdMethod::phase() const {
  std::string p = OneStepMethod::phase();
  if (p.empty() && !teacher_ready()) {
    p = "training the teacher: step " + std::to_string(teacher_net_.updates()) + "/" +
        std::to_string(config().method.teacher_steps);
  }
  return p;
}

std::string SmdMethod::phase_kind() const {
  return teacher_ready() ? "" : "teacher";
}

bool SmdMethod::phase_step(LossRow& row) {
  if (!teacher_ready()) {
    set_phase(timer(), "teacher");
    PhaseScope timed(timer(), "critic");
    const int64_t b = config().optim.batch;
    auto x = context().data->sample(b, rng());
    auto loss = dsm_loss(*teacher_, x, sigmas_.sample(b, rng()), rng().randn(x.sizes()),
                         context().sigma_data);
    teacher_net_.zero_grad();
    loss.backward();
    teacher_net_.step();
    row.set("teacher", loss);
    return true;
  }
  if (!fake_initialised_ && fake_net_.updates() == 0 && !external_teacher_) {
    // Alg. 2: the fake score starts as the teacher (its EMA weights, the ones that score).
    torch::NoGradGuard no_grad;
    fake_net_.params().data().copy_(teacher_net_.ema()->data());
  }
  fake_initialised_ = true;
  return false;
}

void SmdMethod::apply_hyperparams(const Config& config) {
  teacher_net_.optimizer().set_hyper(score_hyper(config));
  teacher_net_.set_ema_decay(config.optim.ema);
  sigmas_ = SigmaSampler(config.noise, device());
  alphas_ = AlphaSampler(config.method, device());
}

torch::Tensor SmdMethod::score_of(const ScoreQuery& q) {
  if (q.which == "teacher") return denoiser_score(teacher_denoise(q.x, q.sigma_column), q);
  if (q.which == "fake") return denoiser_score(fake_->denoise(q.x, q.sigma_column), q);
  auto d_p = teacher_denoise(q.x, q.sigma_column), d_fake = fake_->denoise(q.x, q.sigma_column);
  auto w = real_weight(q.x, q.sigma_column, torch::full_like(q.sigma_column, q.alpha));
  return denoiser_score(d_fake + w * (d_p - d_fake), q);
}

}  // namespace scorelab
