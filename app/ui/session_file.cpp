#include "ui/session_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <type_traits>

#include "io/json_text.hpp"
#include "session/run_output.hpp"
#include "ui/panels.hpp"

namespace kvscope::ui {

namespace {

using nlohmann::json;

const char* theme_name(Theme t) {
    switch (t) {
        case Theme::Light:
            return "light";
        case Theme::HighContrast:
            return "high_contrast";
        case Theme::Dark:
            break;
    }
    return "dark";
}

// The plots whose ranges and toggles a session keeps, by name (UiState or const UiState).
template <class State>
auto plots(State& ui) {
    using Plot = std::conditional_t<std::is_const_v<State>, const PlotState, PlotState>;
    return std::vector<std::pair<const char*, Plot*>>{{"error_time", &ui.error_time},
                                                      {"error_memory", &ui.error_memory},
                                                      {"split_errors", &ui.split_errors},
                                                      {"weights", &ui.weights},
                                                      {"walk", &ui.walk},
                                                      {"trunc_error", &ui.trunc_error},
                                                      {"logit_hist", &ui.logit_hist},
                                                      {"degree_error", &ui.degree_error},
                                                      {"monomials", &ui.monomials}};
}

constexpr const char* kColourNames[] = {"retained", "weight",   "tag",
                                        "bucket",   "key_norm", "token_index"};

json embedding_to_json(const EmbeddingViewState& e) {
    return json{{"colour_by", kColourNames[static_cast<int>(e.colour_by)]},
                {"size_by_weight", e.size_by_weight},
                {"field", e.field},
                {"field_mode", e.field_mode},
                {"three_d", e.three_d},
                {"show_query", e.show_query},
                {"show_hyperplanes", e.show_hyperplanes},
                {"show_probes", e.show_probes},
                {"auto_fit", e.auto_fit},
                {"zoom", e.zoom},
                {"centre", {e.centre[0], e.centre[1], e.centre[2]}},
                {"yaw", e.yaw},
                {"pitch", e.pitch}};
}

void embedding_from_json(const json& j, EmbeddingViewState& e,
                         const std::function<void(const std::string&)>& warn) {
    if (!j.is_object()) return;
    auto flag = [&j](const char* k, bool& out) {
        if (j.contains(k) && j[k].is_boolean()) out = j[k].get<bool>();
    };
    // A double beyond the float range cannot be converted (undefined behaviour): ignored.
    auto to_float = [](const json& v, float& out) {
        if (!v.is_number()) return false;
        const double x = v.get<double>();
        if (!(std::abs(x) <= 1e30)) return false;
        out = static_cast<float>(x);
        return true;
    };
    auto number = [&](const char* k, float& out) {
        if (j.contains(k) && !to_float(j[k], out)) {
            warn("view.embedding." + std::string(k) + " = " + json_excerpt(j[k]) + " ignored");
        }
    };
    if (j.contains("colour_by")) {
        bool known = false;
        for (int i = 0; i < static_cast<int>(EmbedColour::Count); ++i) {
            if (j["colour_by"] == kColourNames[i]) {
                e.colour_by = static_cast<EmbedColour>(i);
                known = true;
            }
        }
        if (!known) warn("view.embedding.colour_by = " + json_excerpt(j["colour_by"]) + " ignored");
    }
    flag("size_by_weight", e.size_by_weight);
    flag("field", e.field);
    flag("three_d", e.three_d);
    flag("show_query", e.show_query);
    flag("show_hyperplanes", e.show_hyperplanes);
    flag("show_probes", e.show_probes);
    flag("auto_fit", e.auto_fit);
    if (j.contains("field_mode") && j["field_mode"].is_number_integer()) {
        e.field_mode = std::clamp(j["field_mode"].get<int>(), 0, 2);
    }
    number("zoom", e.zoom);
    number("yaw", e.yaw);
    number("pitch", e.pitch);
    if (j.contains("centre") && j["centre"].is_array() && j["centre"].size() == 3) {
        for (std::size_t i = 0; i < 3; ++i)
            to_float(j["centre"][i], e.centre[i]);
    }
    if (!(e.zoom > 0)) e.zoom = 1;
}

json plot_to_json(const PlotState& p) {
    return json{{"log_x", p.log_x}, {"log_y", p.log_y},  {"auto_fit", p.auto_fit},
                {"x_min", p.x_min}, {"x_max", p.x_max},  {"y_min", p.y_min},
                {"y_max", p.y_max}, {"hidden", p.hidden}};
}

void plot_from_json(const json& j, PlotState& p) {
    auto flag = [&j](const char* k, bool& out) {
        if (j.contains(k) && j[k].is_boolean()) out = j[k].get<bool>();
    };
    auto number = [&j](const char* k, double& out) {
        if (j.contains(k) && j[k].is_number()) out = j[k].get<double>();
    };
    flag("log_x", p.log_x);
    flag("log_y", p.log_y);
    flag("auto_fit", p.auto_fit);
    number("x_min", p.x_min);
    number("x_max", p.x_max);
    number("y_min", p.y_min);
    number("y_max", p.y_max);
    if (j.contains("hidden") && j["hidden"].is_array()) {
        p.hidden.clear();
        for (const auto& h : j["hidden"])
            if (h.is_string()) p.hidden.push_back(h.get<std::string>());
    }
}

}  // namespace

json view_to_json(const UiState& ui, Index stream_position) {
    json plots_json = json::object();
    for (auto [name, plot] : plots(ui))
        plots_json[name] = plot_to_json(*plot);
    json view{{"stream_position", stream_position},
              {"theme", theme_name(ui.theme)},
              {"ui_scale", ui.ui_scale},
              {"speed", ui.speed},
              {"selected_sketch", ui.selected_sketch},
              {"error_metric", ui.error_metric},
              {"screenshot_scale", ui.screenshot_scale},
              {"screenshot_ui", ui.screenshot_with_ui},
              {"show_theory", ui.show_theory},
              {"embedding", embedding_to_json(ui.embedding)},
              {"plots", plots_json}};
    store_view_state(ui, view);  // the internals tab
    return view;
}

Index view_from_json(const json& view, UiState& ui, std::string& warnings) {
    warnings.clear();
    if (!view.is_object()) return 0;
    auto warn = [&warnings](const std::string& w) {
        warnings += (warnings.empty() ? "" : "; ") + w;
    };
    auto integer = [&](const char* key, auto lo, auto hi, auto& out) {
        if (!view.contains(key)) return;
        const json& v = view[key];
        if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
            warn(std::string("view.") + key + " = " + json_excerpt(v) + " ignored");
            return;
        }
        out = static_cast<std::decay_t<decltype(out)>>(v.get<std::int64_t>());
    };
    Index position = 0;
    integer("stream_position", 0, std::int64_t{1} << 40, position);
    integer("speed", 1, 1 << 20, ui.speed);
    integer("selected_sketch", 0, 1 << 16, ui.selected_sketch);
    integer("error_metric", 0, 64, ui.error_metric);
    integer("screenshot_scale", 1, 2, ui.screenshot_scale);
    if (view.contains("screenshot_ui") && view["screenshot_ui"].is_boolean()) {
        ui.screenshot_with_ui = view["screenshot_ui"].get<bool>();
    }
    if (view.contains("show_theory") && view["show_theory"].is_boolean()) {
        ui.show_theory = view["show_theory"].get<bool>();
    }
    if (view.contains("tab") &&
        (!view["tab"].is_string() || internals_tab_index(view["tab"].get<std::string>()) < 0)) {
        warn("view.tab = " + json_excerpt(view["tab"]) +
             " ignored (coreset, buckets or polynomial)");
    }
    apply_view_state(view, ui);  // the internals tab
    if (view.contains("embedding")) embedding_from_json(view["embedding"], ui.embedding, warn);
    if (view.contains("ui_scale")) {
        const json& v = view["ui_scale"];
        if (v.is_number() && v.get<double>() >= 0.5 && v.get<double>() <= 3.0) {
            ui.ui_scale = v.get<float>();
        } else {
            warn("view.ui_scale = " + json_excerpt(v) + " ignored (0.5 to 3)");
        }
    }
    if (view.contains("theme")) {
        const std::string t = view["theme"].is_string() ? view["theme"].get<std::string>() : "";
        if (t == "dark") {
            ui.theme = Theme::Dark;
        } else if (t == "light") {
            ui.theme = Theme::Light;
        } else if (t == "high_contrast") {
            ui.theme = Theme::HighContrast;
        } else {
            warn("view.theme = " + json_excerpt(view["theme"]) +
                 " ignored (dark, light or high_contrast)");
        }
    }
    if (view.contains("plots") && view["plots"].is_object()) {
        for (auto [name, plot] : plots(ui)) {
            if (view["plots"].contains(name) && view["plots"][name].is_object()) {
                plot_from_json(view["plots"][name], *plot);
            }
        }
    }
    return position;
}

