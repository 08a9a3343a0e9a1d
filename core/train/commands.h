#pragma once
// The commands callers post to the Trainer's worker, applied between steps in the order posted.
// Those with an answer carry the promise their caller's future waits on; probes (train/
// probe_worker.h) go on to the probe thread with a copy of the model.
#include <nlohmann/json.hpp>

#include <future>
#include <memory>
#include <string>
#include <variant>

#include "config/config.h"
#include "train/probe_worker.h"

namespace scorelab {

template <class T>
using Promise = std::shared_ptr<std::promise<T>>;

namespace cmd {
struct Resume {};
struct Pause {};
struct Step {
  int64_t n;
};
struct Reset {};
struct Set {
  std::string key, text;   // one setting as text (setting_value), or
  nlohmann::json partial;  // a partial config, when key is empty
  bool allow_reset;
  Promise<void> done;
};
struct Replace {
  Config config;
  Promise<void> done;
};
struct Save {
  std::string path;
  Promise<void> done;
};
struct Load {
  std::string path;
  Promise<void> done;
};
struct InjectNan {};
}  // namespace cmd

using Command = std::variant<cmd::Resume, cmd::Pause, cmd::Step, cmd::Reset, cmd::Set, cmd::Replace,
                             cmd::Save, cmd::Load, Probe, cmd::InjectNan>;

// A probe travels as one alternative, whichever its kind.
inline Command to_command(FieldJob j) {
  return Probe(std::move(j));
}
inline Command to_command(SampleJob j) {
  return Probe(std::move(j));
}
inline Command to_command(LangevinJob j) {
  return Probe(std::move(j));
}
template <class C>
Command to_command(C c) {
  return c;
}

}  // namespace scorelab
