#pragma once
// The one list of data sources: each data.name with what it gives (points or images), what
// data.path must name, whether its exact score is known, and how to load it. The settings'
// data.name choices and checks, make_dataset, the app's drop handling and the tests read it.
//
// Adding a data source: its data/NAME.h/.cpp (a Dataset and a loader), one entry in
// data_sources.cpp, and a test.
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace scorelab {

class Dataset;
struct DataConfig;

enum class DataKind { points, images };

struct DataSource {
  std::string name;  // data.name
  DataKind kind = DataKind::points;
  // What data.path must name when the source needs one ("" = it needs none; fashion-mnist
  // takes an optional folder).
  std::string needs_path;
  // Why data.pad32 is refused ("" = it is not: 28x28 sets pad to 32x32, others ignore it).
  std::string refuses_pad32;
  // Whether the exact score at every σ is known in closed form (a Gaussian mixture, or a
  // finite set of points, its own empirical mixture); otherwise "exact" probes use an empirical
  // mixture of reference samples.
  bool exact_score = false;
  std::unique_ptr<Dataset> (*load)(const DataConfig& config, torch::Device device) = nullptr;
};

// Every data source, in the order the settings offer them: toy sets, image sets, own files.
const std::vector<DataSource>& data_sources();
// Throws ConfigError naming the known sources when `name` is not one.
const DataSource& data_source(const std::string& name);
// Whether `name` is a data source of images (false for an unknown name).
bool is_image_data(const std::string& name);

// Throws ConfigError when the data settings do not fit their source: a path it needs, or
// data.pad32 where it is refused.
void check_data_config(const DataConfig& config);

}  // namespace scorelab
