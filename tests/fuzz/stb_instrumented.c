/* stb_image and its resizer compiled here with coverage and ASan, so the fuzzer sees inside the
   decoder scorelab hands image files to (Debian's libstb.so is built without them). Listed
   before that library on the link line, these definitions are the ones used. */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_resize.h>
