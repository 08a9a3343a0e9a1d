#include "train/replicated_commands.h"

#include "common/error.h"
#include "settings/settings.h"

namespace scorelab {

namespace {

using nlohmann::json;

struct ToJson {
  json operator()(const cmd::Resume&) const { return {{"k", "resume"}}; }
  json operator()(const cmd::Pause&) const { return {{"k", "pause"}}; }
  json operator()(const cmd::Step& s) const { return {{"k", "step"}, {"n", s.n}}; }
  json operator()(const cmd::Reset&) const { return {{"k", "reset"}}; }
  json operator()(const cmd::Set& s) const {
    return {{"k", "set"},
            {"key", s.key},
            {"text", s.text},
            {"partial", s.partial},
            {"allow_reset", s.allow_reset}};
  }
  json operator()(const cmd::Replace& r) const {
    return {{"k", "replace"}, {"config", to_json(r.config)}};
  }
  json operator()(const cmd::Save& s) const { return {{"k", "save"}, {"path", s.path}}; }
  json operator()(const cmd::Load& l) const { return {{"k", "load"}, {"path", l.path}}; }
  json operator()(const cmd::InjectNan&) const { return {{"k", "nan"}}; }
  json operator()(const Probe&) const { return nullptr; }
};

template <class T>
Promise<T> nobody_waits() {
  return std::make_shared<std::promise<T>>();
}

}  // namespace

json replicated_json(const std::deque<Command>& batch) {
  json out = json::array();
  for (const auto& c : batch) {
    json j = std::visit(ToJson{}, c);
    if (!j.is_null()) out.push_back(std::move(j));
  }
  return out;
}

std::vector<Command> commands_from_json(const json& array) {
  std::vector<Command> out;
  for (const auto& j : array) {
    const std::string k = j.at("k").get<std::string>();
    if (k == "resume") {
      out.emplace_back(cmd::Resume{});
    } else if (k == "pause") {
      out.emplace_back(cmd::Pause{});
    } else if (k == "step") {
      out.emplace_back(cmd::Step{j.at("n").get<int64_t>()});
    } else if (k == "reset") {
      out.emplace_back(cmd::Reset{});
    } else if (k == "set") {
      out.emplace_back(cmd::Set{j.at("key").get<std::string>(), j.at("text").get<std::string>(),
                                j.at("partial"), j.at("allow_reset").get<bool>(),
                                nobody_waits<void>()});
    } else if (k == "replace") {
      out.emplace_back(cmd::Replace{merge_json(Config{}, j.at("config"), "rank 0's config"),
                                    nobody_waits<void>()});
    } else if (k == "save") {
      out.emplace_back(cmd::Save{j.at("path").get<std::string>(), nobody_waits<void>()});
    } else if (k == "load") {
      out.emplace_back(cmd::Load{j.at("path").get<std::string>(), nobody_waits<void>()});
    } else if (k == "nan") {
      out.emplace_back(cmd::InjectNan{});
    } else {
      throw std::runtime_error("unknown command from rank 0: " + k);
    }
  }
  return out;
}

}  // namespace scorelab
