#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace scorelab {

namespace fs = std::filesystem;

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  const fs::path target(path);
  if (target.has_parent_path() && !fs::exists(target.parent_path())) {
    throw IoError("cannot write " + path + ": directory " + target.parent_path().string() +
                  " does not exist");
  }
  const std::string tmp = path + ".tmp";
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot write " + path + ": " + std::strerror(errno));
    write(out);
    out.flush();
    if (!out) throw IoError("cannot write " + path + ": write failed (disk full?)");
    out.close();
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) throw IoError("cannot write " + path + ": rename failed: " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), bytes.size()); });
}

namespace {

std::string size_text(int64_t bytes) {
  char buf[32];
  if (bytes >= (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / double(1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  }
  return buf;
}

// Closes the descriptor when the read ends, however it ends.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens without blocking (a FIFO with no writer would wait forever) and checks the open file
// itself, so what is checked is what is read.
int64_t checked_size(int fd, const std::string& path, int64_t max_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw IoError("cannot read " + path + ": it is a directory");
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISCHR(st.st_mode)    ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    throw IoError("cannot read " + path + ": it is " + kind + ", not a regular file");
  }
  if (st.st_size > max_bytes) {
    throw IoError("cannot read " + path + ": " + size_text(st.st_size) + " is more than the " +
                  size_text(max_bytes) + " such a file may hold");
  }
  return st.st_size;
}

int open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) throw IoError("cannot read " + path + ": no such file");
  if (fd < 0) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

int64_t regular_file_size(const std::string& path, int64_t max_bytes) {
  FdCloser fd{open_for_reading(path)};
  return checked_size(fd.fd, path, max_bytes);
}

std::string read_file(const std::string& path, int64_t max_bytes) {
  FdCloser fd{open_for_reading(path)};
  const int64_t size = checked_size(fd.fd, path, max_bytes);
  std::string bytes(static_cast<size_t>(size), '\0');
  int64_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd.fd, bytes.data() + done, static_cast<size_t>(size - done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;  // shrank while being read
    done += n;
  }
  bytes.resize(static_cast<size_t>(done));
  return bytes;
}

void make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError("cannot create directory " + dir + ": " + ec.message());
}

}  // namespace scorelab
