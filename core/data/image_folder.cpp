#include "data/image_folder.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "common/atomic_file.h"
#include "common/checksum.h"
#include "common/error.h"
#include "data/image_decoders.h"

#ifdef SCORELAB_HAVE_STB
#include <stb_image.h>
#include <stb_image_resize.h>
#endif

namespace scorelab {

namespace fs = std::filesystem;

namespace {

constexpr char kCacheMagic[8] = {'S', 'L', 'I', 'M', 'G', 'F', '1', '\n'};
constexpr int64_t kMaxPixels = int64_t{1} << 26;  // 64 Mpixels: a 8192² photo fits

bool has_image_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp";
}

uint64_t folder_key(const ImageFolderOptions& o, const std::vector<std::string>& files) {
  std::string s = fs::absolute(o.path).lexically_normal().string() + "|" + std::to_string(o.size) +
                  "|" + o.channels + "|v3";
  for (const auto& f : files) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    const auto time = fs::last_write_time(f, ec).time_since_epoch().count();
    s += "|" + f + ":" + std::to_string(size) + ":" + std::to_string(time);
  }
  return fnv1a64(s.data(), s.size());
}

std::string cache_file(const ImageFolderOptions& o, uint64_t key) {
  return o.cache_dir + "/image-folder-" + hex64(key) + ".bin";
}

// The cached decode, or nothing when it is missing or does not read back whole.
bool read_cache(const std::string& path, ImageFolder& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char magic[8];
  int64_t dims[4];
  if (!in.read(magic, 8) || std::memcmp(magic, kCacheMagic, 8) != 0) return false;
  if (!in.read(reinterpret_cast<char*>(dims), sizeof dims)) return false;
  for (int64_t d : dims)
    if (d < 1 || d > (int64_t{1} << 31)) return false;
  if (dims[2] * dims[3] > kMaxPixels || dims[0] > kMaxPixels / (dims[1] * dims[2] * dims[3])) {
    return false;
  }
  auto pixels = torch::empty({dims[0], dims[1], dims[2], dims[3]}, torch::kUInt8);
  if (!in.read(reinterpret_cast<char*>(pixels.data_ptr()), pixels.numel())) return false;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.skipped.push_back(line);
  out.set.images = pixels.to(torch::kFloat).div_(127.5).sub_(1.0);
  out.from_cache = true;
  return true;
}

void write_cache(const std::string& path, const torch::Tensor& pixels,
                 const std::vector<std::string>& skipped) {
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kCacheMagic, 8);
    const int64_t dims[4] = {pixels.size(0), pixels.size(1), pixels.size(2), pixels.size(3)};
    out.write(reinterpret_cast<const char*>(dims), sizeof dims);
    out.write(reinterpret_cast<const char*>(pixels.data_ptr()), pixels.numel());
    for (const auto& s : skipped) out << s << '\n';
  });
}

#ifdef SCORELAB_HAVE_STB
struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};
#endif

// An image file is read whole before decoding; larger ones are left out unread.
constexpr int64_t kMaxImageFileBytes = int64_t{256} << 20;

// The file's decode into `dst`, or why it was left out.
std::string read_and_decode(const std::string& file, int channels, int64_t size,
                            unsigned char* dst) {
  std::string bytes;
  try {
    bytes = read_file(file, kMaxImageFileBytes);
  } catch (const IoError& e) {
    return e.what();
  }
  return decode_image(bytes, channels, size, dst);
}

// No format read here packs more than ~1032 decoded bytes into one file byte (deflate's limit):
// a header claiming more pixels describes data the file does not hold, which a decoder would
// fill with zeros, slowly (an 81-byte BMP claiming 79 x 592896).
constexpr int64_t kMaxPixelsPerFileByte = 1100;

constexpr DecodeLimits kImageLimits{kMaxPixels, kMaxPixelsPerFileByte};

// Centre-cropped to a square first, then scaled to size × size (the same as scaling the shorter
// side to `size` and cropping): the work stays bounded by the image and the output however
// elongated the image is (a 196620 × 9 strip would otherwise scale to 22 Mpixels). `dst` gets
// channels × size × size, planar.
std::string crop_and_scale(const unsigned char* pixels, int w, int h, int channels, int64_t size,
                           unsigned char* dst) {
  const int side = std::min(w, h);
  const int64_t stride = static_cast<int64_t>(w) * channels;
  const unsigned char* square =
      pixels + ((h - side) / 2) * stride + static_cast<int64_t>((w - side) / 2) * channels;
  std::vector<unsigned char> scaled(static_cast<size_t>(size * size * channels));
  if (side == size) {
    for (int64_t y = 0; y < size; ++y)
      std::memcpy(scaled.data() + y * size * channels, square + y * stride, size * channels);
  } else {
#ifdef SCORELAB_HAVE_STB
    if (!stbir_resize_uint8(square, side, side, static_cast<int>(stride), scaled.data(),
                            static_cast<int>(size), static_cast<int>(size), 0, channels)) {
      return "cannot be resized";
    }
#else
    return "this build has no stb_image_resize to scale images (install libstb-dev)";
#endif
  }
  for (int c = 0; c < channels; ++c)
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x)
        dst[(c * size + y) * size + x] = scaled[(y * size + x) * channels + c];
  return "";
}

}  // namespace

