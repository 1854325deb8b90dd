#include "ui/controls_panel.hpp"

#include <imgui.h>

#include <filesystem>
#include <string>

#include "core/registry.hpp"
#include "io/array_file.hpp"
#include "sources/source_registry.hpp"
#include "ui/param_widgets.hpp"
#include "ui/session_file.hpp"
#include "ui/timeline.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

// The keys file's stored shape (header only for .npy and .safetensors), read once per key.
const KeysProbe& probe_keys(KeysProbe& probe, const std::string& path, const std::string& tensor) {
    if (probe.done && probe.path == path && probe.tensor == tensor) return probe;
    probe = KeysProbe{path, tensor, true, {}, {}};
    try {
        probe.shape = load_array_block(path, tensor, [](const std::vector<Index>&) {
                          return std::pair<Index, Index>{0, 0};
                      }).shape;
    } catch (const std::exception& e) {
        probe.error = e.what();
    }
    return probe;
}

// Layer and head pickers for the file source: sliders bounded by the keys file's shape. A relative
// keys path is relative to the config's folder (`base_dir`), as the session reads it, not to the
// working directory.
void draw_layer_head_picker(ControlsPanelState& state, const std::filesystem::path& base_dir) {
    const nlohmann::json& p = state.source_params;
    std::string path =
        p.contains("keys") && p["keys"].is_string() ? p["keys"].get<std::string>() : "";
    if (!path.empty() && std::filesystem::path(path).is_relative() && !base_dir.empty())
        path = (base_dir / path).lexically_normal().string();
    if (path.empty()) {
        ImGui::TextDisabled("choose a keys file: Open... (Ctrl+O) or drop it on the window");
        return;
    }
    const std::string tensor = p.contains("keys_tensor") && p["keys_tensor"].is_string()
                                   ? p["keys_tensor"].get<std::string>()
                                   : "keys";
    const KeysProbe& probe = probe_keys(state.probe, path, tensor);
    if (!probe.error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", probe.error.c_str());
        return;
    }
    std::string shape = "keys shape [";
    for (std::size_t i = 0; i < probe.shape.size(); ++i)
        shape += (i ? ", " : "") + std::to_string(probe.shape[i]);
    ImGui::TextUnformatted((shape + "]").c_str());
    tip("2-D [tokens, dim], 3-D [heads, tokens, dim], 4-D [layers, heads, tokens, dim]");
    const std::size_t rank = probe.shape.size();
    auto picker = [&state](const char* key, Index count, const char* help) {
        int v = state.source_params.contains(key) && state.source_params[key].is_number_integer()
                    ? state.source_params[key].get<int>()
                    : 0;
        v = std::clamp(v, 0, static_cast<int>(count) - 1);
        if (ImGui::SliderInt(key, &v, 0, static_cast<int>(count) - 1)) state.source_params[key] = v;
        tip(help);
    };
    if (rank == 4) picker("layer", probe.shape[0], "Layer: first axis of the 4-D array");
    if (rank == 4) picker("head", probe.shape[1], "Head: second axis of the 4-D array");
    if (rank == 3) picker("head", probe.shape[0], "Head: first axis of the 3-D array");
}

const char* theme_label(Theme t) {
    switch (t) {
        case Theme::Light:
            return "light";
        case Theme::HighContrast:
            return "high contrast";
        case Theme::Dark:
            break;
    }
    return "dark";
}

void draw_session_section(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Session, export, view", ImGuiTreeNodeFlags_DefaultOpen)) return;
    Settings& settings = ctx.settings;
    if (ImGui::Button("Open...")) settings.show_file_browser = true;
    tip("Open a session or run config (.json), or a data file (.npy .npz .safetensors .csv) "
        "as the stream (Ctrl+O). Files can also be dropped on the window.");
    ImGui::SameLine();
    if (ImGui::Button("Save")) ctx.sink.request({Request::Kind::SaveSession});
    tip("Save the session (run config + view) to kvscope_session.json (Ctrl+S); "
        "`kvscope run --config` reproduces its numbers");
    ImGui::SameLine();
    if (ImGui::Button("Restore last")) ctx.sink.request({Request::Kind::RestoreLastSession});
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Open the autosaved last session (%s)", autosave_path().c_str());
    }
    ImGui::SameLine();
    if (ImGui::Button("Export CSV")) ctx.sink.request({Request::Kind::ExportCsv});
    tip("Write the run-level CSV (every metric row so far), in exactly the schema of "
        "`kvscope run`'s metrics.csv, to kvscope_metrics_NNNN.csv");
    if (ImGui::Button("Screenshot")) ctx.sink.request({Request::Kind::Screenshot});
    tip("Save a PNG (F12) with a .session.json sidecar, auto-numbered kvscope_NNNN.png");
    ImGui::SameLine();
    ImGui::RadioButton("1x", &settings.screenshot_scale, 1);
    tip("At the window's size");
    ImGui::SameLine();
    ImGui::RadioButton("2x", &settings.screenshot_scale, 2);
    tip("Rendered offscreen at twice the window's size (fonts and lines drawn at 2x)");
    ImGui::SameLine();
    ImGui::Checkbox("with UI", &settings.screenshot_with_ui);
    tip("Off: only the views (embedding, plots), without the controls and status line");
    if (ImGui::BeginCombo("theme", theme_label(settings.theme))) {
        for (Theme t : {Theme::Dark, Theme::Light, Theme::HighContrast}) {
            if (ImGui::Selectable(theme_label(t), settings.theme == t)) settings.theme = t;
        }
        ImGui::EndCombo();
    }
    tip("Dark, light, or high contrast (for projectors and low vision)");
    ImGui::SliderFloat("UI scale", &settings.ui_scale, 0.5f, 3.0f, "%.1fx");
    tip("Text and widget size; starts at the monitor's content scale (Ctrl + / Ctrl -)");
}

