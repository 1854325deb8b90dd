#include "core/params.hpp"

#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kvscope {

const char* to_string(ParamKind kind) {
    switch (kind) {
        case ParamKind::Int:
            return "int";
        case ParamKind::Float:
            return "float";
        case ParamKind::Bool:
            return "bool";
        case ParamKind::Choice:
            return "choice";
        case ParamKind::Text:
            return "text";
        case ParamKind::Path:
            return "path";
        case ParamKind::Sketch:
            return "sketch";
    }
    return "?";
}

std::string format_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, res.ptr);
}

ParamSpec ParamSpec::integer(std::string key, std::string label, std::string help, double min,
                             double max, double def, bool log_scale) {
    ParamSpec s;
    s.key = std::move(key);
    s.label = std::move(label);
    s.help = std::move(help);
    s.kind = ParamKind::Int;
    s.min = min;
    s.max = max;
    s.default_number = def;
    s.log_scale = log_scale;
    return s;
}

ParamSpec ParamSpec::real(std::string key, std::string label, std::string help, double min,
                          double max, double def, bool log_scale) {
    ParamSpec s =
        integer(std::move(key), std::move(label), std::move(help), min, max, def, log_scale);
    s.kind = ParamKind::Float;
    return s;
}

ParamSpec ParamSpec::boolean(std::string key, std::string label, std::string help, bool def) {
    ParamSpec s = integer(std::move(key), std::move(label), std::move(help), 0, 1, def ? 1 : 0);
    s.kind = ParamKind::Bool;
    return s;
}

ParamSpec ParamSpec::choice(std::string key, std::string label, std::string help,
                            std::vector<std::string> choices, std::string def) {
    ParamSpec s;
    s.key = std::move(key);
    s.label = std::move(label);
    s.help = std::move(help);
    s.kind = ParamKind::Choice;
    s.choices = std::move(choices);
    s.default_text = std::move(def);
    return s;
}

ParamSpec ParamSpec::text(std::string key, std::string label, std::string help, std::string def) {
    ParamSpec s;
    s.key = std::move(key);
    s.label = std::move(label);
    s.help = std::move(help);
    s.kind = ParamKind::Text;
    s.default_text = std::move(def);
    return s;
}

ParamSpec ParamSpec::path(std::string key, std::string label, std::string help) {
    ParamSpec s = text(std::move(key), std::move(label), std::move(help), "");
    s.kind = ParamKind::Path;
    return s;
}

ParamSpec ParamSpec::sketch(
    std::string key, std::string label, std::string help, std::vector<std::string> ids,
    std::string def, std::function<const std::vector<ParamSpec>&(const std::string&)> lookup) {
    ParamSpec s =
        choice(std::move(key), std::move(label), std::move(help), std::move(ids), std::move(def));
    s.kind = ParamKind::Sketch;
    s.child_specs = std::move(lookup);
    return s;
}

const ParamSpec* find_spec(const std::vector<ParamSpec>& specs, const std::string& key) {
    for (const auto& s : specs) {
        if (s.key == key) return &s;
    }
    return nullptr;
}

ParamSet ParamSet::defaults(const std::vector<ParamSpec>& specs) {
    ParamSet p;
    for (const auto& s : specs) {
        if (s.is_numeric()) {
            p.numbers_[s.key] = s.default_number;
        } else if (s.kind == ParamKind::Sketch) {
            p.set_text(s, s.default_text, "default");
        } else {
            p.texts_[s.key] = s.default_text;
        }
    }
    return p;
}

namespace {

// A bad value as JSON, cut short: a 16 MiB array must not become a 16 MiB error line.
std::string excerpt(const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
}

std::string known_keys(const std::vector<ParamSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        if (!out.empty()) out += ", ";
        out += s.key;
    }
    return out.empty() ? "none" : out;
}

}  // namespace

void ParamSet::set_number(const ParamSpec& spec, double value, const std::string& owner) {
    const std::string where = owner + " parameter '" + spec.key + "'";
    if (!spec.is_numeric()) throw std::invalid_argument(where + " expects text, not a number");
    if (!std::isfinite(value)) throw std::invalid_argument(where + " must be finite");
    if (spec.kind == ParamKind::Int && value != std::floor(value)) {
        throw std::invalid_argument(where + " = " + format_number(value) +
                                    " must be a whole number");
    }
    if (spec.kind == ParamKind::Bool && value != 0.0 && value != 1.0) {
        throw std::invalid_argument(where + " must be true or false");
    }
    if (value < spec.min || value > spec.max) {
        throw std::invalid_argument(where + " = " + format_number(value) + " is out of range [" +
                                    format_number(spec.min) + ", " + format_number(spec.max) + "]");
    }
    numbers_[spec.key] = value;
}

