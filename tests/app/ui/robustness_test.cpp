// The explorer against hostile sessions (issue 15), headless (ImGui, no GL): plot ranges a
// session can hold (a log axis with lo = hi = 0 sent the tick loop on forever), a panel that
// throws inside a table (ImGui's own recovery tripped its PushID/PopID assertion and aborted),
// deep nesting in view.tab, out-of-range view numbers, huge saved stream positions (streamed
// back in bounded steps so frames keep drawing), and a panel that throws while drawing (contained
// on its own: reported with its name, the panels after it still draw).
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "app/app_test_support.hpp"
#include "ui/embedding_panel.hpp"
#include "ui/frame_recovery.hpp"
#include "ui/plot.hpp"
#include "ui/session_file.hpp"
#include "ui/workspace.hpp"

namespace kvscope {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> labelled(const std::vector<figure::Tick>& ticks) {
    std::vector<double> out;
    for (const auto& t : ticks)
        if (!t.label.empty()) out.push_back(t.value);
    return out;
}

TEST(PlotTicks, EveryRangeASessionCanHoldGivesBoundedTicks) {
    const double ranges[][2] = {{0, 0},          {0, 1},          {-1, 1},
                                {1, 0},          {5, 5},          {1e300, 1e300 * (1 + 1e-15)},
                                {-1e308, 1e308}, {kNaN, 1},       {0, kInf},
                                {-kInf, kInf},   {1e-300, 1e300}, {1e15, 1e15 + 1},
                                {-5, 0}};
    for (const auto& r : ranges) {
        for (bool log : {false, true}) {
            const auto t = ui::axis_ticks(r[0], r[1], log, 400);
            EXPECT_LE(t.size(), 64u) << r[0] << " " << r[1] << " log " << log;
            for (const auto& tick : t)
                EXPECT_TRUE(tick.value >= r[0] && tick.value <= r[1])
                    << tick.value << " in " << r[0] << ", " << r[1] << " log " << log;
        }
    }
    EXPECT_EQ(labelled(ui::axis_ticks(1, 1000, true, 400)),
              (std::vector<double>{1, 10, 100, 1000}));
    EXPECT_EQ(labelled(ui::axis_ticks(0, 1, false, 140)), (std::vector<double>{0, 0.5, 1}));
    EXPECT_TRUE(ui::axis_ticks(0, 0, true, 400).empty());  // the range that looped forever
}

// Regression (lessons 4 and 10): an error axis spanning less than a decade got one label, or
// none; it now gets at least three labelled ticks, all inside the range.
TEST(PlotTicks, ANarrowLogAxisGetsSeveralLabels) {
    for (const auto& r : {std::array<double, 2>{0.006, 0.03}, std::array<double, 2>{0.012, 0.018},
                          std::array<double, 2>{2e-5, 9e-5}}) {
        const auto values = labelled(ui::axis_ticks(r[0], r[1], true, 150, false));
        EXPECT_GE(values.size(), 3u) << r[0] << " .. " << r[1];
        for (double v : values)
            EXPECT_TRUE(v >= r[0] && v <= r[1]) << v;
    }
}

class Robustness : public test::ImGuiTest {};

TEST_F(Robustness, PlotWithADegenerateSavedLogRangeDrawsAndRefits) {
    ui::PlotState state;
    state.log_y = true;
    state.auto_fit = false;
    state.y_min = state.y_max = 0;  // as a session can hold it
    const std::vector<double> x{1, 2, 3}, y{0.1, 1, 10};
    for (int frame = 0; frame < 2; ++frame) {
        ImGui::NewFrame();
        ImGui::Begin("plot");
        if (ui::begin_plot("p", state, ImVec2(400, 300), "x", "y")) {
            ui::plot_line("s", x.data(), y.data(), 3, IM_COL32(255, 0, 0, 255));
            ui::end_plot();
        }
        ImGui::End();
        ImGui::Render();
    }
    EXPECT_GT(state.y_min, 0);
    EXPECT_LT(state.y_min, state.y_max);
}

// A plot that throws inside a table cell, as the side-by-side error plots would: the recovery
// must close the table without ImGui's PushID/PopID assertion, and the next frame must be whole.
TEST_F(Robustness, PanelThatThrowsInsideATableIsRecovered) {
    ui::PlotState state;
    for (int frame = 0; frame < 3; ++frame) {
        const bool fail = frame == 1;
        ImGui::NewFrame();
        try {
            ImGui::Begin("Attention error");
            if (ImGui::BeginTabBar("tabs")) {
                if (ImGui::BeginTabItem("tab")) {
                    if (ImGui::BeginTable("##error_plots", 2)) {
                        ImGui::TableNextColumn();
                        if (ui::begin_plot("p", state, ImVec2(200, 150), "x", "y")) {
                            if (fail) throw std::runtime_error("a series failed");
                            ui::end_plot();
                        }
                        ImGui::EndTable();
                    }
                    ImGui::EndTabItem();
                }
                ImGui::EndTabBar();
            }
            ImGui::End();
        } catch (const std::exception&) {
            ASSERT_TRUE(fail);
            ui::recover_frame_after_exception();
        }
        ImGui::Render();
        // The frame after the failure is whole (the first frame of a new window is not drawn).
        if (frame == 2) {
            EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 0);
        }
    }
}

TEST(SessionView, DeepNestingInTheTabIsRefusedWhenTheSessionIsRead) {
    const auto path = std::filesystem::temp_directory_path() / "kvscope_deep_tab.json";
    std::ofstream(path) << R"({"schema_version": 1, "view": {"tab": )" << std::string(60000, '[')
                        << std::string(60000, ']') << "}}";
    try {
        load_run_config(path);
        ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("nested deeper than 256 levels"), std::string::npos)
            << e.what();
    }
    std::filesystem::remove(path);
}

