// Session files (run config + view state), the run-level CSV export and the file browser's
// listing: pure C++ around the explorer, tested without a window.
#include "ui/session_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "session/run_output.hpp"
#include "ui/panels.hpp"

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
    ui::UiState ui;
    ui.theme = ui::Theme::HighContrast;
    ui.ui_scale = 1.5f;
    ui.speed = 256;
    ui.selected_sketch = 2;
    ui.screenshot_scale = 2;
    ui.screenshot_with_ui = false;
    ui.error_memory.auto_fit = false;
    ui.error_memory.x_min = 10;
    ui.error_memory.hidden = {"uniform budget=16"};
    ui.internals_tab = 2;
    ui.embedding.colour_by = ui::EmbedColour::Bucket;
    ui.embedding.three_d = true;
    ui.embedding.field_mode = 2;
    ui.embedding.yaw = 1.25f;

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

    ui::UiState back;
    std::string warnings;
    const Index position = ui::view_from_json(loaded.view, back, warnings);
    EXPECT_EQ(warnings, "");
    EXPECT_EQ(position, 800);
    EXPECT_EQ(back.theme, ui::Theme::HighContrast);
    EXPECT_FLOAT_EQ(back.ui_scale, 1.5f);
    EXPECT_EQ(back.speed, 256);
    EXPECT_EQ(back.selected_sketch, 2);
    EXPECT_EQ(back.screenshot_scale, 2);
    EXPECT_FALSE(back.screenshot_with_ui);
    EXPECT_FALSE(back.error_memory.auto_fit);
    EXPECT_EQ(back.error_memory.x_min, 10);
    EXPECT_EQ(back.error_memory.hidden, std::vector<std::string>{"uniform budget=16"});
    EXPECT_EQ(back.internals_tab, 2);  // "tab": "polynomial"
    EXPECT_EQ(loaded.view["tab"], "polynomial");
    EXPECT_EQ(back.embedding.colour_by, ui::EmbedColour::Bucket);
    EXPECT_TRUE(back.embedding.three_d);
    EXPECT_EQ(back.embedding.field_mode, 2);
    EXPECT_FLOAT_EQ(back.embedding.yaw, 1.25f);
}

TEST(SessionFile, BadViewValuesAreIgnoredWithAWarningAndNothingThrows) {
    ui::UiState ui;
    ui.speed = 64;
    std::string warnings;
    const nlohmann::json view = {{"theme", "purple"},
                                 {"ui_scale", 40},
                                 {"speed", -3},
                                 {"stream_position", "lots"},
                                 {"plots", {{"error_time", {{"log_x", "yes"}}}}},
                                 {"embedding", {{"colour_by", "rainbow"}}},
                                 {"from_the_future", 1}};
    EXPECT_EQ(ui::view_from_json(view, ui, warnings), 0);
    EXPECT_NE(warnings.find("view.theme"), std::string::npos);
    EXPECT_NE(warnings.find("view.ui_scale"), std::string::npos);
    EXPECT_NE(warnings.find("view.speed"), std::string::npos);
    EXPECT_NE(warnings.find("view.stream_position"), std::string::npos);
    EXPECT_NE(warnings.find("view.embedding.colour_by"), std::string::npos);
    EXPECT_EQ(ui.embedding.colour_by, ui::EmbedColour::Retained);
    EXPECT_EQ(ui.theme, ui::Theme::Dark);
    EXPECT_EQ(ui.speed, 64);
    EXPECT_FALSE(ui.error_time.log_x);
    EXPECT_EQ(ui::view_from_json(nlohmann::json("not an object"), ui, warnings), 0);
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

TEST(FileBrowser, ListsFoldersFirstThenOpenableFilesOnly) {
    const fs::path dir = scratch_dir("browser");
    fs::create_directories(dir / "dumps");
    fs::create_directories(dir / ".hidden");
    for (const char* f : {"b.npy", "a.safetensors", "notes.txt", "session.json", "K.NPZ"})
        std::ofstream(dir / f) << "x";
    std::string error;
    const auto entries = ui::list_directory(dir.string(), error);
    EXPECT_EQ(error, "");
    std::vector<std::string> names;
    for (const auto& e : entries)
        names.push_back(e.name);
    EXPECT_EQ(names, (std::vector<std::string>{"dumps", "K.NPZ", "a.safetensors", "b.npy",
                                               "session.json"}));
    EXPECT_TRUE(entries[0].is_directory);
    EXPECT_EQ(entries[1].bytes, 1u);
    const auto missing = ui::list_directory((dir / "nope").string(), error);
    EXPECT_TRUE(missing.empty());
    EXPECT_NE(error.find("nope"), std::string::npos);
}

}  // namespace
}  // namespace kvscope