namespace {

void check_choice(const ParamSpec& spec, const std::string& value, const std::string& where) {
    std::string list;
    for (const auto& c : spec.choices) {
        if (c == value) return;
        list += (list.empty() ? "" : ", ") + c;
    }
    throw std::invalid_argument(where + " = '" + value + "' is not one of: " + list);
}

std::string nested_owner(const std::string& owner, const ParamSpec& spec, const std::string& id) {
    return owner + " parameter '" + spec.key + "' (sketch '" + id + "')";
}

}  // namespace

void ParamSet::set_text(const ParamSpec& spec, const std::string& value, const std::string& owner) {
    const std::string where = owner + " parameter '" + spec.key + "'";
    if (spec.is_numeric()) throw std::invalid_argument(where + " expects a number, not text");
    if (spec.kind == ParamKind::Sketch) {
        check_choice(spec, value, where);
        set_nested(spec, NestedSketch::defaults(value, spec.child_specs(value)), owner);
        return;
    }
    if (spec.kind == ParamKind::Choice) check_choice(spec, value, where);
    texts_[spec.key] = value;
}

void ParamSet::set_nested(const ParamSpec& spec, NestedSketch value, const std::string& owner) {
    const std::string where = owner + " parameter '" + spec.key + "'";
    if (spec.kind != ParamKind::Sketch) throw std::invalid_argument(where + " is not a sketch");
    check_choice(spec, value.id, where);
    texts_[spec.key] = value.id;
    nested_[spec.key] = std::make_shared<const NestedSketch>(std::move(value));
}

NestedSketch NestedSketch::defaults(std::string id, std::vector<ParamSpec> specs) {
    NestedSketch n;
    n.id = std::move(id);
    n.params = ParamSet::defaults(specs);
    n.specs = std::move(specs);
    return n;
}

NestedSketch& NestedSketch::set(const std::string& key, double value) {
    const ParamSpec* spec = find_spec(specs, key);
    if (!spec) throw std::invalid_argument("sketch '" + id + "' has no parameter '" + key + "'");
    params.set_number(*spec, value, "sketch '" + id + "'");
    return *this;
}

NestedSketch& NestedSketch::set(const std::string& key, const std::string& value) {
    const ParamSpec* spec = find_spec(specs, key);
    if (!spec) throw std::invalid_argument("sketch '" + id + "' has no parameter '" + key + "'");
    params.set_text(*spec, value, "sketch '" + id + "'");
    return *this;
}

namespace {

// {"id": ..., "params": {...}} or a bare id string.
NestedSketch nested_from_json(const ParamSpec& spec, const nlohmann::json& value,
                              const std::string& owner) {
    const std::string where = owner + " parameter '" + spec.key + "'";
    const nlohmann::json* params = nullptr;
    std::string id;
    if (value.is_string()) {
        id = value.get<std::string>();
    } else if (value.is_object() && value.contains("id") && value["id"].is_string()) {
        id = value["id"].get<std::string>();
        for (const auto& [k, v] : value.items()) {
            if (k != "id" && k != "params") {
                throw std::invalid_argument(where + ": unknown key '" + k +
                                            "' (a nested sketch has \"id\" and \"params\")");
            }
        }
        if (value.contains("params")) params = &value["params"];
    } else {
        throw std::invalid_argument(where +
                                    " expects a sketch id or {\"id\": ..., \"params\": "
                                    "{...}}, got " +
                                    value.dump());
    }
    check_choice(spec, id, where);
    NestedSketch n;
    n.id = id;
    n.specs = spec.child_specs(id);
    n.params = ParamSet::from_json(n.specs, params ? *params : nlohmann::json(),
                                   nested_owner(owner, spec, id));
    return n;
}

// The error for a key that is not a parameter: names the parameter that replaced it, if any.
std::string unknown_key_message(const std::vector<ParamSpec>& specs, const std::string& key,
                                const std::string& owner) {
    for (const auto& s : specs) {
        for (const auto& old : s.replaces) {
            if (old != key) continue;
            return owner + ": parameter '" + key + "' was replaced by '" + s.key +
                   "'; write it inside '" + s.key + "' as {\"id\": ..., \"params\": {...}}";
        }
    }
    return owner + ": unknown parameter '" + key + "' (known: " + known_keys(specs) + ")";
}

}  // namespace

