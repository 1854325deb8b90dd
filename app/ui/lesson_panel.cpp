#include "ui/lesson_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "ui/lesson_steps.hpp"
#include "ui/view_json.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

const ImVec4 kAccent(0.98f, 0.78f, 0.30f, 1.0f);  // titles and the "try it" hint

// The formula on a darker band, so it reads as the thing the step is about.
void draw_formula(const std::string& formula) {
    if (formula.empty()) return;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
    const float wrap = ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().WindowPadding.x;
    const ImVec2 size = ImGui::CalcTextSize(formula.c_str(), nullptr, false, wrap);
    const float h = size.y + 2 * ImGui::GetStyle().WindowPadding.y;
    if (ImGui::BeginChild("##formula", ImVec2(0, h), true, ImGuiWindowFlags_NoScrollbar)) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(formula.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

// The next small button on this line when it fits, else on the next line (narrow columns).
void same_line_if_fits(const char* label) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float w = ImGui::CalcTextSize(label).x + 2 * style.FramePadding.x;
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
}

void draw_navigation(LessonPanelState& state, PanelContext& ctx) {
    const Lesson& l = state.lessons[static_cast<std::size_t>(state.open)];
    const int n = static_cast<int>(l.steps.size());
    ImGui::BeginDisabled(state.step <= 0);
    if (ImGui::Button("< Back")) open_lesson(state, state.open, state.step - 1, ctx);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Text("step %d of %d", state.step + 1, n);
    ImGui::SameLine();
    ImGui::BeginDisabled(state.step + 1 >= n);
    if (ImGui::Button("Next >")) open_lesson(state, state.open, state.step + 1, ctx);
    ImGui::EndDisabled();
    same_line_if_fits("again");
    if (ImGui::SmallButton("again")) open_lesson(state, state.open, state.step, ctx);
    tip("Run this step again: its scene, its parameters and its position");
    same_line_if_fits("lessons");
    if (ImGui::SmallButton("lessons")) ctx.settings.show_lesson_picker = true;
    tip("All lessons (L)");
    same_line_if_fits("close");
    if (ImGui::SmallButton("close")) open_lesson(state, -1, 0, ctx);
    tip("Leave the lesson; the scene stays as it is");
}

void draw_step(const LessonPanelState& state) {
    const Lesson& l = state.lessons[static_cast<std::size_t>(state.open)];
    const LessonStep& s = l.steps[static_cast<std::size_t>(state.step)];
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kAccent, "%d. %s", state.step + 1, s.title.c_str());
    ImGui::TextUnformatted(s.narration.c_str());
    ImGui::PopTextWrapPos();
    draw_formula(s.formula);
    ImGui::PushTextWrapPos(0.0f);
    if (!s.try_it.empty()) ImGui::TextColored(kAccent, "Try it: %s", s.try_it.c_str());
    if (!s.claims.empty()) {
        ImGui::Spacing();
        ImGui::TextDisabled("What to see (checked by kvscope lessons --check):");
        for (const Claim& c : s.claims)
            ImGui::BulletText("%s", c.says.c_str());
    }
    ImGui::PopTextWrapPos();
}

void draw_about(const Lesson& l) {
    if (!ImGui::CollapsingHeader("About this lesson")) return;
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(l.summary.c_str());
    if (!l.config.description.empty()) {
        ImGui::Spacing();
        ImGui::TextDisabled("%s", l.session.is_string()
                                      ? ("The scene: " + l.session.get<std::string>()).c_str()
                                      : "The scene:");
        ImGui::TextUnformatted(l.config.description.c_str());
    }
    ImGui::PopTextWrapPos();
}

