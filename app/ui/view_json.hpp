// Reading and writing the explorer's part of a session file (the "view" object), shared by the
// workspace and every panel that saves state there. Reading is lenient: a value of the wrong
// type or out of range keeps the current state and adds a warning; unknown keys are ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ui/panel.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

/// Sets `out` from j[key] when that is a boolean.
void read_flag(const nlohmann::json& j, const char* key, bool& out);
/// Sets `out` from `v` and returns true when it is a number within the float range (|v| <= 1e30).
bool to_float(const nlohmann::json& v, float& out);
/// Sets `out` from j[key] when that is a number (within the float range, for floats).
void read_number(const nlohmann::json& j, const char* key, float& out);
/// The same, warning "<path>.<key> = <value> ignored" when j[key] is present but not a number in
/// the float range.
void read_float(const nlohmann::json& j, const char* key, const std::string& path, float& out,
                const ViewWarn& warn);
void read_number(const nlohmann::json& j, const char* key, double& out);
/// Sets `value` from j[key] and returns true when that is a whole number in [lo, hi]; else warns
/// "view.<key> = <value> ignored". Absent keys change nothing and return false.
bool read_integer(const nlohmann::json& j, const char* key, long long lo, long long hi,
                  long long& value, const ViewWarn& warn);
/// The same for any integer type.
template <class T>
void read_integer(const nlohmann::json& j, const char* key, long long lo, long long hi, T& out,
                  const ViewWarn& warn) {
    long long v = 0;
    if (read_integer(j, key, lo, hi, v, warn)) out = static_cast<T>(v);
}

/// view["plots"][name]: the plot's log axes, auto-fit, ranges and hidden series.
void save_plot(nlohmann::json& view, const char* name, const PlotState& plot);
/// Reads view["plots"][name] when present (fields of the wrong type are skipped).
void load_plot(const nlohmann::json& view, const char* name, PlotState& plot);

}  // namespace kvscope::ui
