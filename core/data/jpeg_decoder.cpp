#include "data/image_decoders.h"

#ifdef SCORELAB_HAVE_LIBJPEG
#include <jpeglib.h>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE declared first
#endif

namespace scorelab {

#ifndef SCORELAB_HAVE_LIBJPEG

bool jpeg_supported() {
  return false;
}

std::string decode_jpeg(const std::string&, int, const DecodeLimits&, DecodedImage&) {
  return "this build has no libjpeg to read JPEG files (install libjpeg62-turbo-dev and rebuild)";
}

#else

bool jpeg_supported() {
  return true;
}

namespace {

// More scans than any encoder writes (progressive JPEGs use ~10); each scan re-reads the whole
// coefficient buffer, so a crafted file with thousands of them would decode for minutes.
constexpr int kMaxJpegScans = 1000;

// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to
// the setjmp in run_jpeg_decode with the message kept here.
struct JpegErrors {
  jpeg_error_mgr pub;  // first, so libjpeg's pointer to it is a pointer to this
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (corrupt data, a premature end) are tolerated as other decoders do, never printed.
void jpeg_quiet(j_common_ptr) {}

void jpeg_scan_limit(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxJpegScans) {
    std::snprintf(reinterpret_cast<JpegErrors*>(d->err)->message, JMSG_LENGTH_MAX,
                  "more than %d scans", kMaxJpegScans);
    std::longjmp(reinterpret_cast<JpegErrors*>(d->err)->jump, 2);
  }
}

// Everything libjpeg touches lives here, outside the frame that calls setjmp, so nothing that
// frame changes after setjmp is read after the jump.
struct JpegState {
  jpeg_decompress_struct cinfo{};
  JpegErrors errors{};
  jpeg_progress_mgr progress{};
  bool created = false;
  ~JpegState() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

// Decodes into `out`; returns "" or the reason. No object with a destructor is alive in this
// frame across a libjpeg call, so a longjmp out of libjpeg skips nothing.
std::string run_jpeg_decode(JpegState& s, const std::string& bytes, int channels,
                            const DecodeLimits& limits, DecodedImage& out) {
  s.cinfo.err = jpeg_std_error(&s.errors.pub);
  s.errors.pub.error_exit = jpeg_error_exit;
  s.errors.pub.output_message = jpeg_quiet;
  s.errors.message[0] = '\0';
  if (setjmp(s.errors.jump) != 0) {
    return std::string("cannot be decoded (") + s.errors.message + ")";
  }
  jpeg_create_decompress(&s.cinfo);
  s.created = true;
  s.progress.progress_monitor = jpeg_scan_limit;
  s.cinfo.progress = &s.progress;
  jpeg_mem_src(&s.cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  if (jpeg_read_header(&s.cinfo, TRUE) != JPEG_HEADER_OK) return "no JPEG image in the file";
  const int64_t w = s.cinfo.image_width, h = s.cinfo.image_height;
  if (std::string why = check_decode_limits(w, h, bytes.size(), limits); !why.empty()) return why;
  s.cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&s.cinfo);
  if (s.cinfo.output_components != channels || s.cinfo.output_width != w ||
      s.cinfo.output_height != h) {
    return "cannot be decoded (unexpected output layout)";
  }
  const size_t row = static_cast<size_t>(w) * static_cast<size_t>(channels);
  out.pixels.resize(row * static_cast<size_t>(h));
  while (s.cinfo.output_scanline < s.cinfo.output_height) {
    JSAMPROW dst = out.pixels.data() + row * s.cinfo.output_scanline;
    if (jpeg_read_scanlines(&s.cinfo, &dst, 1) != 1) return "cannot be decoded (no more rows)";
  }
  out.width = static_cast<int>(w);
  out.height = static_cast<int>(h);
  return "";
}

}  // namespace

std::string decode_jpeg(const std::string& bytes, int channels, const DecodeLimits& limits,
                        DecodedImage& out) {
  out = DecodedImage{};
  if (channels != 1 && channels != 3) return "channels must be 1 or 3";
  JpegState state;
  std::string why = run_jpeg_decode(state, bytes, channels, limits, out);
  if (!why.empty()) out = DecodedImage{};
  return why;
}

#endif

}  // namespace scorelab