void draw_transport(PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    if (snap.playing) {
        if (ImGui::Button("Pause")) ctx.sink.send(command::Pause{});
    } else {
        if (ImGui::Button(" Play ")) ctx.sink.send(command::Play{});
    }
    tip("Stream tokens continuously (Space)");
    ImGui::SameLine();
    if (ImGui::Button("Step")) ctx.sink.send(command::Step{ctx.settings.speed});
    tip("Advance by one tick of `speed` tokens and evaluate (Right arrow)");
    ImGui::SameLine();
    if (ImGui::Button("Reset")) ctx.sink.send(command::Reset{});
    tip("Rewind the stream and every sketch, same seed (R)");
    ImGui::SameLine();
    if (ImGui::Button("New seed")) ctx.sink.send(command::NewSeed{snap.config->seed + 1});
    tip("Restart with the next seed, keeping the sketches as edited (Shift+R)");

    int speed = static_cast<int>(ctx.settings.speed);
    if (ImGui::SliderInt("tokens / tick", &speed, 1, 8192, "%d", ImGuiSliderFlags_Logarithmic)) {
        ctx.settings.speed = speed;
        ctx.sink.send(command::SetSpeed{ctx.settings.speed});
    }
    tip("Tokens ingested per worker tick while playing");

    const float frac =
        snap.tokens_target > 0 ? static_cast<float>(snap.tokens_seen) / snap.tokens_target : 0.0f;
    const std::string counter =
        std::to_string(snap.tokens_seen) + " / " + std::to_string(snap.tokens_target) + " tokens";
    ImGui::ProgressBar(frac, ImVec2(-1, 0), counter.c_str());
    tip("Tokens the scene is at / stream length");
    draw_timeline(ctx);
    ImGui::Text("seed %llu   d = %d   d_v = %d   beta = %.4g",
                static_cast<unsigned long long>(snap.config->seed), snap.dim, snap.value_dim,
                snap.beta);
    tip("Kernel weight exp(beta <k, q>); beta = 1/sqrt(d) unless the config sets a number");
}

void draw_source_picker(ControlsPanelState& state, PanelContext& ctx) {
    const RunConfig& config = *ctx.snap.config;
    const auto& sources = builtin_sources().all();
    // The picker follows the running source whenever it changes (opened file, session, apply).
    const SourceKey running{config.source_id, config.source_params};
    if (state.source_choice < 0 || running != state.synced) {
        state.synced = running;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            if (sources[i].id == config.source_id) state.source_choice = static_cast<int>(i);
        }
        state.source_params = config.source_params;
    }
    const int choice = std::max(0, state.source_choice);
    const SourceInfo& source = sources[static_cast<std::size_t>(choice)];
    if (ImGui::BeginCombo("source", source.id.c_str())) {
        for (std::size_t i = 0; i < sources.size(); ++i) {
            if (ImGui::Selectable(sources[i].id.c_str(), static_cast<int>(i) == choice)) {
                state.source_choice = static_cast<int>(i);
                state.source_params = nlohmann::json::object();
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", sources[i].summary.c_str());
        }
        ImGui::EndCombo();
    }
    tip(source.summary.c_str());
    edit_params(source.params, state.source_params);
    if (source.id == "file") draw_layer_head_picker(state, config.base_dir);
    if (ImGui::Button("Apply source")) {
        RunConfig next = config;
        next.source_id = source.id;
        next.source_params = state.source_params;
        next.source_label.clear();  // no longer an instance of an opened source sweep
        ctx.sink.send(command::Configure{next});
    }
    tip("Restart every sketch on this stream (the current session stays if the source fails)");
}

}  // namespace

void draw_controls_panel(ControlsPanelState& state, PanelContext& ctx) {
    draw_transport(ctx);
    ImGui::Separator();
    draw_source_picker(state, ctx);
    ImGui::Separator();
    draw_session_section(ctx);
}

PanelInfo controls_panel() {
    return panel_info<ControlsPanelState>("controls", "Controls", "Play, step, speed, source",
                                          Place::ControlsColumn, draw_controls_panel);
}

}  // namespace kvscope::ui
