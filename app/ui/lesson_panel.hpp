// The Lesson panel and the lesson picker. A lesson (docs/lessons.md) walks through steps; the
// panel shows the open step's narration, its formula, the "try it" hint naming the control to
// touch and what the step's claims say, with Back / Next and the step number. Moving to a step
// asks the frame loop (Request::LessonStep) to run the stream to the step's position in the
// step's scene and to show its view (ui/lesson_steps.hpp); the user may still change anything,
// and closing the lesson keeps the scene. The picker lists every lesson (from the help overlay,
// the L key, and on first start). Sessions remember the lesson and step ("lesson",
// "lesson_step" in the view).
#pragma once

#include <string>
#include <vector>

#include "lessons/lesson.hpp"
#include "ui/panel.hpp"

namespace kvscope::ui {

struct LessonPanelState {
    std::vector<Lesson> lessons;  ///< every lesson found (loaded by the frame loop)
    std::string problem;          ///< why some lesson could not be read ("" when fine)
    int open = -1;                ///< index into `lessons`; -1: no lesson open
    int step = 0;                 ///< the step shown, from 0
    int requested = -1;           ///< the step the frame loop is asked to apply; -1: none
    std::string saved_name;       ///< from a session's view: the lesson to reopen
    int saved_step = 0;           ///< and its step (from 0)
};

/// Opens lesson `index` at `step` (from 0): the panel shows it and the frame loop is asked to
/// apply the step. Out-of-range values are clamped; index < 0 closes the lesson.
void open_lesson(LessonPanelState& state, int index, int step, PanelContext& ctx);

void draw_lesson_panel(LessonPanelState& state, PanelContext& ctx);
/// Session view: "lesson" (the lesson's name) and "lesson_step" (from 1) while one is open.
void save_lesson_view(const LessonPanelState& state, nlohmann::json& view);
void load_lesson_view(const nlohmann::json& view, LessonPanelState& state, const ViewWarn& warn);

}  // namespace kvscope::ui
