// Lessons in the explorer without a window: the commands and the view a step asks for
// (ui/lesson_steps.hpp), every shipped step's view accepted by the workspace, the Lesson panel
// and its picker drawn headless (Back / Next ask the frame loop for the step), marks from the
// run's events, and the lesson remembered in a session's view.
#include "ui/lesson_panel.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <variant>

#include "app/app_test_support.hpp"
#include "ui/error_panel.hpp"
#include "ui/lesson_steps.hpp"
#include "ui/panel_csv.hpp"
#include "ui/session_file.hpp"
#include "ui/widgets.hpp"
#include "ui/workspace.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path lessons_dir() {
    return fs::path(KVSCOPE_SOURCE_DIR) / "assets" / "lessons";
}

RunConfig with_budget(RunConfig c, int budget) {
    c.sketches[1].params["budget"] = budget;
    c.sketches[1].seed = expand_sketches(test::small_config(1000))[1].seed;
    return c;
}

template <class T>
const T* as(const Command& c) {
    return std::get_if<T>(&c);
}

TEST(LessonSteps, EditsAreReplayedWhenOnlyParametersChangeAndThePositionLiesAhead) {
    const RunConfig current = test::small_config(1000);
    const RunConfig scene = with_budget(current, 32);
    const auto commands = ui::lesson_step_commands(current, 250, scene, 750);
    ASSERT_EQ(commands.size(), 3u);
    EXPECT_TRUE(as<command::Pause>(commands[0]));
    const auto* edit = as<command::SetSketchParams>(commands[1]);
    ASSERT_TRUE(edit);
    EXPECT_EQ(edit->index, 1u);
    EXPECT_EQ(edit->params.at("budget"), 32);
    ASSERT_TRUE(as<command::Step>(commands[2]));
    EXPECT_EQ(as<command::Step>(commands[2])->tokens, 500);
    EXPECT_FALSE(ui::scene_is_running(current, scene));
    EXPECT_TRUE(ui::scene_is_running(scene, scene));
}

TEST(LessonSteps, BackwardsOrAnotherSourceReplacesTheRun) {
    const RunConfig current = test::small_config(1000);
    auto commands = ui::lesson_step_commands(current, 750, current, 250);
    ASSERT_EQ(commands.size(), 2u);
    const auto* configure = as<command::Configure>(commands[1]);
    ASSERT_TRUE(configure);
    EXPECT_EQ(configure->advance, 250);
    RunConfig other = current;
    other.source_params["radius"] = 4;
    commands = ui::lesson_step_commands(current, 0, other, 500);
    ASSERT_TRUE(as<command::Configure>(commands.back()));
    EXPECT_EQ(as<command::Configure>(commands.back())->config.source_params.at("radius"), 4);
}

TEST(LessonSteps, ViewObjectSelectsShowsAndHides) {
    const RunConfig scene = test::small_config(1000);
    LessonView v;
    v.sketch = "uniform_halving";
    v.metric = "den_err";
    v.tab = "coreset";
    v.colour_by = "tag";
    v.series = {"uniform"};
    v.theory = false;
    const json view = ui::lesson_view_object(v, scene);
    EXPECT_EQ(view.at("selected_sketch"), 2);
    EXPECT_EQ(view.at("error_metric"), "den_err");
    EXPECT_EQ(view.at("tab"), "coreset");
    EXPECT_EQ(view.at("embedding").at("colour_by"), "tag");
    const json hidden = view.at("plots").at("error_time").at("hidden");
    EXPECT_EQ(hidden.size(), 2u);  // exact and uniform_halving
    EXPECT_TRUE(view.at("plots").at("error_memory").at("auto_fit").get<bool>());

    ui::Workspace w;
    std::string warnings;
    ui::view_from_json(view, w, warnings);
    EXPECT_EQ(warnings, "");
    EXPECT_EQ(w.selection.sketch, 2);
    EXPECT_EQ(w.tab(ui::Place::Internals), "coreset");
    const auto* errors = w.state<ui::ErrorPanelState>("errors");
    ASSERT_TRUE(errors);
    EXPECT_EQ(ui::error_metrics()[static_cast<std::size_t>(errors->metric)].key,
              std::string("den_err"));
    EXPECT_FALSE(errors->show_theory);
    EXPECT_EQ(errors->time.hidden.size(), 2u);
}

TEST(LessonSteps, EveryShippedStepViewIsAcceptedWithoutWarnings) {
    int steps = 0;
    for (const auto& file : lesson_files(lessons_dir())) {
        const Lesson l = load_lesson(file);
        const auto scenes = step_configs(l);
        for (std::size_t k = 0; k < l.steps.size(); ++k, ++steps) {
            ui::Workspace w;
            std::string warnings;
            ui::view_from_json(ui::lesson_view_object(l.steps[k].view, scenes[k]), w, warnings);
            EXPECT_EQ(warnings, "") << l.name << " step " << k + 1;
            if (!l.steps[k].view.metric.empty()) {
                const auto* errors = w.state<ui::ErrorPanelState>("errors");
                EXPECT_EQ(ui::error_metrics()[static_cast<std::size_t>(errors->metric)].key,
                          l.steps[k].view.metric)
                    << l.name << " step " << k + 1;
            }
        }
    }
    EXPECT_GE(steps, 36);
}

