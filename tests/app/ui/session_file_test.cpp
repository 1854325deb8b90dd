// Session files (run config + view state) and the run-level CSV export: pure C++ around the
// explorer, tested without a window.
#include "ui/session_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "session/run_output.hpp"
#include "ui/embedding_panel.hpp"
#include "ui/error_panel.hpp"
#include "ui/panel_csv.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;

RunConfig small_config() {
    return parse_run_config(
        nlohmann::json::parse(R"({"schema_version": 1, "seed": 5, "tokens": 1200,
          "eval_every": 400, "probe_queries": 8, "timing": false,
          "source": {"id": "isotropic_ball", "params": {"dim": 4}},
          "sketches": [{"id": "exact"}, {"id": "uniform", "sweep": {"budget": [16, 32]}}]})"),
        "");
}

fs::path scratch_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("kvscope_session_file_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(SessionFile, ViewStateRoundTripsThroughTheSessionDocument) {
    Runner runner(small_config());
    runner.send(command::Step{800});
    runner.wait_idle();
    const auto snap = runner.snapshot();
    ui::Workspace ui;
    ui.settings.theme = ui::Theme::HighContrast;
    ui.settings.ui_scale = 1.5f;
    ui.settings.speed = 256;
    ui.selection.sketch = 2;
    ui.settings.screenshot_scale = 2;
    ui.settings.screenshot_with_ui = false;
    ui::ErrorPanelState& errors = *ui.state<ui::ErrorPanelState>("errors");
    errors.memory.auto_fit = false;
    errors.memory.x_min = 10;
    errors.memory.hidden = {"uniform budget=16"};
    ASSERT_TRUE(ui.show_tab("polynomial", false));
    ui::EmbeddingPanelState& embedding = *ui.state<ui::EmbeddingPanelState>("embedding");
    embedding.points.colour_by = scene::EmbedColour::Bucket;
    embedding.camera.three_d = true;
    embedding.field_mode = 2;
    embedding.camera.yaw = 1.25f;

    const fs::path path = scratch_dir("roundtrip") / "s.json";
    ASSERT_EQ(ui::save_session(path, *snap, ui), "");
    // The saved file is a run config `kvscope run` accepts, with the same sketches.
    const RunConfig loaded = load_run_config(path);
    EXPECT_EQ(to_json(loaded).dump(), [&] {
        nlohmann::json j = ui::session_document(*snap, ui);
        return to_json(parse_run_config(j, "")).dump();
    }());
    EXPECT_EQ(loaded.sketches.size(), snap->config->sketches.size());
    EXPECT_EQ(loaded.seed, 5u);
    // Every key a session has always held is still written.
    for (const char* key :
         {"stream_position", "theme", "ui_scale", "speed", "selected_sketch", "error_metric",
          "screenshot_scale", "screenshot_ui", "show_theory", "tab", "embedding", "plots"})
        EXPECT_TRUE(loaded.view.contains(key)) << key;
    for (const char* plot : {"error_time", "error_memory", "weights", "walk", "trunc_error",
                             "logit_hist", "degree_error", "monomials"})
        EXPECT_TRUE(loaded.view["plots"].contains(plot)) << plot;

    ui::Workspace back;
    std::string warnings;
    const Index position = ui::view_from_json(loaded.view, back, warnings);
    EXPECT_EQ(warnings, "");
    EXPECT_EQ(position, 800);
    EXPECT_EQ(back.settings.theme, ui::Theme::HighContrast);
    EXPECT_FLOAT_EQ(back.settings.ui_scale, 1.5f);
    EXPECT_EQ(back.settings.speed, 256);
    EXPECT_EQ(back.selection.sketch, 2);
    EXPECT_EQ(back.settings.screenshot_scale, 2);
    EXPECT_FALSE(back.settings.screenshot_with_ui);
    const ui::ErrorPanelState& errors_back = *back.state<ui::ErrorPanelState>("errors");
    EXPECT_FALSE(errors_back.memory.auto_fit);
    EXPECT_EQ(errors_back.memory.x_min, 10);
    EXPECT_EQ(errors_back.memory.hidden, std::vector<std::string>{"uniform budget=16"});
    EXPECT_EQ(back.tab(ui::Place::Internals), "polynomial");
    EXPECT_EQ(loaded.view["tab"], "polynomial");
    const ui::EmbeddingPanelState& embedding_back =
        *back.state<ui::EmbeddingPanelState>("embedding");
    EXPECT_EQ(embedding_back.points.colour_by, scene::EmbedColour::Bucket);
    EXPECT_TRUE(embedding_back.camera.three_d);
    EXPECT_EQ(embedding_back.field_mode, 2);
    EXPECT_FLOAT_EQ(embedding_back.camera.yaw, 1.25f);
}

