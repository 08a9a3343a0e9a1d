#include "methods/method_registry.h"

#include "common/error.h"
#include "methods/dsm.h"
#include "methods/gan.h"
#include "methods/smd.h"
#include "methods/smm.h"
#include "methods/smt.h"

namespace scorelab {

namespace {
template <class M>
std::unique_ptr<Method> make(const MethodContext& context) {
  return std::make_unique<M>(context);
}
}  // namespace

const std::vector<MethodTraits>& method_registry() {
  static const std::vector<MethodTraits> registry = {
      {"dsm",
       "denoising score matching; samples by annealed Langevin",
       false,
       "score",
       "",
       {"score"},
       {"dsm"},
       {"score"},
       make<DsmMethod>},
      {"smt",
       "Score-of-Mixture Training: a one-step generator from the score of real/fake mixtures",
       true,
       "score",
       "score",
       {"score"},
       {"score", "gen", "disc", "gen_gan"},
       {"score", "gen"},
       make<SmtMethod>},
      {"smd",
       "Score-of-Mixture Distillation of a DSM teacher into a one-step generator",
       true,
       "teacher",
       "mixture",
       {"teacher", "fake", "mixture"},
       {"teacher", "score", "gen", "gen_gan"},
       {"teacher", "fake", "disc", "gen"},
       make<SmdMethod>},
      {"smm",
       "Score Mismatching: a score net that matches real and mismatches fake data",
       true,
       "",
       "",
       {"score"},
       {"score", "gen"},
       {"score", "gen"},
       make<SmmMethod>},
      {"gan",
       "the non-saturating GAN baseline with the same generator",
       true,
       "",
       "",
       {},
       {"disc", "gen"},
       {"disc", "gen"},
       make<GanMethod>},
  };
  return registry;
}

const MethodTraits& method_traits(const std::string& name) {
  std::string known;
  for (const auto& t : method_registry()) {
    if (t.name == name) return t;
    known += (known.empty() ? "" : ", ") + t.name;
  }
  throw ConfigError("method.name = \"" + name + "\" is not a known method (" + known + ")");
}

void check_sampler_fits(const MethodTraits& m, const std::string& sampler) {
  if (sampler == "onestep" && !m.has_generator) {
    throw ConfigError("sampler onestep needs a method with a generator; " + m.name +
                      " has none (use annealed or langevin)");
  }
  if ((sampler == "annealed" || sampler == "langevin") && m.data_score_model.empty()) {
    throw ConfigError("sampler " + sampler + " needs a learned data score; " + m.name +
                      " learns none (use onestep)");
  }
}

}  // namespace scorelab
