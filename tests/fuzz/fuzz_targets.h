#pragma once
// What each reader must do with any bytes at all: return a value, or refuse with one of
// scorelab's own errors (ConfigError, IoError, CheckpointError) — never crash, hang, allocate
// without bound, or let another exception through. Shared by the libFuzzer harness
// (fuzz_main.cpp, `make fuzz`) and the suite's replay of the stored inputs
// (fuzz_replay_test.cpp), so a crash found once stays fixed.
#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "compare/run_history.h"
#include "data/idx_file.h"
#include "data/image_folder.h"
#include "data/image_set_loaders.h"
#include "data/point_file.h"
#include "metrics/frechet_distance.h"
#include "script_parser.h"
#include "settings/settings.h"
#include "train/checkpoint.h"

namespace scorelab::fuzz {

// Runs `read`; scorelab's refusals are the expected outcome of most inputs.
inline void refused_or_read(const std::function<void()>& read) {
  try {
    read();
  } catch (const ConfigError&) {
  } catch (const IoError&) {
  } catch (const CheckpointError&) {
  }
}

inline std::vector<uint8_t> as_bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Reader name → what it does with a file's bytes.
inline const std::map<std::string, std::function<void(const std::string&)>>& targets() {
  static const std::map<std::string, std::function<void(const std::string&)>> t = {
      {"checkpoint", [](const std::string& b) { parse_checkpoint(b, "fuzz.ckpt"); }},
      {"config", [](const std::string& b) { parse_config_text(b, "fuzz.json"); }},
      // --set values: one key=value a line, applied in order on the defaults.
      {"settings",
       [](const std::string& b) {
         std::vector<std::string> sets;
         std::istringstream in(b);
         for (std::string line; std::getline(in, line);) sets.push_back(line);
         apply_settings(Config{}, sets);
       }},
      {"idx",
       [](const std::string& b) { parse_idx(maybe_gunzip(as_bytes(b), "fuzz.idx"), "fuzz.idx"); }},
      {"cifar",
       [](const std::string& b) {
         parse_cifar10_batch(maybe_gunzip(as_bytes(b), "fuzz.bin"), "fuzz.bin");
       }},
      {"features", [](const std::string& b) { parse_feature_csv(b, "fuzz.csv"); }},
      {"points",
       [](const std::string& b) {
         if (b.rfind("\x93NUMPY", 0) == 0) {
           parse_npy(b, "fuzz.npy");
         } else {
           parse_point_text(b, "fuzz.csv");
         }
       }},
      {"script", [](const std::string& b) { ui::parse_script(b, "fuzz.txt"); }},
      // A run folder's metrics.csv (dropped on the app, compared, resumed).
      {"runs",
       [](const std::string& b) {
         RunHistory h;
         parse_metrics_csv(b, "fuzz/metrics.csv", h);
       }},
      // One file of an image folder, as gray and as RGB at the default size.
      {"image",
       [](const std::string& b) {
         std::vector<unsigned char> px(3 * 32 * 32);
         decode_image(b, 1, 32, px.data());
         decode_image(b, 3, 32, px.data());
       }},
  };
  return t;
}

}  // namespace scorelab::fuzz
