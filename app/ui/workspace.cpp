#include "ui/workspace.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "ui/frame_recovery.hpp"

namespace kvscope::ui {

namespace {

// Opens a fixed tile of the layout (the caller ends it).
void tile(const char* name, float x, float y, float w, float h) {
    ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
    ImGui::Begin(name, nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
}

}  // namespace

Workspace::Workspace(const std::vector<PanelInfo>& panels) {
    for (const PanelInfo& info : panels)
        panels_.push_back(Entry{info, info.make()});
}

std::vector<Workspace::Entry*> Workspace::in_place(Place place) {
    std::vector<Entry*> out;
    for (auto& e : panels_)
        if (e.info.place == place) out.push_back(&e);
    return out;
}

std::vector<std::string> Workspace::keys(Place place) const {
    std::vector<std::string> out;
    for (const auto& e : panels_)
        if (e.info.place == place) out.push_back(e.info.key);
    return out;
}

std::string Workspace::tab(Place place) const {
    const std::vector<std::string> k = keys(place);
    if (k.empty()) return {};
    const auto it = tabs_.find(place);
    const int current = it == tabs_.end() ? 0 : it->second.current;
    return k[static_cast<std::size_t>(std::clamp(current, 0, static_cast<int>(k.size()) - 1))];
}

bool Workspace::show_tab(const std::string& key, bool pin) {
    for (const auto& e : panels_) {
        if (e.info.key != key) continue;
        const std::vector<std::string> k = keys(e.info.place);
        Tabs& tabs = tabs_[e.info.place];
        tabs.current = static_cast<int>(std::find(k.begin(), k.end(), key) - k.begin());
        tabs.requested = tabs.current;
        tabs.pinned = tabs.pinned || pin;
        if (pin) tabs.followed_sketch = -1;  // the next frame is a first: the pin holds
        return true;
    }
    return false;
}

std::string Workspace::preferred_tab(Place place, const SketchView& view) const {
    std::string best;
    int best_fit = -1;
    for (const auto& e : panels_) {
        if (e.info.place != place) continue;
        const int fit = e.info.fits ? e.info.fits(view) : 0;
        if (fit > best_fit) best = e.info.key, best_fit = fit;
    }
    return best;
}

void Workspace::save_panels(nlohmann::json& view) const {
    for (const auto& e : panels_)
        e.panel->save_view(view);
}

void Workspace::load_panels(const nlohmann::json& view, const ViewWarn& warn) {
    for (auto& e : panels_)
        e.panel->load_view(view, warn);
}

// When the selected sketch changes, the tab that fits it is selected; the user may switch
// afterwards. A pinned tab (from a session) wins on the first frame.
void Workspace::follow_selection(Place place, const std::vector<Entry*>& entries,
                                 PanelContext& ctx) {
    const bool follows = std::any_of(entries.begin(), entries.end(),
                                     [](const Entry* e) { return e->info.fits != nullptr; });
    if (!follows || ctx.snap.sketches.empty()) return;
    Tabs& tabs = tabs_[place];
    int& selected = ctx.selection.sketch;
    selected = std::clamp(selected, 0, static_cast<int>(ctx.snap.sketches.size()) - 1);
    const SketchSnapshot& s = ctx.snap.sketches[static_cast<std::size_t>(selected)];
    const bool first = tabs.followed_sketch < 0;
    if (!first && tabs.followed_sketch == selected && tabs.followed_id == s.spec.id) return;
    if (!(first && tabs.pinned)) {
        const std::string key = preferred_tab(place, *s.view);
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (entries[i]->info.key == key) tabs.requested = static_cast<int>(i);
    }
    tabs.followed_sketch = selected;
    tabs.followed_id = s.spec.id;
}

void Workspace::draw_tabs(Place place, std::vector<Entry*>& entries, PanelContext& ctx) {
    follow_selection(place, entries, ctx);
    Tabs& tabs = tabs_[place];
    if (!ImGui::BeginTabBar("tabs")) return;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const int index = static_cast<int>(i);
        const ImGuiTabItemFlags flags = tabs.requested == index ? ImGuiTabItemFlags_SetSelected : 0;
        const bool open = ImGui::BeginTabItem(entries[i]->info.title.c_str(), nullptr, flags);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", entries[i]->info.help.c_str());
        if (!open) continue;
        tabs.current = index;
        draw_panel(*entries[i], ctx);
        ImGui::EndTabItem();
    }
    // SetSelected takes effect when the tab bar lays out; keep the request until it has.
    if (tabs.requested == tabs.current) tabs.requested = -1;
    ImGui::EndTabBar();
}

void Workspace::draw_panel(Entry& entry, PanelContext& ctx) {
    const DrawMark mark = mark_draw();
    try {
        entry.panel->draw(ctx);
        entry.failure.clear();
    } catch (const std::exception& e) {
        recover_draw(mark);
        const std::string message = "panel '" + entry.info.title + "' failed: " + e.what();
        sink.say(message);
        // A panel that throws every frame is logged once, not sixty times a second.
        if (message != entry.failure) sink.log.push_back(message);
        entry.failure = message;
    }
}

void Workspace::draw_place(Place place, const char* title, float x, float y, float w, float h,
                           PanelContext& ctx) {
    std::vector<Entry*> entries = in_place(place);
    if (entries.empty()) return;
    tile(title, x, y, w, h);
    if (entries.size() == 1) {
        draw_panel(*entries.front(), ctx);
    } else {
        draw_tabs(place, entries, ctx);
    }
    ImGui::End();
}

void Workspace::draw(const Snapshot& snap, float width, float height, bool with_ui) {
    PanelContext ctx{snap, selection, settings, sink, scenes};
    const float status_h = with_ui ? ImGui::GetFrameHeightWithSpacing() + 8 : 0.0f;
    const float left_w = with_ui ? std::max(320.0f, width * 0.27f) : 0.0f;
    const float right_w = std::max(320.0f, width * 0.30f);
    const float mid_w = width - left_w - right_w;
    const float body_h = height - status_h;
    if (with_ui) {
        // An open lesson's narration takes the top of the left column; controls and sketches
        // share the rest.
        const float lesson_h = settings.lesson_open ? std::floor(body_h * 0.5f) : 0.0f;
        const float controls_h = std::floor((body_h - lesson_h) * 0.42f);
        if (lesson_h > 0) draw_place(Place::Lesson, "Lesson", 0, 0, left_w, lesson_h, ctx);
        draw_place(Place::ControlsColumn, "Controls", 0, lesson_h, left_w, controls_h, ctx);
        draw_place(Place::SketchesColumn, "Sketches", 0, lesson_h + controls_h, left_w,
                   body_h - lesson_h - controls_h, ctx);
    }
    // Middle column: the embedding view on top, attention error below. The error panel holds
    // two rows of controls, headings and two plots with their legends: below about half the
    // column (a 720-pixel window) its plots shrink to a strip with one tick label.
    const float embed_h = std::floor(body_h * 0.48f);
    draw_place(Place::ViewTop, "Embedding", left_w, 0, mid_w, embed_h, ctx);
    draw_place(Place::ViewBottom, "Attention error", left_w, embed_h, mid_w, body_h - embed_h, ctx);
    draw_place(Place::Internals, "Sketch internals", left_w + mid_w, 0, right_w, body_h, ctx);
    if (!with_ui) return;
    ImGui::SetNextWindowPos(ImVec2(0, body_h), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(width, status_h), ImGuiCond_Always);
    ImGui::Begin(
        "##status", nullptr,
        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    for (Entry* e : in_place(Place::StatusLine))
        draw_panel(*e, ctx);
    ImGui::End();
    for (Entry* e : in_place(Place::Overlay))
        draw_panel(*e, ctx);
    if (!settings.lesson_open) {
        for (Entry* e : in_place(Place::Lesson))
            draw_panel(*e, ctx);
    }
}

}  // namespace kvscope::ui
