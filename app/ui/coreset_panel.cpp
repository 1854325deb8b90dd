#include "ui/coreset_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "scene/palette.hpp"
#include "ui/sketch_views.hpp"
#include "ui/view_json.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

using scene::category_colour;
using scene::viridis;

// Retained positions on the token timeline: one pixel column per slice of the stream, brightness
// = share of that slice kept, colour = the most common tag in it.
// The token hovered in any panel (Selection::hovered_token) is marked with a white line; event
// markers (timeline_markers) as thin lines, a lesson step's in amber with a notch on top.
void draw_timeline(const SketchView& view, Index tokens_seen, Index hovered,
                   const std::vector<TimelineMarker>& markers) {
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
    std::string near;  // markers under the mouse
    const float mouse_x = ImGui::GetIO().MousePos.x;
    for (const auto& m : markers) {
        if (m.at < 0 || m.at > tokens_seen) continue;
        const float x = p.x + static_cast<float>(static_cast<double>(m.at) / tokens_seen * width);
        const ImU32 col = m.strong ? IM_COL32(250, 200, 80, 255)
                                   : ImGui::GetColorU32(ImGuiCol_TextDisabled, 0.7f);
        dl->AddLine(ImVec2(x, p.y), ImVec2(x, p.y + height), col, m.strong ? 2.0f : 1.0f);
        if (m.strong) {
            dl->AddTriangleFilled(ImVec2(x - 4, p.y - 5), ImVec2(x + 4, p.y - 5), ImVec2(x, p.y),
                                  col);
        }
        if (std::abs(mouse_x - x) <= 4) near += "\n" + m.label + " (" + std::to_string(m.at) + ")";
    }
    if (ImGui::IsItemHovered()) {
        const float fx = (mouse_x - p.x) / width;
        const auto c =
            static_cast<std::size_t>(std::clamp(static_cast<int>(fx * columns), 0, columns - 1));
        ImGui::SetTooltip(
            "tokens %lld..%lld: %d kept%s%s%s", static_cast<long long>(c * per_column),
            static_cast<long long>((c + 1) * per_column), kept[c],
            view.tag_meaning.empty() ? "" : "\ncolour: ", view.tag_meaning.c_str(), near.c_str());
    }
}