TEST(LessonSteps, MarksFollowTheRunsEvents) {
    LessonStep step;
    step.markers = {{"budget_full", "uniform", -1, ""}, {"", "", 100, "here"}};
    Snapshot snap;
    EXPECT_EQ(ui::lesson_marks(step, snap).size(), 1u);  // the event has not happened yet
    snap.events = {{64, "budget_full", "uniform full (64)", 1, "uniform"},
                   {16, "new_level", "x level 1", 2, "x"}};
    const auto marks = ui::lesson_marks(step, snap);
    ASSERT_EQ(marks.size(), 2u);
    EXPECT_EQ(marks[0].at, 64);  // in the step's order: the event's mark, then the fixed one
    EXPECT_EQ(marks[0].label, "full (64)");  // the step names the sketch already
    EXPECT_EQ(marks[1].label, "here");
    // On a time axis: the source's and the selected sketch's events, the marks emphasised.
    ui::Selection sel;
    sel.sketch = 2;
    sel.marks = marks;
    const auto on_axis = ui::timeline_markers(snap, sel);
    ASSERT_EQ(on_axis.size(), 3u);  // x's level (weak); the two marks (strong)
    EXPECT_FALSE(on_axis[0].strong);
    EXPECT_TRUE(on_axis[2].strong);
}

class LessonPanel : public test::ImGuiTest {
  protected:
    ui::LessonPanelState loaded() {
        ui::LessonPanelState s;
        for (const auto& file : lesson_files(lessons_dir()))
            s.lessons.push_back(load_lesson(file));
        return s;
    }
    test::PanelHarness ui_;
};

TEST_F(LessonPanel, NarrationBackAndNextAskTheFrameLoopForTheStep) {
    ui::LessonPanelState state = loaded();
    const Snapshot snap = test::runner_snapshot(test::small_config(512), 512);
    ui::PanelContext ctx = ui_.context(snap);
    ui::open_lesson(state, 2, 1, ctx);
    EXPECT_EQ(state.open, 2);
    EXPECT_EQ(state.requested, 1);
    EXPECT_TRUE(ui_.settings.lesson_open);
    ASSERT_EQ(ui_.sink.requests.size(), 1u);
    EXPECT_EQ(ui_.sink.requests[0].kind, ui::Request::Kind::LessonStep);
    EXPECT_GT(test::draw_frames([&] { ui::draw_lesson_panel(state, ctx); }), 500);
    ui::open_lesson(state, 2, 99, ctx);  // clamped to the last step
    EXPECT_EQ(state.step, static_cast<int>(state.lessons[2].steps.size()) - 1);
    ui::open_lesson(state, -1, 0, ctx);  // closing keeps the scene: no command
    EXPECT_FALSE(ui_.settings.lesson_open);
    EXPECT_TRUE(ui_.sink.commands.empty());
}

TEST_F(LessonPanel, PickerListsEveryLesson) {
    ui::LessonPanelState state = loaded();
    const Snapshot snap = test::runner_snapshot(test::small_config(64), 64);
    ui::PanelContext ctx = ui_.context(snap);
    ui_.settings.show_lesson_picker = true;
    const int with_picker = test::draw_frames([&] { ui::draw_lesson_panel(state, ctx); });
    ui_.settings.show_lesson_picker = false;
    const int without = test::draw_frames([&] { ui::draw_lesson_panel(state, ctx); });
    EXPECT_GT(with_picker, without + 1000);
}

TEST(LessonPanelView, SessionsRememberTheLessonAndStep) {
    ui::LessonPanelState state;
    state.lessons.push_back(load_lesson(lessons_dir() / "03_walk.json"));
    state.open = 0;
    state.step = 2;
    json view = json::object();
    ui::save_lesson_view(state, view);
    EXPECT_EQ(view.at("lesson"), "03_walk");
    EXPECT_EQ(view.at("lesson_step"), 3);
    ui::LessonPanelState back;
    std::string warnings;
    ui::load_lesson_view(view, back, [&](const std::string& w) { warnings += w; });
    EXPECT_EQ(warnings, "");
    EXPECT_EQ(back.saved_name, "03_walk");
    EXPECT_EQ(back.saved_step, 2);
    ui::load_lesson_view(json{{"lesson", 3}}, back, [&](const std::string& w) { warnings += w; });
    EXPECT_NE(warnings, "");
}

}  // namespace
}  // namespace kvscope
