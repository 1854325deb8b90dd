#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ui/palette.hpp"
#include "ui/panels.hpp"

namespace kvscope::ui {

namespace {

// Retained positions on the token timeline: one pixel column per slice of the stream, brightness
// = share of that slice kept, colour = the most common tag in it.
// The token hovered in any panel (UiState::hovered_token) is marked with a white line.
void draw_timeline(const SketchView& view, Index tokens_seen, Index hovered) {
    const float width = ImGui::GetContentRegionAvail().x;
    const float height = 2.2f * ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##timeline", ImVec2(width, height));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + height), ImGui::GetColorU32(ImGuiCol_FrameBg));
    if (tokens_seen <= 0) return;
    const int columns = std::max(1, static_cast<int>(width));
    std::vector<int> kept(static_cast<std::size_t>(columns), 0);
    std::vector<int> tag(static_cast<std::size_t>(columns), 0);
    for (const auto& t : view.retained) {
        if (t.position < 0) continue;
        const int c = static_cast<int>(static_cast<double>(t.position) / tokens_seen * columns);
        const auto k = static_cast<std::size_t>(std::clamp(c, 0, columns - 1));
        ++kept[k];
        tag[k] = t.tag;
    }
    const double per_column = static_cast<double>(tokens_seen) / columns;
    for (int c = 0; c < columns; ++c) {
        const auto k = static_cast<std::size_t>(c);
        if (kept[k] == 0) continue;
        const float share = static_cast<float>(std::min(1.0, kept[k] / std::max(1.0, per_column)));
        const ImU32 colour =
            view.tag_meaning.empty() ? viridis(0.6f + 0.4f * share) : category_colour(tag[k]);
        const float top = p.y + height * (1.0f - std::max(0.25f, std::sqrt(share)));
        dl->AddRectFilled(ImVec2(p.x + c, top), ImVec2(p.x + c + 1, p.y + height), colour);
    }
    if (hovered >= 0 && hovered < tokens_seen) {
        const float x =
            p.x + static_cast<float>(static_cast<double>(hovered) / tokens_seen * width);
        dl->AddLine(ImVec2(x, p.y - 2), ImVec2(x, p.y + height + 2), IM_COL32(255, 255, 255, 255),
                    2.0f);
    }
    if (ImGui::IsItemHovered()) {
        const float fx = (ImGui::GetIO().MousePos.x - p.x) / width;
        const auto c =
            static_cast<std::size_t>(std::clamp(static_cast<int>(fx * columns), 0, columns - 1));
        ImGui::SetTooltip("tokens %lld..%lld: %d kept%s%s", static_cast<long long>(c * per_column),
                          static_cast<long long>((c + 1) * per_column), kept[c],
                          view.tag_meaning.empty() ? "" : "\ncolour: ", view.tag_meaning.c_str());
    }
}

void draw_merge_tree(const MergeTreeView& tree) {
    ImGui::Text("buffer %lld / %lld raw tokens", static_cast<long long>(tree.buffer_size),
                static_cast<long long>(tree.buffer_capacity));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float h = ImGui::GetTextLineHeight();
    const float w = std::min(240.0f, ImGui::GetContentRegionAvail().x * 0.6f);
    for (const auto& level : tree.levels) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float fill = level.capacity > 0 ? static_cast<float>(level.occupancy) /
                                                    static_cast<float>(level.capacity)
                                              : 0.0f;
        dl->AddRect(p, ImVec2(p.x + w, p.y + h), ImGui::GetColorU32(ImGuiCol_Border));
        dl->AddRectFilled(p, ImVec2(p.x + w * std::min(1.0f, fill), p.y + h),
                          category_colour(level.level));
        ImGui::Dummy(ImVec2(w, h));
        ImGui::SameLine();
        ImGui::Text("level %d  weight %g  %lld/%lld", level.level, level.weight,
                    static_cast<long long>(level.occupancy),
                    static_cast<long long>(level.capacity));
    }
    if (!tree.recent_carries.empty()) {
        const auto& c = tree.recent_carries.back();
        ImGui::Text("last carry: level %d -> %d at token %lld", c.from_level, c.to_level,
                    static_cast<long long>(c.at_token));
    }
}

}  // namespace