// Levels as bars (fill = occupancy, colour = level on viridis). Carries are animated as they
// happen: an arrow from the level halved to the level it fed, fading over the next tokens
// (measured in tokens, not seconds, so scripted screenshots are deterministic).
void draw_merge_tree(const MergeTreeView& tree, Index tokens_seen) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float h = ImGui::GetTextLineHeight();
    // The bars leave room for their labels, so "64/64" is not cut at the panel's edge.
    float label_w = 0;
    for (const auto& level : tree.levels) {
        char text[96];
        std::snprintf(text, sizeof text, "level %d  weight %g  %lld/%lld", level.level,
                      level.weight, static_cast<long long>(level.occupancy),
                      static_cast<long long>(level.capacity));
        label_w = std::max(label_w, ImGui::CalcTextSize(text).x);
    }
    const float avail = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x;
    const float w =
        std::max(3 * h, std::min({16 * ImGui::GetFontSize(), avail * 0.6f, avail - label_w}));
    std::vector<std::pair<int, float>> row_y;  // level -> row centre (level 0: the buffer)
    const ImVec2 b = ImGui::GetCursorScreenPos();
    row_y.emplace_back(0, b.y + h / 2);
    ImGui::Text("buffer %lld / %lld raw tokens", static_cast<long long>(tree.buffer_size),
                static_cast<long long>(tree.buffer_capacity));
    int top = 1;
    for (const auto& level : tree.levels)
        top = std::max(top, level.level);
    const Index fade = std::max<Index>(2048, 16 * tree.buffer_capacity);
    for (const auto& level : tree.levels) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        row_y.emplace_back(level.level, p.y + h / 2);
        const float fill = level.capacity > 0 ? static_cast<float>(level.occupancy) /
                                                    static_cast<float>(level.capacity)
                                              : 0.0f;
        dl->AddRect(p, ImVec2(p.x + w, p.y + h), ImGui::GetColorU32(ImGuiCol_Border));
        dl->AddRectFilled(p, ImVec2(p.x + w * std::min(1.0f, fill), p.y + h),
                          viridis(0.15f + 0.8f * static_cast<float>(level.level) / top));
        ImGui::Dummy(ImVec2(w, h));
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("level %d: %lld of %lld items, weight %g (min %g, max %g)",
                              level.level, static_cast<long long>(level.occupancy),
                              static_cast<long long>(level.capacity), level.weight,
                              level.weight_min, level.weight_max);
        }
        ImGui::SameLine();
        ImGui::Text("level %d  weight %g  %lld/%lld", level.level, level.weight,
                    static_cast<long long>(level.occupancy),
                    static_cast<long long>(level.capacity));
    }
    auto y_of = [&row_y](int level) {
        for (const auto& [l, y] : row_y)
            if (l == level) return y;
        return -1.0f;
    };
    const float x = b.x + w + 2;  // the gap between the bars and their labels
    for (const auto& c : tree.recent_carries) {
        const Index age = tokens_seen - c.at_token;
        if (age < 0 || age >= fade) continue;
        const float y0 = y_of(c.from_level), y1 = y_of(c.to_level);
        if (y0 < 0 || y1 < 0) continue;
        const float alpha = 1.0f - static_cast<float>(age) / static_cast<float>(fade);
        const ImU32 col = ImGui::GetColorU32(ImGuiCol_PlotHistogram, alpha);
        dl->AddBezierCubic(ImVec2(b.x + w * 0.5f, y0), ImVec2(x, y0), ImVec2(x, y1),
                           ImVec2(b.x + w * 0.5f, y1), col, 2.0f);
        dl->AddTriangleFilled(ImVec2(b.x + w * 0.5f, y1), ImVec2(b.x + w * 0.5f + 7, y1 - 4),
                              ImVec2(b.x + w * 0.5f + 7, y1 + 4), col);
    }
    if (!tree.recent_carries.empty()) {
        const auto& c = tree.recent_carries.back();
        ImGui::Text("last carry: level %d -> %d at token %lld (%lld items halved to %lld)",
                    c.from_level, c.to_level, static_cast<long long>(c.at_token),
                    static_cast<long long>(c.items_in), static_cast<long long>(c.items_out));
    }
}

float plot_height() {
    return 9.0f * ImGui::GetTextLineHeightWithSpacing();
}

// p(+1) and the bias on plots of their own, stacked on the same steps: on one axis the bias's
// range flattened p(+1) into a line.
void draw_walk(const WalkTrace& walk, PlotState& prob_plot, PlotState& bias_plot) {
    std::vector<double> x, bias, prob;
    for (std::size_t i = 0; i < walk.steps.size(); ++i) {
        x.push_back(static_cast<double>(i));
        bias.push_back(walk.steps[i].bias);
        prob.push_back(walk.steps[i].probability);
    }
    const int n = static_cast<int>(x.size());
    const float h = 0.75f * plot_height();
    if (begin_plot("walk", prob_plot, ImVec2(0, h), "step of the last halving", "p(+1)")) {
        plot_line("p(+1) = P(sign = +1)", x.data(), prob.data(), n, category_colour(1));
        plot_hline("fair coin 1/2", 0.5, ImGui::GetColorU32(ImGuiCol_TextDisabled));
        end_plot();
    }
    if (begin_plot("walk bias", bias_plot, ImVec2(0, h), "step of the last halving", "bias s_j")) {
        plot_line("bias s_j = <signed sum, item>", x.data(), bias.data(), n, category_colour(5));
        end_plot();
    }
}