ParamSet ParamSet::from_json(const std::vector<ParamSpec>& specs, const nlohmann::json& values,
                             const std::string& owner) {
    ParamSet p = defaults(specs);
    if (values.is_null()) return p;
    if (!values.is_object()) {
        throw std::invalid_argument(owner + ": \"params\" must be a JSON object");
    }
    for (const auto& [key, value] : values.items()) {
        const ParamSpec* spec = find_spec(specs, key);
        if (!spec) throw std::invalid_argument(unknown_key_message(specs, key, owner));
        if (spec->kind == ParamKind::Sketch) {
            p.set_nested(*spec, nested_from_json(*spec, value, owner), owner);
        } else if (spec->is_numeric()) {
            if (spec->kind == ParamKind::Bool && value.is_boolean()) {
                p.set_number(*spec, value.get<bool>() ? 1.0 : 0.0, owner);
            } else if (value.is_number()) {
                p.set_number(*spec, value.get<double>(), owner);
            } else {
                throw std::invalid_argument(
                    owner + " parameter '" + key + "' expects " +
                    (spec->kind == ParamKind::Bool ? "true or false" : "a number") + ", got " +
                    excerpt(value));
            }
        } else {
            if (!value.is_string()) {
                throw std::invalid_argument(owner + " parameter '" + key +
                                            "' expects a string, got " + excerpt(value));
            }
            p.set_text(*spec, value.get<std::string>(), owner);
        }
    }
    return p;
}

double ParamSet::number(const std::string& key) const {
    auto it = numbers_.find(key);
    if (it == numbers_.end()) throw std::logic_error("no numeric parameter '" + key + "'");
    return it->second;
}

long long ParamSet::integer(const std::string& key) const {
    return static_cast<long long>(std::llround(number(key)));
}

bool ParamSet::flag(const std::string& key) const {
    return number(key) != 0.0;
}

const std::string& ParamSet::text(const std::string& key) const {
    auto it = texts_.find(key);
    if (it == texts_.end()) throw std::logic_error("no text parameter '" + key + "'");
    return it->second;
}

const NestedSketch& ParamSet::nested(const std::string& key) const {
    auto it = nested_.find(key);
    if (it == nested_.end()) throw std::logic_error("no sketch parameter '" + key + "'");
    return *it->second;
}

bool ParamSet::operator==(const ParamSet& other) const {
    if (numbers_ != other.numbers_ || texts_ != other.texts_) return false;
    if (nested_.size() != other.nested_.size()) return false;
    for (const auto& [key, value] : nested_) {
        auto it = other.nested_.find(key);
        if (it == other.nested_.end() || !(*value == *it->second)) return false;
    }
    return true;
}

bool ParamSet::has(const std::string& key) const {
    return numbers_.count(key) != 0 || texts_.count(key) != 0;
}

nlohmann::json ParamSet::to_json(const std::vector<ParamSpec>& specs) const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& s : specs) {
        switch (s.kind) {
            case ParamKind::Int:
                out[s.key] = integer(s.key);
                break;
            case ParamKind::Float:
                out[s.key] = number(s.key);
                break;
            case ParamKind::Bool:
                out[s.key] = flag(s.key);
                break;
            case ParamKind::Sketch: {
                const NestedSketch& n = nested(s.key);
                out[s.key] = {{"id", n.id}, {"params", n.params.to_json(n.specs)}};
                break;
            }
            default:
                out[s.key] = text(s.key);
                break;
        }
    }
    return out;
}

std::string ParamSet::to_compact_string(const std::vector<ParamSpec>& specs) const {
    std::ostringstream out;
    bool first = true;
    for (const auto& s : specs) {
        if (!first) out << ';';
        first = false;
        out << s.key << '=';
        switch (s.kind) {
            case ParamKind::Int:
                out << integer(s.key);
                break;
            case ParamKind::Float:
                out << format_number(number(s.key));
                break;
            case ParamKind::Bool:
                out << (flag(s.key) ? "true" : "false");
                break;
            case ParamKind::Sketch: {
                const NestedSketch& n = nested(s.key);
                out << n.id << '{' << n.params.to_compact_string(n.specs) << '}';
                break;
            }
            default:
                out << text(s.key);
                break;
        }
    }
    return out.str();
}

}  // namespace kvscope