void draw_coreset_panel(const Snapshot& snap, UiState& ui) {
    if (snap.sketches.empty()) {
        ImGui::TextDisabled("No sketch running. Add one in the Sketches panel.");
        return;
    }
    ui.selected_sketch =
        std::clamp(ui.selected_sketch, 0, static_cast<int>(snap.sketches.size()) - 1);
    const SketchSnapshot& s = snap.sketches[static_cast<std::size_t>(ui.selected_sketch)];
    const SketchView& view = s.view;
    ImGui::Text("%s  [%s]: %zu stored of %lld seen", s.spec.label.c_str(),
                s.spec.params_text.c_str(), view.retained.size(),
                static_cast<long long>(s.stats.seen));
    if (view.subset_of_stream) {
        ImGui::TextDisabled("retained tokens on the stream timeline (select a sketch to switch)");
        draw_timeline(view, snap.tokens_seen, ui.hovered_token);
    }
    if (!view.retained.empty()) {
        std::vector<double> w;
        w.reserve(view.retained.size());
        for (const auto& t : view.retained)
            w.push_back(t.weight_num);
        if (begin_plot("weights", ui.weights, ImVec2(0, 150), "numerator weight", "tokens")) {
            plot_histogram("weights", w.data(), static_cast<int>(w.size()), 30,
                           category_colour(ui.selected_sketch, 0.8f));
            end_plot();
        }
    }
    if (view.merge_tree) draw_merge_tree(*view.merge_tree);
    if (view.walk && !view.walk->steps.empty()) {
        std::vector<double> x, bias, prob;
        for (std::size_t i = 0; i < view.walk->steps.size(); ++i) {
            x.push_back(static_cast<double>(i));
            bias.push_back(view.walk->steps[i].bias);
            prob.push_back(view.walk->steps[i].probability);
        }
        if (begin_plot("walk", ui.walk, ImVec2(0, 150), "step", "p(+1), bias")) {
            plot_line("p(+1)", x.data(), prob.data(), static_cast<int>(x.size()),
                      category_colour(1));
            plot_line("bias s_j", x.data(), bias.data(), static_cast<int>(x.size()),
                      category_colour(5));
            end_plot();
        }
    }
    if (!view.scalars.empty() && ImGui::BeginTable("scalars", 2, ImGuiTableFlags_RowBg)) {
        for (const auto& [name, value] : view.scalars) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.6g", value);
        }
        ImGui::EndTable();
    }
}

void draw_help_overlay(UiState& ui) {
    if (!ui.show_help) return;
    ImGui::SetNextWindowBgAlpha(0.92f);
    if (ImGui::Begin("Help (F1)", &ui.show_help, ImGuiWindowFlags_AlwaysAutoResize)) {
        const char* rows[][2] = {{"Space", "play / pause"},
                                 {"Right", "step one tick"},
                                 {"R", "reset (same seed)"},
                                 {"Shift+R", "new seed"},
                                 {"F12 or S", "screenshot (PNG + JSON sidecar)"},
                                 {"Ctrl+S", "save session"},
                                 {"F1", "this help"},
                                 {"Ctrl + / Ctrl -", "UI scale"},
                                 {"plots",
                                  "wheel zoom, drag pan, right-drag box zoom, "
                                  "double-click fit, click legend to toggle"}};
        if (ImGui::BeginTable("keys", 2)) {
            for (const auto& r : rows) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(r[0]);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(r[1]);
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

void draw_status_line(const Snapshot& snap, const UiState& ui) {
    if (!snap.error.empty()) {
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.35f, 1.0f), "error: %s", snap.error.c_str());
    } else if (!ui.status.empty()) {
        ImGui::TextUnformatted(ui.status.c_str());
    } else {
        ImGui::Text("%s  %lld tokens  %zu sketches", snap.playing ? "playing" : "paused",
                    static_cast<long long>(snap.tokens_seen), snap.sketches.size());
    }
}

}  // namespace kvscope::ui
