#include "app_script.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>

#include "common/error.h"
#include "compare/run_history.h"
#include "run_branch.h"
#include "script_parser.h"
#include "settings/presets.h"
#include "settings/settings.h"

namespace scorelab::ui {

namespace {

bool same_value(const std::string& key, const nlohmann::json& have, const std::string& want_text) {
  const nlohmann::json want = setting_value(key, want_text);
  if (have.is_number() && want.is_number()) {
    const double a = have.get<double>(), b = want.get<double>();
    return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
  }
  return have == want;
}

}  // namespace

ScriptRunner::ScriptRunner(std::vector<ScriptLine> lines, std::string source)
    : lines_(std::move(lines)), source_(std::move(source)) {}

void ScriptRunner::fail(const ScriptLine& l, const std::string& why) {
  error_ = source_ + ":" + std::to_string(l.line) + ": " + l.command + ": " + why;
  next_ = lines_.size();
  waiting_ = nullptr;
}

void ScriptRunner::start(ScriptHost& host, const ScriptLine& l) {
  deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(timeout_seconds_));
  if (!trainer_command(host, l) && !timing_command(host, l) && !output_command(host, l)) {
    throw ConfigError("unknown command");
  }
}

void ScriptRunner::await(const ScriptLine& l, std::future<void> request) {
  auto shared = std::make_shared<std::future<void>>(std::move(request));
  waiting_ = [this, shared, l] {
    if (!is_ready(*shared)) return false;
    const std::string why = why_refused(*shared);
    if (!why.empty()) fail(l, why);
    return true;
  };
}

bool ScriptRunner::trainer_command(ScriptHost& host, const ScriptLine& l) {
  AppContext& ctx = host.context();
  Trainer& t = ctx.trainer;
  const auto& a = l.args;
  const std::string& c = l.command;
  if (c == "preset") {
    await(l, t.replace_config(load_preset(a[0])));
  } else if (c == "load") {
    await(l, t.replace_config(load_config_file(a[0])));
  } else if (c == "set" || c == "set!") {
    await(l, t.set(a[0], a[1], c == "set!"));
  } else if (c == "save") {
    await(l, t.save_checkpoint(a[0]));
  } else if (c == "load-checkpoint") {
    await(l, t.load_checkpoint(a[0]));
  } else if (c == "drop") {
    await(l, host.open_path(a[0]));
  } else if (c == "branch") {
    await(l, branch_run(ctx, a[0], a[1]));
  } else if (c == "stroke") {
    std::vector<std::pair<double, double>> line;
    for (const auto& p : a) {
      const size_t comma = p.find(',');
      size_t used = 0;
      try {
        const double x = std::stod(p.substr(0, comma), &used);
        const double y = std::stod(p.substr(comma + 1));
        if (comma == std::string::npos || used != comma || !std::isfinite(x) || !std::isfinite(y))
          throw std::invalid_argument(p);
        line.emplace_back(x, y);
      } catch (const std::exception&) {
        throw ConfigError("stroke: \"" + p + "\" is not a point x,y");
      }
    }
    std::future<void> done = host.stroke(line);
    if (done.valid()) await(l, std::move(done));
  } else if (c == "play" || c == "resume") {
    t.resume();
  } else if (c == "pause") {
    t.pause();
  } else if (c == "reset") {
    t.reset();
  } else if (c == "step" || c == "until-step") {
    const int64_t n = parse_script_count(a[0], 0, kMaxScriptCount);
    const int64_t target = c == "step" ? ctx.snap->step + n : n;
    if (c == "step") t.step(n);
    waiting_ = [&ctx, target, stepping = c == "step"] {
      return ctx.snap->step >= target && (!stepping || ctx.snap->state != RunState::running);
    };
  } else if (c == "langevin" || c == "langevin-exact") {
    host.run_langevin(c == "langevin-exact");
    // Once the traces are in, the mode weights each sampler found (mixtures) go to stdout.
    waiting_ = [&host] {
      if (!host.langevin_ready()) return false;
      std::printf("%s", host.langevin_summary().c_str());
      std::fflush(stdout);
      return true;
    };
  } else {
    return false;
  }
  return true;
}

bool ScriptRunner::timing_command(ScriptHost& host, const ScriptLine& l) {
  const std::string& c = l.command;
  if (c == "wait") {
    const auto seconds = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(parse_script_seconds(l.args[0])));
    const auto until = Clock::now() + seconds;
    deadline_ += seconds;  // the command's timeout counts from the end of the wait
    waiting_ = [until] { return Clock::now() >= until; };
  } else if (c == "timeout") {
    timeout_seconds_ = parse_script_timeout(l.args[0]);
  } else if (c == "frames") {
    auto left = std::make_shared<int64_t>(parse_script_count(l.args[0], 1, kMaxScriptCount));
    waiting_ = [left] { return --*left <= 0; };
  } else if (c == "quit") {
    host.quit();
    next_ = lines_.size();
  } else {
    return false;
  }
  return true;
}

