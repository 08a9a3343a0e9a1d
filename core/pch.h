// Precompiled header: libtorch's headers dominate compile time.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
