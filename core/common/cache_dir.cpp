#include "common/cache_dir.h"

#include <cstdlib>
#include <filesystem>

namespace scorelab {

std::string cache_dir() {
  if (const char* d = std::getenv("SCORELAB_CACHE")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME")) return std::string(x) + "/scorelab";
  if (const char* h = std::getenv("HOME")) return std::string(h) + "/.cache/scorelab";
  return (std::filesystem::temp_directory_path() / "scorelab-cache").string();
}

}  // namespace scorelab