bool ScriptRunner::output_command(ScriptHost& host, const ScriptLine& l) {
  AppContext& ctx = host.context();
  const auto& a = l.args;
  const std::string& c = l.command;
  if (c == "screenshot" || c == "screenshot-panel") {
    if (c == "screenshot-panel" && !host.has_panel(a[0])) {
      fail(l, "no panel '" + a[0] + "' (" + host.panel_names() + ")");
      return true;
    }
    await(l, host.screenshot(c == "screenshot" ? a[0] : a[1], c == "screenshot" ? "" : a[0]));
  } else if (c == "expect") {
    const std::string key = a[0], want = a[1];
    // The snapshot may lag the Trainer by one publish: retry for a few seconds.
    const auto until = Clock::now() + std::chrono::seconds(5);
    waiting_ = [this, &ctx, key, want, until, l] {
      const nlohmann::json cfg = to_json(ctx.snap->config);
      const nlohmann::json* have = find_setting(cfg, key);
      if (!have) {
        fail(l, "no setting named " + key);
        return true;
      }
      if (same_value(key, *have, want)) return true;
      if (Clock::now() < until) return false;
      fail(l, key + " is " + have->dump() + ", expected " + want);
      return true;
    };
  } else if (c == "open-run") {
    ctx.runs.add(read_run_history(a[0]));
  } else if (c == "overlay") {
    overlay(ctx, a);
  } else if (c == "overlay-by") {
    if (a[0] != "step" && a[0] != "time") throw ConfigError("step or time, not " + a[0]);
    host.overlay_view("", a[0] == "time" ? 1 : 0);
  } else if (c == "overlay-metric") {
    host.overlay_view(a[0], -1);
  } else if (c == "print-overlay") {
    // After two frames the panel has drawn the comparison as it stands now.
    auto frames = std::make_shared<int>(2);
    waiting_ = [this, frames, &host, l] {
      if (--*frames > 0) return false;
      const auto labels = host.overlay_labels();
      if (labels.empty()) fail(l, "the curves show no comparison: no past run is overlaid");
      for (const auto& label : labels) std::printf("overlay: %s\n", label.c_str());
      std::fflush(stdout);
      return true;
    };
  } else if (c == "save-samples") {
    // The panel may not have its first samples yet: retry for a while.
    const std::string path = a[0];
    waiting_ = [this, &host, path, l] {
      try {
        host.save_samples_csv(path);
        return true;
      } catch (const ConfigError&) {
        return false;  // none yet; the command's timeout names it if they never come
      } catch (const std::exception& e) {
        fail(l, error_message(e));
        return true;
      }
    };
  } else if (c == "print-stats") {
    std::printf("%s\n", host.stats_line().c_str());
    std::fflush(stdout);
  } else if (c == "print") {
    const nlohmann::json cfg = to_json(ctx.snap->config);
    const nlohmann::json* have = find_setting(cfg, a[0]);
    if (!have) throw ConfigError("no setting named " + a[0]);
    std::printf("%s = %s\n", a[0].c_str(), have->dump().c_str());
    std::fflush(stdout);
  } else {
    return false;
  }
  return true;
}

void ScriptRunner::overlay(AppContext& ctx, const std::vector<std::string>& which) {
  auto& runs = ctx.runs.runs();
  if (which.size() == 1 && (which[0] == "all" || which[0] == "none")) {
    for (auto& r : runs) r.shown = which[0] == "all";
    return;
  }
  for (auto& r : runs) r.shown = false;
  for (const auto& w : which) {
    bool found = false;
    for (auto& r : runs) {
      if (std::to_string(r.number) == w) r.shown = found = true;
    }
    if (!found) {
      std::string have;
      for (const auto& r : runs) have += (have.empty() ? "" : ", ") + std::to_string(r.number);
      throw ConfigError("no past run " + w + " (have: " + (have.empty() ? "none" : have) + ")");
    }
  }
}

bool ScriptRunner::tick(ScriptHost& host) {
  while (true) {
    if (waiting_) {
      const ScriptLine& l = lines_[next_ - 1];
      if (!waiting_()) {
        if (Clock::now() > deadline_) {
          std::ostringstream limit;
          limit << timeout_seconds_;
          fail(l, "did not finish within " + limit.str() + " s (the script's `timeout`)");
          return false;
        }
        return true;
      }
      waiting_ = nullptr;
      if (failed()) return false;
    }
    if (next_ >= lines_.size()) return false;
    const ScriptLine& l = lines_[next_++];
    try {
      start(host, l);
    } catch (const std::exception& e) {
      fail(l, error_message(e));
      return false;
    }
    if (failed()) return false;
  }
}

}  // namespace scorelab::ui
