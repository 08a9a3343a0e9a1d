#include "config/config_io.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/strict_json.h"
#include "config/config_schema.h"
#include "config/vocabulary.h"

namespace scorelab {

using nlohmann::json;

namespace {

// A config is a few KB; a list setting (method.alpha_fixed) a few hundred values at most.
constexpr int64_t kMaxConfigBytes = int64_t{16} << 20;
constexpr size_t kMaxListLength = 10000;

std::string join_key(const std::string& prefix, const char* key) {
  return prefix.empty() ? std::string(key) : prefix + "." + key;
}

std::string format_number(double x) {
  std::ostringstream ss;
  ss << x;
  return ss.str();
}

std::string format_range(const Range& r) {
  return std::string(r.lo_open ? "(" : "[") + format_number(r.lo) + ", " + format_number(r.hi) +
         (r.hi_open ? ")" : "]");
}

bool in_range(double x, const Range& r) {
  if (!std::isfinite(x)) return false;
  if (r.lo_open ? x <= r.lo : x < r.lo) return false;
  if (r.hi_open ? x >= r.hi : x > r.hi) return false;
  return true;
}

std::string join_options(const std::vector<std::string>& options) {
  std::string s;
  for (size_t i = 0; i < options.size(); ++i) s += (i ? ", " : "") + options[i];
  return s;
}

// For what needs no names of methods or data sources: writing JSON, a field's type and
// whether it is live.
const Vocabulary& no_vocabulary() {
  static const Vocabulary none;
  return none;
}

// Tracks the dotted path while descending into sections.
class PathVisitor {
 public:
  explicit PathVisitor(const Vocabulary& vocabulary) : vocabulary_(vocabulary) {}
  const Vocabulary& vocabulary() const { return vocabulary_; }

  template <class F>
  void section(const char* key, F&& body) {
    const std::string saved = prefix_;
    prefix_ = join_key(prefix_, key);
    enter(key);
    body();
    leave();
    prefix_ = saved;
  }

 protected:
  virtual void enter(const char*) {}
  virtual void leave() {}
  std::string key(const char* k) const { return join_key(prefix_, k); }
  std::string prefix_;

 private:
  const Vocabulary& vocabulary_;
};

class JsonWriter : public PathVisitor {
 public:
  JsonWriter() : PathVisitor(no_vocabulary()) {}
  json out = json::object();
  void number(const char* k, double& x, Range, Live, const char*) { cur()[k] = x; }
  void integer(const char* k, int64_t& x, Range, Live, const char*) { cur()[k] = x; }
  void flag(const char* k, bool& x, Live, const char*) { cur()[k] = x; }
  void choice(const char* k, std::string& x, const std::vector<std::string>&, Live, const char*) {
    cur()[k] = x;
  }
  void text(const char* k, std::string& x, const char*) { cur()[k] = x; }
  void numbers(const char* k, std::vector<double>& x, Range, Live, const char*) { cur()[k] = x; }

 protected:
  void enter(const char* k) override { stack_.push_back(k); }
  void leave() override { stack_.pop_back(); }

 private:
  json& cur() {
    json* j = &out;
    for (const auto& s : stack_) j = &(*j)[s];
    return *j;
  }
  std::vector<std::string> stack_;
};

class JsonReader : public PathVisitor {
 public:
  JsonReader(const json& root, std::string source, const Vocabulary& vocabulary)
      : PathVisitor(vocabulary), source_(std::move(source)) {
    stack_.push_back(&root);
  }

