#include <imgui.h>

#include <random>
#include <string>

#include "core/registry.hpp"
#include "ui/panels.hpp"
#include "ui/param_widgets.hpp"

namespace kvscope::ui {

namespace {

void tip(const char* text) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
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
    if (ui.source_choice < 0) {
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
    if (ImGui::Button("Apply source")) {
        RunConfig next = snap.config;
        next.source_id = sources[static_cast<std::size_t>(choice)].id;
        next.source_params = ui.source_params;
        ui.commands.push_back(command::Configure{next});
    }
    tip("Restart every sketch on this stream (the current session stays if the source fails)");
}

}  // namespace kvscope::ui