json session_document(const Snapshot& snap, const UiState& ui) {
    json doc = to_json(snap.config);
    doc["view"] = view_to_json(ui, snap.tokens_seen);
    return doc;
}

std::string save_session(const std::filesystem::path& path, const Snapshot& snap,
                         const UiState& ui) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp);
        out << session_document(snap, ui).dump(2) << '\n';
        if (!out) return path.string() + ": cannot write the session file";
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return path.string() + ": cannot write the session file (" + ec.message() + ")";
    return {};
}

std::filesystem::path autosave_path() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
        return std::filesystem::path(xdg) / "kvscope" / "last_session.json";
    }
    if (const char* home = std::getenv("HOME"); home && *home) {
        return std::filesystem::path(home) / ".config" / "kvscope" / "last_session.json";
    }
    return "kvscope_last_session.json";
}

std::string run_csv(const Snapshot& snap) {
    return metrics_csv(snap.history, snap.config.timing);
}

void StreamCatchUp::start(Index position, Index tokens, std::uint64_t version) {
    remaining_ = std::clamp<Index>(position, 0, std::max<Index>(tokens, 0));
    sent_at_version_ = version;
}

Index StreamCatchUp::take() {
    const Index step = std::min(remaining_, kStepTokens);
    remaining_ -= step;
    return step;
}

Index StreamCatchUp::first() {
    return remaining_ > 0 ? take() : 0;
}

Index StreamCatchUp::next(const Snapshot& snap) {
    if (remaining_ <= 0 || snap.version <= sent_at_version_) return 0;
    sent_at_version_ = snap.version;
    return take();
}

std::filesystem::path numbered_path(const std::filesystem::path& dir, const std::string& stem,
                                    const std::string& ext) {
    for (int i = 1; i < 100000; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "_%04d", i);
        const std::filesystem::path p = dir / (stem + name + ext);
        if (!std::filesystem::exists(p)) return p;
    }
    return dir / (stem + "_overflow" + ext);
}

}  // namespace kvscope::ui
