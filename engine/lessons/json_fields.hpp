// Reading fields of a lesson's JSON with one-line errors that name where the problem is:
// every helper throws std::invalid_argument "<where>.<key>: <problem>", where `where` is the
// path so far ("step 2: claims[0].a"). The lesson loader prefixes the file name.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/types.hpp"

namespace kvscope {

/// Throws std::invalid_argument "<where>: <problem>".
[[noreturn]] void field_fail(const std::string& where, const std::string& problem);

/// Throws unless `doc` is an object.
void require_object(const nlohmann::json& doc, const std::string& where);
/// Throws on a key that is not in `allowed`, listing the allowed keys.
void check_fields(const nlohmann::json& doc, std::initializer_list<const char*> allowed,
                  const std::string& where);
/// doc[key]; throws when it is missing.
const nlohmann::json& required(const nlohmann::json& doc, const char* key,
                               const std::string& where);

/// A string; "" when absent and not required. Throws when present and not a string, or when
/// required and missing or empty.
std::string string_field(const nlohmann::json& doc, const char* key, const std::string& where,
                         bool required);
/// One of `choices` (required).
std::string choice_field(const nlohmann::json& doc, const char* key, const std::string& where,
                         const std::vector<std::string>& choices);
/// An object (required when called).
nlohmann::json object_field(const nlohmann::json& doc, const char* key, const std::string& where);
/// A finite number in [lo, hi] (required when called).
double number_field(const nlohmann::json& doc, const char* key, const std::string& where, double lo,
                    double hi);
/// A whole number in [lo, hi] (required when called).
long long integer_field(const nlohmann::json& doc, const char* key, const std::string& where,
                        long long lo, long long hi);
/// A stream position: a whole number in [0, 1e9] (required when called).
Index position_field(const nlohmann::json& doc, const char* key, const std::string& where);
/// Two positions [a, b] with a <= b.
std::pair<Index, Index> range_field(const nlohmann::json& doc, const char* key,
                                    const std::string& where);
/// Two finite numbers [lo, hi] with lo <= hi.
std::pair<double, double> pair_field(const nlohmann::json& doc, const char* key,
                                     const std::string& where);
/// A list of strings (required when called).
std::vector<std::string> strings_field(const nlohmann::json& doc, const char* key,
                                       const std::string& where);

}  // namespace kvscope
