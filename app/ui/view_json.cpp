#include "ui/view_json.hpp"

#include <cmath>

#include "io/json_text.hpp"

namespace kvscope::ui {

using nlohmann::json;

void read_flag(const json& j, const char* key, bool& out) {
    if (j.contains(key) && j[key].is_boolean()) out = j[key].get<bool>();
}

bool to_float(const json& v, float& out) {
    if (!v.is_number()) return false;
    const double x = v.get<double>();
    // A double beyond the float range cannot be converted (undefined behaviour): refused.
    if (!(std::abs(x) <= 1e30)) return false;
    out = static_cast<float>(x);
    return true;
}

void read_number(const json& j, const char* key, float& out) {
    if (j.contains(key)) to_float(j[key], out);
}

void read_float(const json& j, const char* key, const std::string& path, float& out,
                const ViewWarn& warn) {
    if (j.contains(key) && !to_float(j[key], out)) {
        warn(path + "." + key + " = " + json_excerpt(j[key]) + " ignored");
    }
}

void read_number(const json& j, const char* key, double& out) {
    if (j.contains(key) && j[key].is_number()) out = j[key].get<double>();
}

bool read_integer(const json& j, const char* key, long long lo, long long hi, long long& value,
                  const ViewWarn& warn) {
    if (!j.contains(key)) return false;
    const json& v = j[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
        warn(std::string("view.") + key + " = " + json_excerpt(v) + " ignored");
        return false;
    }
    value = v.get<std::int64_t>();
    return true;
}

void save_plot(json& view, const char* name, const PlotState& p) {
    view["plots"][name] = json{{"log_x", p.log_x}, {"log_y", p.log_y},  {"auto_fit", p.auto_fit},
                               {"x_min", p.x_min}, {"x_max", p.x_max},  {"y_min", p.y_min},
                               {"y_max", p.y_max}, {"hidden", p.hidden}};
}

void load_plot(const json& view, const char* name, PlotState& p) {
    if (!view.contains("plots") || !view["plots"].is_object()) return;
    const json& plots = view["plots"];
    if (!plots.contains(name) || !plots[name].is_object()) return;
    const json& j = plots[name];
    read_flag(j, "log_x", p.log_x);
    read_flag(j, "log_y", p.log_y);
    read_flag(j, "auto_fit", p.auto_fit);
    read_number(j, "x_min", p.x_min);
    read_number(j, "x_max", p.x_max);
    read_number(j, "y_min", p.y_min);
    read_number(j, "y_max", p.y_max);
    if (j.contains("hidden") && j["hidden"].is_array()) {
        p.hidden.clear();
        for (const auto& h : j["hidden"])
            if (h.is_string()) p.hidden.push_back(h.get<std::string>());
    }
}

}  // namespace kvscope::ui
