#pragma once
#include <string>

namespace scorelab::cli {

// The most recently written runs/*/checkpoint.ckpt under the current directory; IoError when
// there is none.
std::string latest_checkpoint();

}  // namespace scorelab::cli
