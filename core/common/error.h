#pragma once
// Error types of scorelab. Every message names what is wrong and where (field, file, step).
#include <stdexcept>
#include <string>

namespace scorelab {

// A configuration value is missing, unknown or out of range.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file could not be read, written or parsed.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A request (a score field, samples) made for one run and answered after the app switched to
// another data set: the asker drops it quietly and asks again.
struct StaleRequestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A checkpoint is corrupt or does not match the model it is loaded into.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace scorelab

namespace scorelab {

// The message of an exception, without the C++ stack trace that libtorch's c10::Error appends.
std::string error_message(const std::exception& e);

// Waits for a request's future: "" when it was carried out, else why it was refused.
template <class Future>
std::string why_refused(Future&& request) {
  try {
    request.get();
    return "";
  } catch (const std::exception& e) {
    return error_message(e);
  }
}

}  // namespace scorelab
