#pragma once
// A scratch folder for one test, removed at the end.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace scorelab::testing {

// PyTorch's CUDA wheels export their own copy of std::filesystem::remove_all, which crashes when
// called from outside (seen with libtorch 2.11); test folders are removed with rm instead.
inline void remove_tree(const std::filesystem::path& dir) {
  const std::string cmd = "rm -rf '" + dir.string() + "'";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
}

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("scorelab-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { remove_tree(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace scorelab::testing