void draw_picker(LessonPanelState& state, PanelContext& ctx) {
    if (!ctx.settings.show_lesson_picker) return;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowSize(ImVec2(display.x * 0.5f, display.y * 0.7f), ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("Lessons (L)", &ctx.settings.show_lesson_picker)) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextDisabled(
            "Each lesson sets up a scene, runs the stream to a readable moment and says what to "
            "watch. Pick one; Back and Next walk through its steps.");
        if (!state.problem.empty())
            ImGui::TextColored(ImVec4(1, 0.45f, 0.35f, 1), "%s", state.problem.c_str());
        for (std::size_t i = 0; i < state.lessons.size(); ++i) {
            const Lesson& l = state.lessons[i];
            ImGui::PushID(static_cast<int>(i));
            const std::string head = l.name.substr(0, l.name.find('_')) + "  " + l.title;
            if (ImGui::Selectable(head.c_str(), state.open == static_cast<int>(i))) {
                open_lesson(state, static_cast<int>(i), 0, ctx);
                ctx.settings.show_lesson_picker = false;
            }
            ImGui::TextDisabled("%s", l.summary.c_str());
            ImGui::Spacing();
            ImGui::PopID();
        }
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

// A session named a lesson: reopen it at its step without moving the stream (the session
// restores the scene itself).
void reopen_saved(LessonPanelState& state, PanelContext& ctx) {
    if (state.saved_name.empty()) return;
    bool found = false;
    for (std::size_t i = 0; i < state.lessons.size(); ++i) {
        if (state.lessons[i].name != state.saved_name) continue;
        found = true;
        state.open = static_cast<int>(i);
        state.step =
            std::clamp(state.saved_step, 0, static_cast<int>(state.lessons[i].steps.size()) - 1);
        ctx.settings.lesson_open = true;
    }
    if (!found) ctx.sink.say("the session names lesson " + state.saved_name + ", not installed");
    state.saved_name.clear();
}

}  // namespace

void open_lesson(LessonPanelState& state, int index, int step, PanelContext& ctx) {
    if (index < 0 || index >= static_cast<int>(state.lessons.size())) {
        state.open = -1;
        ctx.settings.lesson_open = false;
        ctx.selection.marks.clear();
        return;
    }
    const Lesson& l = state.lessons[static_cast<std::size_t>(index)];
    state.open = index;
    state.step = std::clamp(step, 0, static_cast<int>(l.steps.size()) - 1);
    state.requested = state.step;
    ctx.settings.lesson_open = true;
    ctx.sink.request({Request::Kind::LessonStep});
}

void draw_lesson_panel(LessonPanelState& state, PanelContext& ctx) {
    const bool tiled = ctx.settings.lesson_open;  // else drawn outside any tile (Place::Lesson)
    reopen_saved(state, ctx);
    draw_picker(state, ctx);
    if (state.open < 0 || state.open >= static_cast<int>(state.lessons.size())) {
        ctx.settings.lesson_open = false;
        ctx.selection.marks.clear();
        return;
    }
    if (!tiled) return;
    const Lesson& l = state.lessons[static_cast<std::size_t>(state.open)];
    state.step = std::clamp(state.step, 0, static_cast<int>(l.steps.size()) - 1);
    ctx.selection.marks = lesson_marks(l.steps[static_cast<std::size_t>(state.step)], ctx.snap);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("Lesson %s", l.name.substr(0, l.name.find('_')).c_str());
    ImGui::SameLine();
    ImGui::TextUnformatted(l.title.c_str());
    ImGui::PopTextWrapPos();
    draw_navigation(state, ctx);
    ImGui::Separator();
    if (ImGui::BeginChild("##step")) {
        draw_step(state);
        ImGui::Spacing();
        draw_about(l);
    }
    ImGui::EndChild();
}

void save_lesson_view(const LessonPanelState& state, nlohmann::json& view) {
    if (state.open < 0 || state.open >= static_cast<int>(state.lessons.size())) return;
    view["lesson"] = state.lessons[static_cast<std::size_t>(state.open)].name;
    view["lesson_step"] = state.step + 1;
}

void load_lesson_view(const nlohmann::json& view, LessonPanelState& state, const ViewWarn& warn) {
    if (!view.contains("lesson")) return;
    if (!view["lesson"].is_string()) {
        warn("view.lesson = " + view["lesson"].dump() + " ignored");
        return;
    }
    int step = 1;
    read_integer(view, "lesson_step", 1, 1000, step, warn);
    state.saved_name = view["lesson"].get<std::string>();
    state.saved_step = step - 1;
}

PanelInfo lesson_panel() {
    return panel_info<LessonPanelState>(
        "lesson", "Lesson", "The open lesson: its step's text, formula and what to try",
        Place::Lesson, draw_lesson_panel, save_lesson_view, load_lesson_view);
}

}  // namespace kvscope::ui