  void number(const char* k, double& x, Range, Live, const char*) {
    if (const json* j = find(k)) {
      if (!j->is_number()) fail(k, *j, "a number");
      x = j->get<double>();
    }
  }
  void integer(const char* k, int64_t& x, Range, Live, const char*) {
    if (const json* j = find(k)) {
      if (j->is_number_integer()) {
        x = j->get<int64_t>();
      } else if (j->is_number_float() && std::floor(j->get<double>()) == j->get<double>() &&
                 std::fabs(j->get<double>()) <= 9.007199254740992e15) {
        x = static_cast<int64_t>(j->get<double>());  // 1e4 written in float notation
      } else {
        fail(k, *j, "an integer");
      }
    }
  }
  void flag(const char* k, bool& x, Live, const char*) {
    if (const json* j = find(k)) {
      if (!j->is_boolean()) fail(k, *j, "true or false");
      x = j->get<bool>();
    }
  }
  void choice(const char* k, std::string& x, const std::vector<std::string>& options, Live,
              const char*) {
    if (const json* j = find(k)) {
      if (!j->is_string()) fail(k, *j, "one of " + join_options(options));
      x = j->get<std::string>();
    }
  }
  void text(const char* k, std::string& x, const char*) {
    if (const json* j = find(k)) {
      if (!j->is_string()) fail(k, *j, "a string");
      x = j->get<std::string>();
    }
  }
  // A JSON array of numbers, or a string of comma-separated numbers ("0, 0.5, 1").
  void numbers(const char* k, std::vector<double>& x, Range, Live, const char*) {
    const json* j = find(k);
    if (!j) return;
    std::vector<double> out;
    if (j->is_number()) {
      out.push_back(j->get<double>());  // a single value, e.g. --set key=1
    } else if (j->is_array()) {
      for (const auto& e : *j) {
        if (!e.is_number()) fail(k, *j, "a list of numbers");
        out.push_back(e.get<double>());
      }
    } else if (j->is_string()) {
      std::string item;
      std::istringstream in(j->get<std::string>());
      while (std::getline(in, item, ',')) {
        size_t used = 0;
        double v = 0;
        try {
          v = std::stod(item, &used);
        } catch (const std::exception&) {
          fail(k, *j, "a list of numbers such as 0,0.5,1");
        }
        if (item.find_first_not_of(" \t", used) != std::string::npos) {
          fail(k, *j, "a list of numbers such as 0,0.5,1");
        }
        out.push_back(v);
      }
    } else {
      fail(k, *j, "a list of numbers");
    }
    if (out.size() > kMaxListLength) {
      fail(k, *j, "a list of at most " + std::to_string(kMaxListLength) + " numbers");
    }
    x = std::move(out);
  }

  // Keys present in the JSON that the schema does not know.
  void check_unknown(const json& j, const std::string& prefix) const {
    if (!j.is_object()) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string k = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (!seen_.count(k)) {
        throw ConfigError(source_ + ": unknown setting '" + k + "'");
      }
      if (it->is_object()) check_unknown(*it, k);
    }
  }

 protected:
  void enter(const char* k) override {
    seen_.insert(prefix_);
    const json* parent = stack_.back();
    const json* child = nullptr;
    if (parent && parent->is_object()) {
      auto it = parent->find(k);
      if (it != parent->end()) {
        if (!it->is_object()) {
          throw ConfigError(source_ + ": '" + prefix_ + "' must be an object of settings, not " +
                            it->dump());
        }
        child = &*it;
      }
    }
    stack_.push_back(child);
  }
  void leave() override { stack_.pop_back(); }

 private:
  const json* find(const char* k) {
    seen_.insert(key(k));
    const json* parent = stack_.back();
    if (!parent || !parent->is_object()) return nullptr;
    auto it = parent->find(k);
    return it == parent->end() ? nullptr : &*it;
  }
  [[noreturn]] void fail(const char* k, const json& j, const std::string& expected) const {
    std::string value = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (value.size() > 80)
      value = value.substr(0, 60) + "… (" + std::to_string(value.size()) + " characters)";
    throw ConfigError(source_ + ": " + key(k) + " = " + value + " must be " + expected);
  }
  std::string source_;
  std::vector<const json*> stack_;
  std::set<std::string> seen_;
};

class Validator : public PathVisitor {
 public:
  using PathVisitor::PathVisitor;
  void number(const char* k, double& x, Range r, Live, const char* doc) {
    if (!in_range(x, r)) {
      throw ConfigError(key(k) + " = " + format_number(x) + " is out of range " + format_range(r) +
                        " (" + doc + ")");
    }
  }
  void integer(const char* k, int64_t& x, Range r, Live, const char* doc) {
    if (!in_range(static_cast<double>(x), r)) {
      throw ConfigError(key(k) + " = " + std::to_string(x) + " is out of range " + format_range(r) +
                        " (" + doc + ")");
    }
  }
  void flag(const char*, bool&, Live, const char*) {}
  void choice(const char* k, std::string& x, const std::vector<std::string>& options, Live,
              const char*) {
    for (const auto& o : options)
      if (o == x) return;
    throw ConfigError(key(k) + " = \"" + x + "\" is not one of: " + join_options(options));
  }
  void text(const char*, std::string&, const char*) {}
  void numbers(const char* k, std::vector<double>& x, Range r, Live, const char* doc) {
    if (x.empty())
      throw ConfigError(key(k) + " is empty; it needs at least one value (" + doc + ")");
    for (double v : x) {
      if (!in_range(v, r)) {
        throw ConfigError(key(k) + " contains " + format_number(v) + ", out of range " +
                          format_range(r) + " (" + doc + ")");
      }
    }
  }
};

class Lister : public PathVisitor {
 public:
  using PathVisitor::PathVisitor;
  std::vector<FieldInfo> fields;
  void number(const char* k, double&, Range r, Live l, const char* doc) {
    add(k, "number", doc, l);
    set_range(r);
  }
  void integer(const char* k, int64_t&, Range r, Live l, const char* doc) {
    add(k, "integer", doc, l);
    set_range(r);
  }
  void flag(const char* k, bool&, Live l, const char* doc) { add(k, "flag", doc, l); }
  void choice(const char* k, std::string&, const std::vector<std::string>& options, Live l,
              const char* doc) {
    add(k, "choice", doc, l).options = options;
  }
  void text(const char* k, std::string&, const char* doc) { add(k, "text", doc, Live::reset); }
  void numbers(const char* k, std::vector<double>&, Range r, Live l, const char* doc) {
    add(k, "numbers", doc, l);
    set_range(r);
  }

