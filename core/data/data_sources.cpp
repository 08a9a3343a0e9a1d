#include "data/data_sources.h"

#include "common/error.h"
#include "config/config.h"
#include "data/image_dataset.h"
#include "data/point_set.h"
#include "data/toy_datasets.h"

namespace scorelab {

namespace {

// A toy set takes no settings.
template <std::unique_ptr<ToyDataset> (*Make)()>
std::unique_ptr<Dataset> toy(const DataConfig&, torch::Device) {
  return Make();
}

template <class D, std::unique_ptr<D> (*Load)(const DataConfig&, torch::Device)>
std::unique_ptr<Dataset> as_dataset(const DataConfig& c, torch::Device device) {
  return Load(c, device);
}

constexpr DataKind P = DataKind::points, I = DataKind::images;

}  // namespace

const std::vector<DataSource>& data_sources() {
  static const std::vector<DataSource> sources = {
      // data.name, kind (P points, I images), the data.path it needs, why pad32 is refused,
      // whether its exact score is known, its loader
      {"swissroll", P, "", "", false, toy<make_swissroll>},
      {"gauss8", P, "", "", true, toy<make_gauss8>},
      {"gauss25", P, "", "", true, toy<make_gauss25>},
      {"twomodes", P, "", "", true, toy<make_twomodes>},
      {"circle", P, "", "", false, toy<make_circle>},
      {"moons", P, "", "", false, toy<make_moons>},
      {"checkerboard", P, "", "", false, toy<make_checkerboard>},
      {"fashion-mnist", I, "", "", false, as_dataset<ImageDataset, load_fashion_mnist_set>},
      {"mnist-idx", I, "an IDX file", "", false, as_dataset<ImageDataset, load_mnist_idx_set>},
      {"cifar10", I, "the folder of batches", "CIFAR-10 is 32x32 already", false,
       as_dataset<ImageDataset, load_cifar10_set>},
      {"points", P, "a CSV/TSV or .npy file of points", "", true,
       as_dataset<PointSetDataset, load_point_dataset>},
      {"image-folder", I, "a folder of PNG/JPEG/BMP images", "", false,
       as_dataset<ImageDataset, load_image_folder_set>},
  };
  return sources;
}

const DataSource& data_source(const std::string& name) {
  for (const auto& s : data_sources())
    if (s.name == name) return s;
  std::string known;
  for (const auto& s : data_sources()) known += (known.empty() ? "" : ", ") + s.name;
  throw ConfigError("data.name = \"" + name + "\" is not one of: " + known);
}

bool is_image_data(const std::string& name) {
  for (const auto& s : data_sources())
    if (s.name == name) return s.kind == DataKind::images;
  return false;
}

void check_data_config(const DataConfig& c) {
  const DataSource& s = data_source(c.name);
  if (!s.needs_path.empty() && c.path.empty()) {
    throw ConfigError("data.name = " + c.name + " needs data.path (" + s.needs_path + ")");
  }
  if (!s.refuses_pad32.empty() && c.pad32) {
    throw ConfigError("data.pad32 is for 28x28 images; " + s.refuses_pad32);
  }
}

}  // namespace scorelab
