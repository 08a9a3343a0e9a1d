// The method registry is the one list of methods: the schema offers its names, and every method
// built from it is what its traits say (losses, networks, generator, scores).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "methods/method_registry.h"
#include "methods/one_step_method.h"
#include "settings/settings.h"
#include "train/run_parts.h"

using namespace scorelab;

namespace {

Config small(const std::string& method) {
  Config c;
  c.data.name = "gauss8";
  c.method.name = method;
  c.method.teacher_steps = 2;
  c.method.score_steps = 1;
  c.model.hidden = c.model.gen_hidden = c.model.disc_hidden = 16;
  c.optim.batch = 16;
  c.run.device = "cpu";
  c.sampler.kind = "auto";
  return c;
}

}  // namespace

TEST(MethodRegistry, SchemaOffersExactlyTheRegisteredMethods) {
  const FieldInfo* f = find_field("method.name");
  ASSERT_NE(f, nullptr);
  std::vector<std::string> registered;
  for (const auto& m : method_registry()) registered.push_back(m.name);
  EXPECT_EQ(f->options, registered);
  EXPECT_THROW(method_traits("nope"), ConfigError);
}

TEST(MethodRegistry, EveryMethodIsWhatItsTraitsSay) {
  for (const auto& traits : method_registry()) {
    SCOPED_TRACE(traits.name);
    RunParts run = build_run(small(traits.name));
    Method& m = *run.method;
    EXPECT_EQ(m.name(), traits.name);
    EXPECT_EQ(m.has_generator(), traits.has_generator);
    std::vector<std::string> nets;
    for (auto* n : m.networks()) nets.push_back(n->name());
    EXPECT_EQ(nets, traits.networks);
    std::vector<torch::Tensor> losses;
    for (int i = 0; i < 4; ++i) m.step(losses);  // past SMD's 2 teacher steps
    EXPECT_EQ(losses.size(), traits.loss_names.size());
    const auto x = torch::zeros({3, 2});
    for (const auto& model : m.score_models()) {
      EXPECT_EQ(m.score(model, x, 0.5, 0.5).sizes(), x.sizes()) << model;
    }
    EXPECT_THROW(m.score("no-such-model", x, 0.5), ConfigError);
    if (!traits.data_score_model.empty()) {
      const auto models = m.score_models();
      EXPECT_NE(std::find(models.begin(), models.end(), traits.data_score_model), models.end());
    }
  }
}

// Bug: SMM's generator step drew optim.batch samples and ignored optim.gen_batch. Every one-step
// method now takes its generator batch in the shared skeleton.
TEST(MethodRegistry, EveryGeneratorUpdateUsesTheGeneratorBatch) {
  for (const auto& traits : method_registry()) {
    if (!traits.has_generator) continue;
    SCOPED_TRACE(traits.name);
    Config c = small(traits.name);
    c.optim.gen_batch = 5;
    RunParts run = build_run(c);
    auto* m = dynamic_cast<OneStepMethod*>(run.method.get());
    ASSERT_NE(m, nullptr);
    std::vector<torch::Tensor> losses;
    for (int i = 0; i < 4; ++i) m->step(losses);
    EXPECT_EQ(m->last_generator_batch(), 5);
  }
}

// What the schema and relation checks accept, a method never refuses later.
TEST(MethodRegistry, ValidationRefusesWhatAMethodCouldNot) {
  Config c = small("smt");
  c.method.alpha_sampler = "fixed";
  c.method.alpha_fixed = {0};
  EXPECT_THROW(validate(c), ConfigError);
  c.method.alpha_fixed = {0, 1};
  EXPECT_NO_THROW(validate(c));
  Config g = small("gan");
  g.sampler.kind = "annealed";
  EXPECT_THROW(validate(g), ConfigError);
  Config d = small("dsm");
  d.sampler.kind = "onestep";
  EXPECT_THROW(validate(d), ConfigError);
}

// model.gen_leak reaches the MLP generator: with slope 0 it is exactly a ReLU network.
TEST(MethodRegistry, GeneratorMlpUsesTheConfiguredSlope) {
  for (const double leak : {0.0, 0.2}) {
    SCOPED_TRACE(leak);
    Config c = small("smt");
    c.model.gen_leak = leak;
    RunParts run = build_run(c);
    auto* m = dynamic_cast<OneStepMethod*>(run.method.get());
    ASSERT_NE(m, nullptr);
    auto z = torch::randn({64, 2});
    auto h = z;
    const auto params = m->generator()->named_parameters();
    const int64_t layers = c.model.gen_layers;
    for (int64_t i = 0; i <= layers; ++i) {
      const std::string l = "layer" + std::to_string(i);
      h = torch::nn::functional::linear(h, params[l + ".weight"], params[l + ".bias"]);
      if (i < layers) h = torch::where(h > 0, h, leak * h);
    }
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(m->generator()->generate_rows(z), h, 1e-5, 1e-6));
  }
}