std::string decode_image(const std::string& bytes, int channels, int64_t size, unsigned char* dst) {
  if (channels != 1 && channels != 3) throw ConfigError("decode_image: channels must be 1 or 3");
  if (size < 1 || size > 4096) throw ConfigError("decode_image: size must be in [1, 4096]");
  // Only the formats scorelab offers reach a decoder, known by their first bytes (stb_image
  // would also decode PSD, PIC, HDR, GIF, TGA and PNM from a file named .bmp, more to trust).
  const bool png = bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0;
  const bool jpeg = bytes.rfind("\xff\xd8\xff", 0) == 0;
  const bool bmp = bytes.rfind("BM", 0) == 0;
  if (!png && !jpeg && !bmp) return "not a PNG, JPEG or BMP image (by its first bytes)";
  if (bytes.size() > static_cast<size_t>(kMaxImageFileBytes)) return "too large a file";

  // The decoded pixels (height × width × channels) and who owns them.
  int w = 0, h = 0;
  const unsigned char* pixels = nullptr;
  DecodedImage decoded;
  if (jpeg || png) {
    std::string why = jpeg ? decode_jpeg(bytes, channels, kImageLimits, decoded)
                           : decode_png(bytes, channels, kImageLimits, decoded);
    if (!why.empty()) return why;
    w = decoded.width;
    h = decoded.height;
    pixels = decoded.pixels.data();
  }
#ifndef SCORELAB_HAVE_STB
  if (bmp) return "this build has no stb_image to read BMP files (install libstb-dev)";
#else
  std::unique_ptr<unsigned char, StbFree> stb_image;
  if (bmp) {
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int len = static_cast<int>(bytes.size());
    int comp = 0;
    if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
      return std::string("not a readable image (") + stbi_failure_reason() + ")";
    }
    if (auto why = check_decode_limits(w, h, bytes.size(), kImageLimits); !why.empty()) return why;
    stb_image.reset(stbi_load_from_memory(data, len, &w, &h, &comp, channels));
    if (!stb_image) return std::string("cannot be decoded (") + stbi_failure_reason() + ")";
    if (auto why = check_decode_limits(w, h, bytes.size(), kImageLimits); !why.empty()) return why;
    pixels = stb_image.get();
  }
#endif
  return crop_and_scale(pixels, w, h, channels, size, dst);
}

std::vector<std::string> list_image_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throw IoError(dir + ": cannot list the folder (" + ec.message() + ")");
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    std::error_code fe;
    if (it->is_regular_file(fe) && has_image_extension(it->path())) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string skipped_summary(const std::vector<std::string>& skipped) {
  if (skipped.empty()) return "";
  std::string s =
      std::to_string(skipped.size()) + " file" + (skipped.size() == 1 ? "" : "s") + " skipped: ";
  const size_t shown = std::min<size_t>(skipped.size(), 5);
  for (size_t i = 0; i < shown; ++i) s += (i ? "; " : "") + skipped[i];
  if (skipped.size() > shown) s += "; and " + std::to_string(skipped.size() - shown) + " more";
  return s;
}

ImageFolder load_image_folder(const ImageFolderOptions& o) {
  std::error_code ec;
  if (!fs::exists(o.path, ec)) throw IoError(o.path + ": no such folder");
  if (!fs::is_directory(o.path, ec)) {
    throw IoError(o.path + ": not a folder (data.name = image-folder reads a folder of images)");
  }
  if (o.channels != "auto" && o.channels != "gray" && o.channels != "rgb") {
    throw ConfigError("data.channels = \"" + o.channels + "\" is not one of auto, gray, rgb");
  }
  const auto files = list_image_files(o.path);
  if (files.empty()) {
    throw IoError(o.path + ": no PNG, JPEG or BMP images in it (searched recursively)");
  }
  ImageFolder out;
  out.set.source = o.path;
  const uint64_t key = folder_key(o, files);
  if (!o.cache_dir.empty() && read_cache(cache_file(o, key), out)) return out;
  // Decoded as RGB unless gray is asked for; auto keeps one channel when every image is gray in
  // fact (R = G = B everywhere), as scans saved as RGB often are.
  const int channels = o.channels == "gray" ? 1 : 3;
  const int64_t per = channels * o.size * o.size;
  std::vector<unsigned char> pixels(files.size() * static_cast<size_t>(per));
  int64_t n = 0;
  for (const auto& f : files) {
    const std::string why = read_and_decode(f, channels, o.size, pixels.data() + n * per);
    if (why.empty()) {
      ++n;
    } else {
      out.skipped.push_back(fs::relative(f, o.path, ec).string() + ": " + why);
    }
  }
  if (n == 0) throw IoError(o.path + ": no image could be read; " + skipped_summary(out.skipped));
  auto t = torch::from_blob(pixels.data(), {n, channels, o.size, o.size}, torch::kUInt8).clone();
  if (o.channels == "auto" && channels == 3 && t.select(1, 0).equal(t.select(1, 1)) &&
      t.select(1, 0).equal(t.select(1, 2))) {
    t = t.narrow(1, 0, 1).clone();
  }
  if (!o.cache_dir.empty()) {
    try {
      make_dirs(o.cache_dir);
      write_cache(cache_file(o, key), t, out.skipped);
    } catch (const IoError&) {
      // A cache that cannot be written costs the next run a decode, nothing more.
    }
  }
  out.set.images = t.to(torch::kFloat).div_(127.5).sub_(1.0);
  return out;
}

}  // namespace scorelab
