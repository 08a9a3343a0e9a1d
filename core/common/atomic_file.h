#pragma once
// Writes a file so that a reader (or a crash) never sees it half-written: the bytes go to a
// temporary file beside the target, which is flushed and then renamed over it.
#include <functional>
#include <ostream>
#include <string>

namespace scorelab {

// Calls write(stream) on a temporary file and renames it to path. On any failure the temporary
// file is removed, the old file at path (if any) is left untouched, and IoError names the path.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);

// Same, for bytes already in memory.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Reads a whole file; IoError names the path when it cannot.
std::string read_file(const std::string& path);

// Creates a directory and its parents; IoError names it when that fails.
void make_dirs(const std::string& dir);

}  // namespace scorelab