// Issue 12 item 8: the error metric is saved by its CSV key (an index broke sessions whenever
// the metric list changed); an old session's index still loads.
TEST(SessionFile, ErrorMetricIsSavedByItsKeyAndAnOldIndexStillLoads) {
    const auto& metrics = ui::error_metrics();
    ASSERT_GE(metrics.size(), 3u);
    for (std::size_t i : {std::size_t{0}, metrics.size() - 1, std::size_t{2}}) {
        ui::Workspace w;
        w.state<ui::ErrorPanelState>("errors")->metric = static_cast<int>(i);
        const nlohmann::json view = ui::view_to_json(w, 0);
        ASSERT_TRUE(view["error_metric"].is_string()) << view["error_metric"].dump();
        EXPECT_EQ(view["error_metric"], metrics[i].key);
        ui::Workspace back;
        std::string warnings;
        ui::view_from_json(view, back, warnings);
        EXPECT_EQ(warnings, "");
        EXPECT_EQ(back.state<ui::ErrorPanelState>("errors")->metric, static_cast<int>(i));
    }
    ui::Workspace old;
    std::string warnings;
    ui::view_from_json(nlohmann::json{{"error_metric", 2}}, old, warnings);
    EXPECT_EQ(warnings, "");
    EXPECT_EQ(old.state<ui::ErrorPanelState>("errors")->metric, 2);
    EXPECT_EQ(ui::view_to_json(old, 0)["error_metric"], metrics[2].key);
}

TEST(SessionFile, BadViewValuesAreIgnoredWithAWarningAndNothingThrows) {
    ui::Workspace ui;
    ui.settings.speed = 64;
    std::string warnings;
    const nlohmann::json view = {{"theme", "purple"},
                                 {"ui_scale", 40},
                                 {"speed", -3},
                                 {"stream_position", "lots"},
                                 {"tab", "everything"},
                                 {"plots", {{"error_time", {{"log_x", "yes"}}}}},
                                 {"embedding", {{"colour_by", "rainbow"}}},
                                 {"from_the_future", 1}};
    EXPECT_EQ(ui::view_from_json(view, ui, warnings), 0);
    EXPECT_NE(warnings.find("view.theme"), std::string::npos);
    EXPECT_NE(warnings.find("view.ui_scale"), std::string::npos);
    EXPECT_NE(warnings.find("view.speed"), std::string::npos);
    EXPECT_NE(warnings.find("view.stream_position"), std::string::npos);
    EXPECT_NE(warnings.find("view.tab = \"everything\" ignored (coreset, buckets or polynomial)"),
              std::string::npos);
    EXPECT_NE(warnings.find("view.embedding.colour_by"), std::string::npos);
    EXPECT_EQ(ui.state<ui::EmbeddingPanelState>("embedding")->points.colour_by,
              scene::EmbedColour::Retained);
    EXPECT_EQ(ui.settings.theme, ui::Theme::Dark);
    EXPECT_EQ(ui.settings.speed, 64);
    EXPECT_FALSE(ui.state<ui::ErrorPanelState>("errors")->time.log_x);
    EXPECT_EQ(ui::view_from_json(nlohmann::json("not an object"), ui, warnings), 0);
}

// "bottom_tab" opens the tab under the embedding (the Source sweep screenshot of
// real_attention_all_heads.json needed it: "tab" names only Sketch internals tabs); it is saved
// like "tab", and an unknown one is ignored with a warning naming the choices.
TEST(SessionFile, BottomTabOpensSourceSweepAndRoundTrips) {
    ui::Workspace ui;
    std::string warnings;
    EXPECT_EQ(ui.tab(ui::Place::ViewBottom), "errors");
    ui::view_from_json(nlohmann::json{{"bottom_tab", "source_sweep"}}, ui, warnings);
    EXPECT_EQ(warnings, "");
    EXPECT_EQ(ui.tab(ui::Place::ViewBottom), "source_sweep");
    EXPECT_EQ(ui::view_to_json(ui, 0)["bottom_tab"], "source_sweep");
    ui::Workspace other;
    ui::view_from_json(nlohmann::json{{"bottom_tab", "coreset"}}, other, warnings);
    EXPECT_NE(warnings.find("view.bottom_tab = \"coreset\" ignored (errors or source_sweep)"),
              std::string::npos)
        << warnings;
    EXPECT_EQ(other.tab(ui::Place::ViewBottom), "errors");
}

TEST(SessionFile, RunCsvIsExactlyWhatKvscopeRunWrites) {
    RunConfig config = small_config();
    Session session(config);
    session.run_to_end();
    Runner runner(config);
    runner.send(command::Step{config.tokens});
    runner.wait_idle();
    const std::string csv = ui::run_csv(*runner.snapshot());
    EXPECT_EQ(csv, metrics_csv(session));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 3);  // header + 3 evals x 3
}

TEST(SessionFile, NumberedPathsSkipExistingFiles) {
    const fs::path dir = scratch_dir("numbered");
    EXPECT_EQ(ui::numbered_path(dir, "kvscope", ".png").filename(), "kvscope_0001.png");
    std::ofstream(dir / "kvscope_0001.png") << "x";
    std::ofstream(dir / "kvscope_0002.png") << "x";
    EXPECT_EQ(ui::numbered_path(dir, "kvscope", ".png").filename(), "kvscope_0003.png");
}

TEST(SessionFile, AutosaveFollowsXdgConfigHome) {
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old ? old : "";
    setenv("XDG_CONFIG_HOME", "/tmp/kvscope_xdg", 1);
    EXPECT_EQ(ui::autosave_path(), fs::path("/tmp/kvscope_xdg/kvscope/last_session.json"));
    if (old) {
        setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
    } else {
        unsetenv("XDG_CONFIG_HOME");
    }
}

}  // namespace
}  // namespace kvscope