 private:
  FieldInfo& add(const char* k, const char* type, const char* doc, Live l) {
    FieldInfo f;
    f.key = key(k);
    f.type = type;
    f.doc = doc;
    f.live = l == Live::yes;
    fields.push_back(f);
    return fields.back();
  }
  void set_range(const Range& r) {
    auto& f = fields.back();
    f.lo = r.lo;
    f.hi = r.hi;
    f.lo_open = r.lo_open;
    f.hi_open = r.hi_open;
  }
};

void check_relations(const Config& c, const Vocabulary& vocabulary) {
  auto order = [](const char* lo_key, double lo, const char* hi_key, double hi) {
    if (!(lo < hi)) {
      throw ConfigError(std::string(lo_key) + " = " + format_number(lo) + " must be below " +
                        hi_key + " = " + format_number(hi));
    }
  };
  order("noise.sigma_min", c.noise.sigma_min, "noise.sigma_max", c.noise.sigma_max);
  if (c.method.gen_sigma_lo > c.method.gen_sigma_hi) {
    order("method.gen_sigma_lo", c.method.gen_sigma_lo, "method.gen_sigma_hi",
          c.method.gen_sigma_hi);
  }
  if (c.method.smm_beta_min > c.method.smm_beta_max) {
    order("method.smm_beta_min", c.method.smm_beta_min, "method.smm_beta_max",
          c.method.smm_beta_max);
  }
  if (c.sampler.levels > 1) {
    order("sampler.sigma_min", c.sampler.sigma_min, "sampler.sigma_max", c.sampler.sigma_max);
  }
  if (c.method.alpha_sampler == "fixed" &&
      std::none_of(c.method.alpha_fixed.begin(), c.method.alpha_fixed.end(),
                   [](double a) { return a > 0; })) {
    throw ConfigError("method.alpha_fixed has no value above 0 (it is [" +
                      setting_text(json(c.method.alpha_fixed)) +
                      "]); with method.alpha_sampler = fixed the generator update needs one");
  }
  if (c.run.cuda_graph == "on" && c.run.device == "cpu") {
    throw ConfigError(
        "run.cuda_graph = \"on\" needs a CUDA device (run.device = cpu); use auto or off");
  }
  if (c.run.precision == "bf16" && c.run.device == "cpu") {
    throw ConfigError("run.precision = \"bf16\" needs a CUDA device (run.device = cpu); use fp32");
  }
  // Syntax only; whether the device exists is checked when the run starts.
  const std::string& d = c.run.device;
  const bool ok = d == "auto" || d == "cpu" || d == "cuda" ||
                  (d.rfind("cuda:", 0) == 0 && d.size() > 5 &&
                   d.find_first_not_of("0123456789", 5) == std::string::npos);
  if (!ok) throw ConfigError("run.device = \"" + d + "\" is not one of auto, cpu, cuda, cuda:N");
  if (vocabulary.check) vocabulary.check(c);
}

// Every field with no choices for method.name and data.name: types and live flags.
const std::vector<FieldInfo>& schema_fields() {
  static const std::vector<FieldInfo> fields = list_fields(no_vocabulary());
  return fields;
}

const FieldInfo* find_schema_field(const std::string& key) {
  return find_field(schema_fields(), key);
}

}  // namespace

json to_json(const Config& config) {
  Config copy = config;
  JsonWriter w;
  describe(copy, w);
  return w.out;
}

namespace {
// Settings renamed since runs were first saved, read under their new names.
json with_current_names(json j) {
  auto m = j.find("method");
  if (m != j.end() && m->is_object() && m->contains("warmup_steps") &&
      !m->contains("pretrain_steps")) {
    (*m)["pretrain_steps"] = (*m)["warmup_steps"];
    m->erase("warmup_steps");
  }
  return j;
}

// The settings of j read over base: unknown keys and wrong types throw; ranges and relations
// are left to validate().
Config read_json(const Config& base, const json& j_in, const std::string& source,
                 const Vocabulary& vocabulary) {
  if (!j_in.is_object()) throw ConfigError(source + ": expected a JSON object of settings");
  const json j = with_current_names(j_in);
  Config c = base;
  JsonReader r(j, source, vocabulary);
  describe(c, r);
  r.check_unknown(j, "");
  return c;
}

}  // namespace

