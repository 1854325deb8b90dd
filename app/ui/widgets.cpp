#include "ui/widgets.hpp"

#include <imgui.h>

#include <algorithm>

#include "core/registry.hpp"
#include "figure/families.hpp"
#include "scene/palette.hpp"
#include "ui/panel_csv.hpp"

namespace kvscope::ui {

std::string short_name(const SketchInstanceSpec& spec) {
    std::string name = spec.label;
    const SketchInfo* info = builtin_sketches().find(spec.id);
    if (!info) return name;
    const ParamSet defaults = ParamSet::defaults(info->params);
    const nlohmann::json now = spec.params.to_json(info->params);
    const nlohmann::json def = defaults.to_json(info->params);
    for (const auto& p : info->params) {
        if (now[p.key] == def[p.key]) continue;
        const nlohmann::json& v = now[p.key];
        name += " " + p.key + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    if (name.size() > 48) name = name.substr(0, 45) + "...";
    return name;
}

namespace {

// The scene's sketches as the figures describe instances (id = position in the scene).
std::vector<figure::InstanceDesc> scene_instances(const Snapshot& snap) {
    std::vector<figure::InstanceDesc> all;
    for (std::size_t i = 0; i < snap.sketches.size(); ++i) {
        const SketchInstanceSpec& spec = snap.sketches[i].spec;
        all.push_back({static_cast<int>(i), spec.id, spec.label, spec.params_text});
    }
    return all;
}

}  // namespace

std::vector<std::string> scene_names(const Snapshot& snap) {
    return figure::instance_labels(scene_instances(snap));
}

std::string scene_name(const Snapshot& snap, const SketchSnapshot& sketch) {
    for (std::size_t i = 0; i < snap.sketches.size(); ++i)
        if (&snap.sketches[i] == &sketch) return scene_names(snap)[i];
    return short_name(sketch.spec);
}

std::string summary_note(const Snapshot& snap, const SketchSnapshot& sketch) {
    const SketchView& view = *sketch.view;
    if (view.subset_of_stream) return {};
    const std::string name = scene_name(snap, sketch);
    const char* what = view.taylor ? "moments" : "a summary";
    if (view.retained.empty()) return name + " keeps no tokens (" + what + " only)";
    if (static_cast<Index>(view.retained.size()) >= sketch.stats.seen)  // kivi, qjl
        return name + " stores all " + std::to_string(view.retained.size()) +
               " tokens in compressed form; none is evicted";
    return name + " stores " + std::to_string(view.retained.size()) + " vectors; every other " +
           "token is in its " + (view.taylor ? "moments" : "summary") + ", not evicted";
}

std::string kept_text(const SketchSnapshot& sketch) {
    const SketchView& view = *sketch.view;
    const std::string seen = std::to_string(sketch.stats.seen);
    if (!view.subset_of_stream && view.retained.empty() && sketch.stats.retained == 0)
        return std::string("keeps no tokens (") + (view.taylor ? "moments" : "a summary") +
               " only), " + seen + " seen";
    return "kept " + std::to_string(sketch.stats.retained) + " of " + seen;
}

const SketchSnapshot* selected_sketch(const Snapshot& snap, Selection& selection) {
    if (snap.sketches.empty()) {
        ImGui::TextDisabled("No sketch running. Add one in the Sketches panel.");
        return nullptr;
    }
    selection.sketch = std::clamp(selection.sketch, 0, static_cast<int>(snap.sketches.size()) - 1);
    return &snap.sketches[static_cast<std::size_t>(selection.sketch)];
}

void draw_sketch_picker(const Snapshot& snap, Selection& selection, bool (*has)(const SketchView&),
                        const char* what) {
    bool any = false;
    const std::vector<std::string> names = scene_names(snap);  // once, not per row
    const std::vector<std::uint32_t> colours = scene_colours(snap);
    for (std::size_t i = 0; i < snap.sketches.size(); ++i) {
        if (!has(*snap.sketches[i].view)) continue;
        any = true;
        ImGui::PushID(static_cast<int>(i));
        const std::string& name = names[i];
        if (ImGui::SmallButton("select")) selection.sketch = static_cast<int>(i);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show %s of %s", what, name.c_str());
        ImGui::SameLine();
        colour_swatch(colours[i]);
        ImGui::TextUnformatted(name.c_str());
        ImGui::PopID();
    }
    if (!any) ImGui::TextDisabled("None of the running sketches has %s.", what);
}

std::vector<std::uint32_t> scene_colours(const Snapshot& snap, float alpha) {
    const figure::Rgba ground = ImGui::GetColorU32(ImGuiCol_WindowBg) | IM_COL32_A_MASK;
    const figure::Families families = figure::group_families(scene_instances(snap));
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < snap.sketches.size(); ++i)
        out.push_back(figure::with_alpha(families.colour(static_cast<int>(i), ground), alpha));
    return out;
}

std::uint32_t sketch_colour(const Snapshot& snap, int index, float alpha) {
    if (index < 0 || index >= static_cast<int>(snap.sketches.size()))
        return scene::category_colour(index, alpha);
    return scene_colours(snap, alpha)[static_cast<std::size_t>(index)];
}

void colour_swatch(std::uint32_t colour) {
    const float h = ImGui::GetTextLineHeight();
    ImGui::ColorButton("##swatch", ImGui::ColorConvertU32ToFloat4(colour),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(h, h));
    ImGui::SameLine();
}

void sketch_swatch(const Snapshot& snap, int index) {
    colour_swatch(sketch_colour(snap, index));
}

void tip(const char* text) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

void heading(const std::string& title, const std::string& tooltip) {
    ImGui::TextUnformatted(title.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip.c_str());
}

void csv_button(Sink& sink, const char* panel, const std::function<std::string()>& text,
                const char* tip_text) {
    if (ImGui::SmallButton("CSV")) {
        try {
            sink.say("wrote " + write_panel_csv(panel, text()));
        } catch (const std::exception& e) {
            sink.say(e.what());
        }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip_text);
}

std::vector<TimelineMarker> timeline_markers(const Snapshot& snap, const Selection& selection) {
    std::vector<TimelineMarker> out;
    auto marked = [&selection](const StreamEvent& e) {
        for (const Mark& m : selection.marks)
            if (m.at == e.at) return true;
        return false;
    };
    for (const StreamEvent& e : snap.events) {
        if (e.instance >= 0 && e.instance != selection.sketch) continue;
        if (!marked(e)) out.push_back({e.at, e.label, false});
    }
    for (const Mark& m : selection.marks)
        out.push_back({m.at, m.label, true});
    if (snap.tokens_seen < snap.tokens_recorded) {  // the timeline's cursor
        // Short: a strong marker's text sits at the top of the plot.
        out.push_back({snap.tokens_seen, "scene " + std::to_string(snap.tokens_seen), true});
    }
    return out;
}

}  // namespace kvscope::ui
