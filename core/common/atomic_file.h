#pragma once
// Writes a file so that a reader (or a crash) never sees it half-written: the bytes go to a
// temporary file beside the target, which is flushed and then renamed over it.
#include <cstdint>
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

// The largest file read_file takes unless told otherwise: more than any config, script or
// checkpoint here, less than would exhaust memory.
constexpr int64_t kMaxReadBytes = int64_t{4} << 30;

// Reads a whole regular file of at most max_bytes. IoError names the path when it cannot, and
// refuses before reading anything what is not a regular file (a directory, /dev/zero, a FIFO)
// or what is larger than max_bytes.
std::string read_file(const std::string& path, int64_t max_bytes = kMaxReadBytes);

// The size of a regular file, with read_file's refusals (also for readers that stream it).
int64_t regular_file_size(const std::string& path, int64_t max_bytes = kMaxReadBytes);

// Creates a directory and its parents; IoError names it when that fails.
void make_dirs(const std::string& dir);

}  // namespace scorelab