// Named scalars; a score-ranked sketch's eviction log is left to its plot's sentences.
void draw_scalars(const SketchView& view) {
    std::vector<const std::pair<std::string, double>*> rows;
    for (const auto& s : view.scalars)
        if (!view.score_rank || s.first.find('[') == std::string::npos) rows.push_back(&s);
    if (rows.empty() || !ImGui::BeginTable("scalars", 2, ImGuiTableFlags_RowBg)) return;
    for (const auto* row : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(row->first.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.6g", row->second);
    }
    ImGui::EndTable();
}

}  // namespace

void draw_coreset_panel(CoresetPanelState& state, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    const SketchSnapshot* selected = selected_sketch(snap, ctx.selection);
    if (!selected) return;
    const SketchSnapshot& s = *selected;
    const SketchView& view = *s.view;
    const std::string note = summary_note(ctx.snap, s);
    if (!note.empty() && view.retained.empty()) {
        // Not "0 stored": a moment sketch summarises every token it saw.
        ImGui::Text("%s  [%s]: %lld seen", s.spec.label.c_str(), s.spec.params_text.c_str(),
                    static_cast<long long>(s.stats.seen));
    } else {
        ImGui::Text("%s  [%s]: %zu stored of %lld seen", s.spec.label.c_str(),
                    s.spec.params_text.c_str(), view.retained.size(),
                    static_cast<long long>(s.stats.seen));
    }
    if (!note.empty()) ImGui::TextWrapped("%s", note.c_str());
    if (view.subset_of_stream) {
        ImGui::TextDisabled("retained tokens on the stream timeline (select a sketch to switch)");
        draw_timeline(view, snap.tokens_seen, ctx.selection.hovered_token,
                      timeline_markers(snap, ctx.selection));
    }
    if (!view.retained.empty()) {
        std::vector<double> w;
        w.reserve(view.retained.size());
        for (const auto& t : view.retained)
            w.push_back(t.weight_num);
        if (begin_plot("weights", state.weights, ImVec2(0, plot_height()), "numerator weight",
                       "tokens")) {
            plot_histogram("weights", w.data(), static_cast<int>(w.size()), 30,
                           sketch_colour(snap, ctx.selection.sketch, 0.8f));
            end_plot();
        }
    }
    if (view.merge_tree) draw_merge_tree(*view.merge_tree, snap.tokens_seen);
    if (view.walk && !view.walk->steps.empty()) draw_walk(*view.walk, state.walk, state.walk_bias);
    if (view.score_rank) draw_score_rank(*view.score_rank, state.scores, 1.3f * plot_height());
    if (view.quant) {
        draw_channel_ranges(*view.quant, state.channel_ranges, state.channel_error, plot_height());
        draw_logit_scatter(*view.quant, state.logits, plot_height());
    }
    draw_scalars(view);
}

void save_coreset_view(const CoresetPanelState& state, nlohmann::json& view) {
    save_plot(view, "weights", state.weights);
    save_plot(view, "walk", state.walk);
    save_plot(view, "walk_bias", state.walk_bias);
    save_plot(view, "scores", state.scores);
    save_plot(view, "channel_ranges", state.channel_ranges);
    save_plot(view, "channel_error", state.channel_error);
    save_plot(view, "logits", state.logits);
}

void load_coreset_view(const nlohmann::json& view, CoresetPanelState& state, const ViewWarn&) {
    load_plot(view, "weights", state.weights);
    load_plot(view, "walk", state.walk);
    load_plot(view, "walk_bias", state.walk_bias);
    load_plot(view, "scores", state.scores);
    load_plot(view, "channel_ranges", state.channel_ranges);
    load_plot(view, "channel_error", state.channel_error);
    load_plot(view, "logits", state.logits);
}

PanelInfo coreset_panel() {
    return panel_info<CoresetPanelState>(
        "coreset", "Coreset",
        "Retained tokens on the stream timeline, their weights, merge tree, walk, scores against "
        "the eviction threshold, quantization error",
        Place::Internals, draw_coreset_panel, save_coreset_view, load_coreset_view);
}

}  // namespace kvscope::ui
