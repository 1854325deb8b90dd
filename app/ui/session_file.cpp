#include "ui/session_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>

#include "io/json_text.hpp"
#include "session/run_output.hpp"
#include "ui/panel_csv.hpp"
#include "ui/view_json.hpp"

namespace kvscope::ui {

namespace {

using nlohmann::json;

constexpr const char* kThemeNames[] = {"dark", "light", "high_contrast"};

const char* theme_name(Theme t) {
    return kThemeNames[static_cast<int>(t)];
}

void load_theme(const json& view, Settings& settings, const ViewWarn& warn) {
    if (!view.contains("theme")) return;
    const std::string t = view["theme"].is_string() ? view["theme"].get<std::string>() : "";
    for (Theme theme : {Theme::Dark, Theme::Light, Theme::HighContrast}) {
        if (t == theme_name(theme)) {
            settings.theme = theme;
            return;
        }
    }
    warn("view.theme = " + json_excerpt(view["theme"]) + " ignored (dark, light or high_contrast)");
}

void load_ui_scale(const json& view, Settings& settings, const ViewWarn& warn) {
    if (!view.contains("ui_scale")) return;
    const json& v = view["ui_scale"];
    if (v.is_number() && v.get<double>() >= 0.5 && v.get<double>() <= 3.0) {
        settings.ui_scale = v.get<float>();
    } else {
        warn("view.ui_scale = " + json_excerpt(v) + " ignored (0.5 to 3)");
    }
}

// "tab": the Sketch internals tab, kept on the first frame even if another fits the sketch;
// "bottom_tab": the tab under the embedding (Attention error or Source sweep).
void load_tab(const json& view, const char* field, Place place, Workspace& w,
              const ViewWarn& warn) {
    if (!view.contains(field)) return;
    const std::vector<std::string> keys = w.keys(place);
    const bool known =
        view[field].is_string() &&
        std::find(keys.begin(), keys.end(), view[field].get<std::string>()) != keys.end();
    if (known) {
        w.show_tab(view[field].get<std::string>(), true);
        return;
    }
    std::string names;
    for (std::size_t i = 0; i < keys.size(); ++i)
        names += (i == 0 ? "" : i + 1 == keys.size() ? " or " : ", ") + keys[i];
    warn("view." + std::string(field) + " = " + json_excerpt(view[field]) + " ignored (" + names +
         ")");
}

}  // namespace

json view_to_json(const Workspace& w, Index stream_position) {
    const Settings& s = w.settings;
    json view{{"stream_position", stream_position},
              {"theme", theme_name(s.theme)},
              {"ui_scale", s.ui_scale},
              {"speed", s.speed},
              {"selected_sketch", w.selection.sketch},
              {"screenshot_scale", s.screenshot_scale},
              {"screenshot_ui", s.screenshot_with_ui},
              {"tab", w.tab(Place::Internals)},
              {"bottom_tab", w.tab(Place::ViewBottom)},
              {"plots", json::object()}};
    w.save_panels(view);
    // The metric by its CSV key, so a session stays valid when the metric list changes; the
    // error panel keeps an index (an old session's index still loads there).
    const auto& metrics = error_metrics();
    const auto metric = view.find("error_metric");
    if (metric != view.end() && metric->is_number_integer() && metric->get<std::int64_t>() >= 0 &&
        metric->get<std::int64_t>() < static_cast<std::int64_t>(metrics.size())) {
        *metric = metrics[static_cast<std::size_t>(metric->get<std::int64_t>())].key;
    }
    return view;
}

Index view_from_json(const json& view, Workspace& w, std::string& warnings) {
    warnings.clear();
    if (!view.is_object()) return 0;
    const ViewWarn warn = [&warnings](const std::string& text) {
        warnings += (warnings.empty() ? "" : "; ") + text;
    };
    Settings& s = w.settings;
    Index position = 0;
    read_integer(view, "stream_position", 0, std::int64_t{1} << 40, position, warn);
    read_integer(view, "speed", 1, 1 << 20, s.speed, warn);
    read_integer(view, "selected_sketch", 0, 1 << 16, w.selection.sketch, warn);
    read_integer(view, "screenshot_scale", 1, 2, s.screenshot_scale, warn);
    read_flag(view, "screenshot_ui", s.screenshot_with_ui);
    load_tab(view, "tab", Place::Internals, w, warn);
    load_tab(view, "bottom_tab", Place::ViewBottom, w, warn);
    load_ui_scale(view, s, warn);
    load_theme(view, s, warn);
    w.load_panels(view, warn);
    return position;
}

json session_document(const Snapshot& snap, const Workspace& w) {
    json doc = to_json(*snap.config);
    doc["view"] = view_to_json(w, snap.tokens_seen);
    return doc;
}

std::string save_session(const std::filesystem::path& path, const Snapshot& snap,
                         const Workspace& w) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp);
        out << session_document(snap, w).dump(2) << '\n';
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
    return metrics_csv(snap.history.span(), snap.config->timing);
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
    if (!snap.error.empty()) {  // the Configure was refused: never step the scene left running
        remaining_ = 0;
        return 0;
    }
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