TEST(SessionView, NumbersBeyondTheFloatRangeAreIgnoredWithAWarning) {
    ui::Workspace ui;
    const scene::Camera& camera = ui.state<ui::EmbeddingPanelState>("embedding")->camera;
    const float zoom = camera.zoom;
    std::string warnings;
    ui::view_from_json(nlohmann::json::parse(R"({"embedding": {"zoom": 1e300, "yaw": -1e39,
        "centre": [1e300, 2, 3]}, "tab": [[[1]]]})"),
                       ui, warnings);
    EXPECT_EQ(camera.zoom, zoom);
    EXPECT_EQ(camera.centre[1], 2.0f);
    EXPECT_NE(warnings.find("view.embedding.zoom = 1e+300 ignored"), std::string::npos) << warnings;
    EXPECT_NE(warnings.find("view.tab = [[[1]]] ignored"), std::string::npos) << warnings;
    EXPECT_EQ(warnings.find('\n'), std::string::npos);
}

TEST(StreamCatchUp, AHugeSavedPositionIsStreamedBackInBoundedStepsOneAtATime) {
    constexpr Index kStep = ui::StreamCatchUp::kStepTokens;
    ui::StreamCatchUp c;
    // Position 2^40 in a stream of 10^8 tokens: clamped, then one bounded step per snapshot.
    c.start(Index{1} << 40, 100'000'000, 7);
    EXPECT_EQ(c.first(), kStep);
    Snapshot snap;
    snap.version = 7;
    EXPECT_EQ(c.next(snap), 0) << "a step is in flight until a newer snapshot is published";
    Index sent = kStep, steps = 1;
    for (std::uint64_t v = 8; c.remaining() > 0; ++v) {
        snap.version = v;
        const Index s = c.next(snap);
        ASSERT_GT(s, 0);
        ASSERT_LE(s, kStep);
        sent += s;
        ++steps;
        EXPECT_EQ(c.next(snap), 0);
    }
    EXPECT_EQ(sent, 100'000'000);
    EXPECT_EQ(steps, (100'000'000 + kStep - 1) / kStep);
    // A small position goes in one step, as before.
    c.start(5000, 32768, 1);
    EXPECT_EQ(c.first(), 5000);
    EXPECT_EQ(c.remaining(), 0);
}

// Item 5 of issue 15: a panel that throws every frame, with a table, a child window, a colour
// and an ID of its own left open, is reported on the status line and once in the log with its
// name; what it left open is closed, and the panels drawn after it (in another window and in the
// status line) draw every frame with ImGui's stacks as they were.
struct ThrowingPanel {
    int draws = 0;
};
struct CountingPanel {
    int draws = 0;
    int stacks_off = 0;  ///< frames on which the thrower's colour or ID was still pushed
};

void draw_throwing(ThrowingPanel& p, ui::PanelContext&) {
    ++p.draws;
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 0, 0, 255));
    ImGui::PushID("thrower");
    ImGui::BeginChild("inner", ImVec2(200, 100));
    if (ImGui::BeginTable("t", 2)) {
        ImGui::TableNextColumn();
        ImGui::PushID(7);
        throw std::runtime_error("a view it cannot draw");
    }
    ImGui::EndChild();
}

void draw_counting(CountingPanel& p, ui::PanelContext&) {
    const ImGuiContext& g = *ImGui::GetCurrentContext();
    ++p.draws;
    if (g.ColorStack.Size != 0 || g.CurrentWindow->IDStack.Size != 1) ++p.stacks_off;
    ImGui::TextUnformatted("still here");
}

TEST_F(Robustness, APanelThatThrowsIsContainedNamedAndTheOthersKeepDrawing) {
    const std::vector<ui::PanelInfo> panels = {
        ui::panel_info<ThrowingPanel>("thrower", "Thrower", "", ui::Place::ViewTop, draw_throwing),
        ui::panel_info<CountingPanel>("after", "After", "", ui::Place::Internals, draw_counting),
        ui::panel_info<CountingPanel>("status", "Status", "", ui::Place::StatusLine,
                                      draw_counting)};
    ui::Workspace ws(panels);
    const Snapshot snap;
    constexpr int kFrames = 4;
    for (int frame = 0; frame < kFrames; ++frame) {
        ImGui::NewFrame();
        ASSERT_NO_THROW(ws.draw(snap, 1600, 900, true));
        const ImGuiContext& g = *ImGui::GetCurrentContext();
        EXPECT_EQ(g.CurrentWindowStack.Size, 1);  // only ImGui's implicit window is left
        EXPECT_EQ(g.ColorStack.Size, 0);
        ImGui::Render();
    }
    EXPECT_EQ(ws.state<ThrowingPanel>("thrower")->draws, kFrames);
    for (const char* key : {"after", "status"}) {
        EXPECT_EQ(ws.state<CountingPanel>(key)->draws, kFrames) << key;
        EXPECT_EQ(ws.state<CountingPanel>(key)->stacks_off, 0) << key;
    }
    EXPECT_EQ(ws.sink.status, "panel 'Thrower' failed: a view it cannot draw");
    ASSERT_EQ(ws.sink.log.size(), 1u);  // once, not once per frame
    EXPECT_EQ(ws.sink.log[0], ws.sink.status);
    EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 0);
}

}  // namespace
}  // namespace kvscope
