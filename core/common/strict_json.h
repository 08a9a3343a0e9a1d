#pragma once
// JSON as scorelab reads it from files: nlohmann's parser, but a key that appears twice in one
// object is an error (nlohmann keeps the last, so `"optim"` written twice silently wins), and a
// number beyond a double's range is named as such.
#include <nlohmann/json.hpp>

#include <string>

namespace scorelab {

// Throws std::runtime_error with a readable reason: 'key "lr" appears twice in "optim"',
// "number 1e999 is out of range (beyond 1.8e308)", or the parser's "parse error at line …".
nlohmann::json parse_json_strict(const std::string& text);

}  // namespace scorelab
