#pragma once
// Where scorelab keeps what it computes once and reuses (the FID feature network, decoded image
// folders): $SCORELAB_CACHE, else $XDG_CACHE_HOME/scorelab, else ~/.cache/scorelab.
#include <string>

namespace scorelab {

std::string cache_dir();

}  // namespace scorelab
