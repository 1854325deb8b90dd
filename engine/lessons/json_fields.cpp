#include "lessons/json_fields.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace kvscope {

using nlohmann::json;

namespace {

std::string at_key(const std::string& where, const char* key) {
    return where + "." + key;
}

std::string excerpt(const json& v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

}  // namespace

void field_fail(const std::string& where, const std::string& problem) {
    throw std::invalid_argument(where + ": " + problem);
}

void require_object(const json& doc, const std::string& where) {
    if (!doc.is_object()) field_fail(where, "must be an object, got " + excerpt(doc));
}

void check_fields(const json& doc, std::initializer_list<const char*> allowed,
                  const std::string& where) {
    for (const auto& item : doc.items()) {
        bool ok = false;
        for (const char* a : allowed)
            ok = ok || item.key() == a;
        if (ok) continue;
        std::string list;
        for (const char* a : allowed)
            list += (list.empty() ? "" : ", ") + std::string(a);
        field_fail(at_key(where, item.key().c_str()), "unknown key (allowed: " + list + ")");
    }
}

const json& required(const json& doc, const char* key, const std::string& where) {
    if (!doc.contains(key)) field_fail(at_key(where, key), "is missing");
    return doc.at(key);
}

std::string string_field(const json& doc, const char* key, const std::string& where,
                         bool is_required) {
    if (!doc.contains(key)) {
        if (is_required) field_fail(at_key(where, key), "is missing");
        return "";
    }
    const json& v = doc.at(key);
    if (!v.is_string()) field_fail(at_key(where, key), "must be a string, got " + excerpt(v));
    if (is_required && v.get<std::string>().empty()) field_fail(at_key(where, key), "is empty");
    return v.get<std::string>();
}

std::string choice_field(const json& doc, const char* key, const std::string& where,
                         const std::vector<std::string>& choices) {
    const std::string s = string_field(doc, key, where, true);
    for (const auto& c : choices)
        if (c == s) return s;
    std::string list;
    for (const auto& c : choices)
        list += (list.empty() ? "" : ", ") + c;
    field_fail(at_key(where, key), "'" + s + "' is not one of " + list);
}

json object_field(const json& doc, const char* key, const std::string& where) {
    const json& v = required(doc, key, where);
    if (!v.is_object()) field_fail(at_key(where, key), "must be an object, got " + excerpt(v));
    return v;
}

double number_field(const json& doc, const char* key, const std::string& where, double lo,
                    double hi) {
    const json& v = required(doc, key, where);
    if (!v.is_number() || !std::isfinite(v.get<double>()))
        field_fail(at_key(where, key), "must be a number, got " + excerpt(v));
    const double x = v.get<double>();
    if (x < lo || x > hi) {
        std::ostringstream range;
        range << "[" << lo << ", " << hi << "]";
        field_fail(at_key(where, key), excerpt(v) + " is out of range " + range.str());
    }
    return x;
}

long long integer_field(const json& doc, const char* key, const std::string& where, long long lo,
                        long long hi) {
    const json& v = required(doc, key, where);
    if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
        field_fail(at_key(where, key), "must be a whole number, got " + excerpt(v));
    const double x = v.get<double>();
    if (x < static_cast<double>(lo) || x > static_cast<double>(hi)) {
        field_fail(at_key(where, key), excerpt(v) + " is out of range [" + std::to_string(lo) +
                                           ", " + std::to_string(hi) + "]");
    }
    return static_cast<long long>(x);
}

Index position_field(const json& doc, const char* key, const std::string& where) {
    return static_cast<Index>(integer_field(doc, key, where, 0, 1'000'000'000));
}

std::pair<Index, Index> range_field(const json& doc, const char* key, const std::string& where) {
    const json& v = required(doc, key, where);
    if (!v.is_array() || v.size() != 2)
        field_fail(at_key(where, key), "must be two positions [from, to], got " + excerpt(v));
    const json pair = {{"from", v[0]}, {"to", v[1]}};
    const Index a = position_field(pair, "from", at_key(where, key));
    const Index b = position_field(pair, "to", at_key(where, key));
    if (a > b) field_fail(at_key(where, key), "from must not be after to");
    return {a, b};
}

std::pair<double, double> pair_field(const json& doc, const char* key, const std::string& where) {
    const json& v = required(doc, key, where);
    if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number() ||
        !std::isfinite(v[0].get<double>()) || !std::isfinite(v[1].get<double>()))
        field_fail(at_key(where, key), "must be two numbers [lo, hi], got " + excerpt(v));
    if (v[0].get<double>() > v[1].get<double>()) field_fail(at_key(where, key), "lo exceeds hi");
    return {v[0].get<double>(), v[1].get<double>()};
}

std::vector<std::string> strings_field(const json& doc, const char* key, const std::string& where) {
    const json& v = required(doc, key, where);
    if (!v.is_array()) field_fail(at_key(where, key), "must be a list of strings");
    std::vector<std::string> out;
    for (const auto& s : v) {
        if (!s.is_string()) field_fail(at_key(where, key), "must be a list of strings");
        out.push_back(s.get<std::string>());
    }
    return out;
}

}  // namespace kvscope
