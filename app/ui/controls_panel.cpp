#include <imgui.h>

#include <random>
#include <string>

#include "core/registry.hpp"
#include "io/array_file.hpp"
#include "sources/source_registry.hpp"
#include "ui/panels.hpp"
#include "ui/param_widgets.hpp"
#include "ui/session_file.hpp"

namespace kvscope::ui {

namespace {

void tip(const char* text) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

// Layer and head pickers for the file source: the keys file's stored shape is read once per
// path (header only for .npy and .safetensors), and sliders bounded by it edit layer and head.
void draw_layer_head_picker(UiState& ui) {
    const nlohmann::json& p = ui.source_params;
    const std::string path =
        p.contains("keys") && p["keys"].is_string() ? p["keys"].get<std::string>() : "";
    if (path.empty()) {
        ImGui::TextDisabled("choose a keys file: Open... (Ctrl+O) or drop it on the window");
        return;
    }
    const std::string tensor = p.contains("keys_tensor") && p["keys_tensor"].is_string()
                                   ? p["keys_tensor"].get<std::string>()
                                   : "keys";
    const std::string probe_key = path + "#" + tensor;
    if (ui.probed_path != probe_key) {
        ui.probed_path = probe_key;
        ui.probed_shape.clear();
        ui.probe_error.clear();
        try {
            ui.probed_shape = load_array_block(path, tensor, [](const std::vector<Index>&) {
                                  return std::pair<Index, Index>{0, 0};
                              }).shape;
        } catch (const std::exception& e) {
            ui.probe_error = e.what();
        }
    }
    if (!ui.probe_error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", ui.probe_error.c_str());
        return;
    }
    std::string shape = "keys shape [";
    for (std::size_t i = 0; i < ui.probed_shape.size(); ++i)
        shape += (i ? ", " : "") + std::to_string(ui.probed_shape[i]);
    ImGui::TextUnformatted((shape + "]").c_str());
    tip("2-D [tokens, dim], 3-D [heads, tokens, dim], 4-D [layers, heads, tokens, dim]");
    const std::size_t rank = ui.probed_shape.size();
    auto picker = [&ui](const char* key, Index count, const char* help) {
        int v = ui.source_params.contains(key) && ui.source_params[key].is_number_integer()
                    ? ui.source_params[key].get<int>()
                    : 0;
        v = std::clamp(v, 0, static_cast<int>(count) - 1);
        if (ImGui::SliderInt(key, &v, 0, static_cast<int>(count) - 1)) ui.source_params[key] = v;
        tip(help);
    };
    if (rank == 4) picker("layer", ui.probed_shape[0], "Layer: first axis of the 4-D array");
    if (rank == 4) picker("head", ui.probed_shape[1], "Head: second axis of the 4-D array");
    if (rank == 3) picker("head", ui.probed_shape[0], "Head: first axis of the 3-D array");
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

void draw_session_section(UiState& ui) {
    if (!ImGui::CollapsingHeader("Session, export, view", ImGuiTreeNodeFlags_DefaultOpen)) return;
    if (ImGui::Button("Open...")) ui.browser.open = true;
    tip("Open a session or run config (.json), or a data file (.npy .npz .safetensors .csv) "
        "as the stream (Ctrl+O). Files can also be dropped on the window.");
    ImGui::SameLine();
    if (ImGui::Button("Save")) ui.request_save = true;
    tip("Save the session (run config + view) to kvscope_session.json (Ctrl+S); "
        "`kvscope run --config` reproduces its numbers");
    ImGui::SameLine();
    if (ImGui::Button("Restore last")) ui.request_restore = true;
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Open the autosaved last session (%s)", autosave_path().c_str());
    }
    ImGui::SameLine();
    if (ImGui::Button("Export CSV")) ui.request_export_csv = true;
    tip("Write the run-level CSV (every metric row so far), in exactly the schema of "
        "`kvscope run`'s metrics.csv, to kvscope_metrics_NNNN.csv");
    if (ImGui::Button("Screenshot")) ui.request_screenshot = true;
    tip("Save a PNG (F12) with a .session.json sidecar, auto-numbered kvscope_NNNN.png");
    ImGui::SameLine();
    ImGui::RadioButton("1x", &ui.screenshot_scale, 1);
    tip("At the window's size");
    ImGui::SameLine();
    ImGui::RadioButton("2x", &ui.screenshot_scale, 2);
    tip("Rendered offscreen at twice the window's size (fonts and lines drawn at 2x)");
    ImGui::SameLine();
    ImGui::Checkbox("with UI", &ui.screenshot_with_ui);
    tip("Off: only the views (embedding, plots), without the controls and status line");
    if (ImGui::BeginCombo("theme", theme_label(ui.theme))) {
        for (Theme t : {Theme::Dark, Theme::Light, Theme::HighContrast}) {
            if (ImGui::Selectable(theme_label(t), ui.theme == t)) ui.theme = t;
        }
        ImGui::EndCombo();
    }
    tip("Dark, light, or high contrast (for projectors and low vision)");
    ImGui::SliderFloat("UI scale", &ui.ui_scale, 0.5f, 3.0f, "%.1fx");
    tip("Text and widget size; starts at the monitor's content scale (Ctrl + / Ctrl -)");
}

}  // namespace

void draw_controls_panel(const Snapshot& snap, UiState& ui) {
    if (snap.playing) {
        if (ImGui::Button("Pause")) ui.commands.push_back(command::Pause{});
    } else {
        if (ImGui::Button(" Play ")) ui.commands.push_back(command::Play{});
    }
    tip("Stream tokens continuously (Space)");
    ImGui::SameLine();
    if (ImGui::Button("Step")) ui.commands.push_back(command::Step{ui.speed});
    tip("Advance by one tick of `speed` tokens and evaluate (Right arrow)");
    ImGui::SameLine();
    if (ImGui::Button("Reset")) ui.commands.push_back(command::Reset{});
    tip("Rewind the stream and every sketch, same seed (R)");
    ImGui::SameLine();
    if (ImGui::Button("New seed")) {
        ui.commands.push_back(command::NewSeed{snap.config.seed + 1});
    }
    tip("Restart with the next seed (Shift+R)");

    int speed = static_cast<int>(ui.speed);
    if (ImGui::SliderInt("tokens / tick", &speed, 1, 8192, "%d", ImGuiSliderFlags_Logarithmic)) {
        ui.speed = speed;
        ui.commands.push_back(command::SetSpeed{ui.speed});
    }
    tip("Tokens ingested per worker tick while playing");

    const float frac =
        snap.tokens_target > 0 ? static_cast<float>(snap.tokens_seen) / snap.tokens_target : 0.0f;
    const std::string counter =
        std::to_string(snap.tokens_seen) + " / " + std::to_string(snap.tokens_target) + " tokens";
    ImGui::ProgressBar(frac, ImVec2(-1, 0), counter.c_str());
    tip("Tokens streamed so far / stream length");
    ImGui::Text("seed %llu   d = %d   d_v = %d   beta = %.4g",
                static_cast<unsigned long long>(snap.config.seed), snap.dim, snap.value_dim,
                snap.beta);
    tip("Kernel weight exp(beta <k, q>); beta = 1/sqrt(d) unless the config sets a number");

    ImGui::Separator();
    const auto& sources = builtin_sources().all();
    // The picker follows the running source whenever it changes (opened file, session, apply).
    const std::string running = snap.config.source_id + snap.config.source_params.dump();
    if (ui.source_choice < 0 || running != ui.synced_source) {
        ui.synced_source = running;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            if (sources[i].id == snap.config.source_id) ui.source_choice = static_cast<int>(i);
        }
        ui.source_params = snap.config.source_params;
    }
    const int choice = std::max(0, ui.source_choice);
    if (ImGui::BeginCombo("source", sources[static_cast<std::size_t>(choice)].id.c_str())) {
        for (std::size_t i = 0; i < sources.size(); ++i) {
            if (ImGui::Selectable(sources[i].id.c_str(), static_cast<int>(i) == choice)) {
                ui.source_choice = static_cast<int>(i);
                ui.source_params = nlohmann::json::object();
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", sources[i].summary.c_str());
        }
        ImGui::EndCombo();
    }
    tip(sources[static_cast<std::size_t>(choice)].summary.c_str());
    edit_params(sources[static_cast<std::size_t>(choice)].params, ui.source_params);
    if (sources[static_cast<std::size_t>(choice)].id == "file") draw_layer_head_picker(ui);
    if (ImGui::Button("Apply source")) {
        RunConfig next = snap.config;
        next.source_id = sources[static_cast<std::size_t>(choice)].id;
        next.source_params = ui.source_params;
        ui.commands.push_back(command::Configure{next});
    }
    tip("Restart every sketch on this stream (the current session stays if the source fails)");
    ImGui::Separator();
    draw_session_section(ui);
}

}  // namespace kvscope::ui
