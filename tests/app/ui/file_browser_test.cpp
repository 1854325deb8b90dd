// The file browser's listing (ui/file_browser.hpp): what kvscope opens, folders first, and a
// directory that cannot be read; the window itself drawn headless.
#include "ui/file_browser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;

fs::path scratch_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("kvscope_file_browser_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
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

TEST(FileBrowser, OpenableFilesByExtensionInAnyCase) {
    for (const char* f : {"s.json", "k.npy", "k.NPZ", "m.safetensors", "t.csv"})
        EXPECT_TRUE(ui::is_openable_file(f)) << f;
    for (const char* f : {"notes.txt", "k.npy.bak", "json"})
        EXPECT_FALSE(ui::is_openable_file(f)) << f;
}

using test::ImGuiTest;

TEST_F(ImGuiTest, FileBrowserWindowDrawsOnlyWhenAsked) {
    const fs::path dir = scratch_dir("window");
    std::ofstream(dir / "k.npy") << "x";
    Snapshot snap;
    test::PanelHarness ui;
    ui::FileBrowserState state;
    state.directory = dir.string();
    ui::PanelContext ctx = ui.context(snap);
    const int hidden = test::draw_frames([&] { ui::draw_file_browser(state, ctx); }, 1);
    ui.settings.show_file_browser = true;
    EXPECT_GT(test::draw_frames([&] { ui::draw_file_browser(state, ctx); }, 2), hidden);
    EXPECT_EQ(state.error, "");
    state.directory = (dir / "gone").string();
    test::draw_frames([&] { ui::draw_file_browser(state, ctx); }, 1);
    EXPECT_NE(state.error.find("gone"), std::string::npos);
    EXPECT_TRUE(ui.sink.requests.empty());
}

}  // namespace
}  // namespace kvscope