Config merge_json(const Config& base, const json& j_in, const std::string& source,
                  const Vocabulary& vocabulary) {
  Config c = read_json(base, j_in, source, vocabulary);
  try {
    validate(c, vocabulary);
  } catch (const ConfigError& e) {
    throw ConfigError(source + ": " + e.what());
  }
  return c;
}

void validate(const Config& config, const Vocabulary& vocabulary) {
  Config copy = config;
  Validator v(vocabulary);
  describe(copy, v);
  check_relations(copy, vocabulary);
}

json partial_json(const std::string& key, const json& value) {
  json root = json::object();
  json* cur = &root;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part =
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ConfigError("setting key '" + key + "' is malformed");
    if (dot == std::string::npos) {
      (*cur)[part] = value;
      break;
    }
    cur = &(*cur)[part];
    start = dot + 1;
  }
  return root;
}

json setting_value(const std::string& key, const std::string& text) {
  const FieldInfo* f = find_schema_field(key);
  if (f && (f->type == "text" || f->type == "choice")) return text;
  try {
    json v = json::parse(text);
    if (!v.is_object() && !v.is_null()) return v;
  } catch (const json::exception&) {
    // A bare word such as gauss8, a list written 0,0.5,1, or a number out of range (1e999): the
    // text, which the setting then refuses by name.
  }
  return text;
}

const json* find_setting(const json& config_json, const std::string& key) {
  const json* node = &config_json;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

std::string setting_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) return v.dump();
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : ", ") + (x.is_number() ? format_number(x.get<double>()) : x.dump());
  return s;
}

json partial_setting(const std::string& key, const std::string& text) {
  // JSON strings are UTF-8: a value that is not could be neither shown nor saved.
  try {
    (void)json(text).dump();
  } catch (const json::type_error&) {
    throw ConfigError(key + ": the value is not valid UTF-8 text");
  }
  return partial_json(key, setting_value(key, text));
}

Config apply_setting(const Config& base, const std::string& key, const std::string& value,
                     const Vocabulary& vocabulary) {
  return merge_json(base, partial_setting(key, value), "--set " + key, vocabulary);
}

Config apply_setting(const Config& base, const std::string& assignment,
                     const Vocabulary& vocabulary) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set " + assignment + ": expected key=value, e.g. optim.lr_score=3e-4");
  }
  return apply_setting(base, assignment.substr(0, eq), assignment.substr(eq + 1), vocabulary);
}

Config apply_settings(const Config& base, const std::vector<std::string>& assignments,
                      const Vocabulary& vocabulary) {
  if (assignments.size() == 1) return apply_setting(base, assignments.front(), vocabulary);
  Config c = base;
  std::string keys;
  for (const auto& a : assignments) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError("--set " + a + ": expected key=value, e.g. optim.lr_score=3e-4");
    }
    const std::string key = a.substr(0, eq);
    c = read_json(c, partial_setting(key, a.substr(eq + 1)), "--set " + key, vocabulary);
    keys += (keys.empty() ? "" : ", ") + key;
  }
  try {
    validate(c, vocabulary);
  } catch (const ConfigError& e) {
    throw ConfigError("--set " + keys + ": " + e.what());
  }
  return c;
}

const FieldInfo* find_field(const std::vector<FieldInfo>& fields, const std::string& key) {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

std::vector<FieldInfo> list_fields(const Vocabulary& vocabulary) {
  Config c;
  Lister l(vocabulary);
  describe(c, l);
  return l.fields;
}

bool same_images(const DataConfig& a, const DataConfig& b) {
  return a.name == b.name && a.path == b.path && a.pad32 == b.pad32 && a.limit == b.limit;
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  const json ja = to_json(a), jb = to_json(b);
  std::vector<std::string> keys;
  for (const auto& f : schema_fields()) {
    if (*find_setting(ja, f.key) != *find_setting(jb, f.key)) keys.push_back(f.key);
  }
  return keys;
}

std::vector<std::string> reset_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const auto& k : changed_keys(a, b)) {
    if (!find_schema_field(k)->live && k != "description") out.push_back(k);
  }
  return out;
}

Config load_config_file(const std::string& path, const Vocabulary& vocabulary) {
  return parse_config_text(read_file(path, kMaxConfigBytes), path, vocabulary);
}

Config parse_config_text(const std::string& text, const std::string& path,
                         const Vocabulary& vocabulary) {
  json j;
  try {
    j = parse_json_strict(text);
  } catch (const std::exception& e) {
    throw ConfigError(path + ": not valid JSON: " + e.what());
  }
  return merge_json(Config{}, j, path, vocabulary);
}

void save_config_file(const Config& config, const std::string& path) {
  write_file_atomically(path, to_json(config).dump(2) + "\n");
}

}  // namespace scorelab
