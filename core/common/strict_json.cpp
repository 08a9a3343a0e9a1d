#include "common/strict_json.h"

#include <set>
#include <stdexcept>
#include <vector>

namespace scorelab {

namespace {

// nlohmann's messages start "[json.exception.parse_error.101] parse error at line 1, column 2:";
// a number beyond a double's range is "[json.exception.out_of_range.406] number overflow
// parsing '1e999'".
std::string readable(const nlohmann::json::exception& e) {
  std::string m = e.what();
  if (m.rfind("[json.exception.", 0) == 0 && m.find("] ") != std::string::npos) {
    m = m.substr(m.find("] ") + 2);
  }
  const std::string overflow = "number overflow parsing '";
  const auto at = m.find(overflow);
  if (at != std::string::npos) {
    const auto start = at + overflow.size(), end = m.find('\'', start);
    return "number " + m.substr(start, end - start) + " is out of range (beyond 1.8e308)";
  }
  return m;
}

}  // namespace

nlohmann::json parse_json_strict(const std::string& text) {
  using json = nlohmann::json;
  // One set of keys per open object, and the key each nested value hangs from, for the message.
  std::vector<std::set<std::string>> keys;
  std::vector<std::string> path;
  std::string last_key, duplicate;
  auto on_event = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        path.push_back(last_key);
        break;
      case json::parse_event_t::object_end:
        keys.pop_back();
        path.pop_back();
        break;
      case json::parse_event_t::key: {
        last_key = parsed.get<std::string>();
        if (!keys.empty() && !keys.back().insert(last_key).second && duplicate.empty()) {
          std::string where;
          for (const auto& p : path)
            if (!p.empty()) where += (where.empty() ? "" : ".") + p;
          duplicate = "key \"" + last_key + "\" appears twice in " +
                      (where.empty() ? std::string("the top-level object") : "\"" + where + "\"");
        }
        break;
      }
      case json::parse_event_t::array_start: path.push_back(last_key); break;
      case json::parse_event_t::array_end: path.pop_back(); break;
      default: break;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text, on_event);
  } catch (const json::exception& e) {
    throw std::runtime_error(readable(e));
  }
  if (!duplicate.empty()) throw std::runtime_error(duplicate);
  return j;
}

}  // namespace scorelab
