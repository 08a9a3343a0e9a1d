#pragma once
// A folder of the user's own images (PNG, JPEG, BMP, searched recursively) as an image set:
// decoded with stb_image, scaled so the shorter side is `size` and centre-cropped to a square,
// gray or RGB. The decoded set is cached (keyed by the files' names, sizes and times and the
// options), so a second run starts at once.
#include <cstdint>
#include <string>
#include <vector>

#include "data/image_set_loaders.h"

namespace scorelab {

struct ImageFolderOptions {
  std::string path;
  int64_t size = 32;
  std::string channels = "auto";  // gray, rgb, or auto: gray when every pixel has R = G = B
  std::string cache_dir;          // "" = no cache
};

struct ImageFolder {
  ImageSet set;                      // images [N, C, size, size] in [-1, 1]
  std::vector<std::string> skipped;  // "file: why" for each file left out
  bool from_cache = false;
};

// Throws IoError when the folder is missing or no image in it can be read (listing why).
ImageFolder load_image_folder(const ImageFolderOptions& options);

// One image file's bytes (PNG, JPEG or BMP, known by its first bytes), scaled so the shorter
// side is `size` and centre-cropped, into `dst` as channels (1 or 3) × size × size bytes.
// Returns "" or why the image cannot be used (never throws for the bytes themselves).
std::string decode_image(const std::string& bytes, int channels, int64_t size, unsigned char* dst);

// The image files under `dir` (by extension, case-insensitive), sorted.
std::vector<std::string> list_image_files(const std::string& dir);

// "3 files skipped: a.png: not an image; b.jpg: ..." (the first few, then a count).
std::string skipped_summary(const std::vector<std::string>& skipped);

}  // namespace scorelab
