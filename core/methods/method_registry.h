#pragma once
// The one list of training methods: each method's name, what it has (a generator, a data score,
// an α-mixture score), the losses and networks it reports, and how to build it. The schema's
// method.name choices (through settings/settings.h), validation, the CLI, the app and the
// tests all read it.
//
// Adding a method: its own methods/NAME.h/.cpp (a OneStepMethod holds only its losses), one entry
// in method_registry.cpp, its settings in config/config_schema.h, a preset in assets/presets/,
// and a test.
#include <memory>
#include <string>
#include <vector>

namespace scorelab {

class Method;
struct MethodContext;

struct MethodTraits {
  std::string name;     // method.name
  std::string summary;  // one line for help texts
  bool has_generator = false;
  std::string data_score_model;           // the model estimating ∇log p_σ (Langevin); "" = none
  std::string mixture_score_model;        // the model of the α-mixture score; "" = none
  std::vector<std::string> score_models;  // what Method::score can evaluate
  std::vector<std::string> loss_names;    // what Method::step reports, in order
  std::vector<std::string> networks;      // its trainable networks, in checkpoint order
  std::unique_ptr<Method> (*make)(const MethodContext&) = nullptr;
};

// Every method, in the order the app offers them.
const std::vector<MethodTraits>& method_registry();
// Throws ConfigError naming the known methods when `name` is not one.
const MethodTraits& method_traits(const std::string& name);

// Throws ConfigError when `sampler` (a sampler.kind; "auto" always fits) cannot sample `method`:
// onestep needs a generator, annealed and langevin a learned data score.
void check_sampler_fits(const MethodTraits& method, const std::string& sampler);

}  // namespace scorelab
