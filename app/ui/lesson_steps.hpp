// What moving to a lesson step does in the explorer, as plain data (no ImGui, no files), so it
// is tested without a window: the engine commands that take the running scene to the step's
// scene and position, the session "view" object that shows what the step talks about, and the
// step's markers resolved against the run's events. The frame loop carries them out
// (app/explorer.cpp); the Lesson panel (ui/lesson_panel.hpp) asks for it.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "lessons/lesson.hpp"
#include "session/runner.hpp"
#include "ui/panel.hpp"

namespace kvscope::ui {

/// Commands that take the run `current` (at `tokens_seen`) to `scene` at `position`, paused
/// there. When only sketch parameters differ and the position lies ahead, the edited sketches
/// are replayed (SetSketchParams, as an edit in the Sketches panel) and the stream advanced
/// (Step); otherwise the run is replaced (Configure, streamed to the position).
std::vector<Command> lesson_step_commands(const RunConfig& current, Index tokens_seen,
                                          const RunConfig& scene, Index position);

/// The session "view" object for a step (read by view_from_json): the scene's own "view", with
/// the step's selected sketch (an index into the scene's instances), metric, internals tab,
/// embedding colouring, theory toggle, and the series hidden on both error plots (every
/// instance whose label is not in the step's `series`; none when it is empty). Both error plots
/// are set to fit their data again.
nlohmann::json lesson_view_object(const LessonView& view, const RunConfig& scene);

/// True once the running config `running` is the step's scene `scene` (same run, same
/// parameters), so the step's view can be applied to the sketches it names.
bool scene_is_running(const RunConfig& running, const RunConfig& scene);

/// The step's markers as marks: fixed ones always, event markers once `snap.events` has them
/// (labelled with the event's text).
std::vector<Mark> lesson_marks(const LessonStep& step, const Snapshot& snap);

}  // namespace kvscope::ui
