#include "ui/sketches_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "scene/palette.hpp"
#include "ui/param_widgets.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

// Remove, up and down for sketch i of n (moving the selection with the sketch).
void draw_row_buttons(std::size_t i, std::size_t n, PanelContext& ctx) {
    int& selected = ctx.selection.sketch;
    if (ImGui::SmallButton("remove")) ctx.sink.send(command::RemoveSketch{i});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Remove this sketch from the comparison");
    if (i > 0) {
        ImGui::SameLine();
        if (ImGui::SmallButton("up")) {
            ctx.sink.send(command::MoveSketch{i, i - 1});
            if (selected == static_cast<int>(i)) --selected;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Move this sketch up the list");
    }
    if (i + 1 < n) {
        ImGui::SameLine();
        if (ImGui::SmallButton("down")) {
            ctx.sink.send(command::MoveSketch{i, i + 1});
            if (selected == static_cast<int>(i)) ++selected;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Move this sketch down the list");
    }
}

void draw_sketch_row(std::size_t i, const std::string& name, ImU32 colour, PanelContext& ctx) {
    const SketchSnapshot& s = ctx.snap.sketches[i];
    const SketchInfo* info = builtin_sketches().find(s.spec.id);
    ImGui::PushID(static_cast<int>(i));
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h, p.y + h + 2),
                                              colour);
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
    const std::string title = name + "###sketch";
    if (ImGui::Selectable(title.c_str(), ctx.selection.sketch == static_cast<int>(i), 0,
                          ImVec2(0, 0))) {
        ctx.selection.sketch = static_cast<int>(i);
    }
    if (ImGui::IsItemHovered() && info) {
        ImGui::SetTooltip("%s\n%s%s\n%s", info->name.c_str(), info->summary.c_str(),
                          info->paper.empty() ? "" : ("\n" + info->paper).c_str(),
                          s.spec.params_text.c_str());
    }
    ImGui::Indent(h + 8);
    ImGui::Text("%s   %.1f KiB", kept_text(s).c_str(), s.stats.memory_bytes() / 1024.0);
    if (!s.error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", s.error.c_str());
    if (info && !info->params.empty() && ImGui::TreeNode("parameters")) {
        nlohmann::json values = s.spec.params.to_json(info->params);
        if (edit_params(info->params, values)) ctx.sink.send(command::SetSketchParams{i, values});
        ImGui::TreePop();
    }
    draw_row_buttons(i, ctx.snap.sketches.size(), ctx);
    ImGui::Unindent(h + 8);
    ImGui::PopID();
}

void draw_add_sketch(SketchesPanelState& state, PanelContext& ctx) {
    const auto& all = builtin_sketches().all();
    state.add_choice = std::clamp(state.add_choice, 0, static_cast<int>(all.size()) - 1);
    if (ImGui::BeginCombo("##add", all[static_cast<std::size_t>(state.add_choice)].id.c_str())) {
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (ImGui::Selectable(all[i].id.c_str(), static_cast<int>(i) == state.add_choice)) {
                state.add_choice = static_cast<int>(i);
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all[i].summary.c_str());
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("Add sketch")) {
        SketchEntry e;
        e.id = all[static_cast<std::size_t>(state.add_choice)].id;
        ctx.sink.send(command::AddSketch{e});
    }
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Add with default parameters; it replays the stream so far");
    }
}

}  // namespace

void draw_sketches_panel(SketchesPanelState& state, PanelContext& ctx) {
    // Named and coloured as the error plots' legends, computed once for the whole list.
    const std::vector<std::string> names = scene_names(ctx.snap);
    const std::vector<std::uint32_t> colours = scene_colours(ctx.snap);
    for (std::size_t i = 0; i < ctx.snap.sketches.size(); ++i)
        draw_sketch_row(i, names[i], colours[i], ctx);
    ImGui::Separator();
    draw_add_sketch(state, ctx);
}

PanelInfo sketches_panel() {
    return panel_info<SketchesPanelState>("sketches", "Sketches",
                                          "The running sketches: parameters, add, remove, order",
                                          Place::SketchesColumn, draw_sketches_panel);
}

}  // namespace kvscope::ui
