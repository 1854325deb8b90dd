// The Controls panel drawn headless: the source picker follows the running config, and for a
// data file it reads the keys file's stored shape once per (path, tensor), or says why not.
#include "ui/controls_panel.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/app_test_support.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;

// A float32 .npy of the given shape (zeros).
fs::path write_npy(const std::string& name, const std::vector<int>& shape) {
    const fs::path path = fs::temp_directory_path() / name;
    std::string dims;
    std::size_t count = 1;
    for (int s : shape) {
        dims += std::to_string(s) + ", ";
        count *= static_cast<std::size_t>(s);
    }
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(header.size());
    f.put(static_cast<char>(len & 0xFF));
    f.put(static_cast<char>(len >> 8));
    f << header;
    const std::vector<float> zeros(count, 0.0f);
    f.write(reinterpret_cast<const char*>(zeros.data()),
            static_cast<std::streamsize>(zeros.size() * sizeof(float)));
    return path;
}

class ControlsPanel : public test::ImGuiTest {
  protected:
    int draw(const Snapshot& snap, int frames = 2) {
        ui::PanelContext ctx = ui_.context(snap);
        return test::draw_frames([&] { ui::draw_controls_panel(state_, ctx); }, frames,
                                 ImVec2(-100, -100), ImVec2(0, 0));
    }
    ui::ControlsPanelState state_;
    test::PanelHarness ui_;
};

TEST_F(ControlsPanel, TheSourcePickerFollowsTheRunningSource) {
    Snapshot snap = test::runner_snapshot(test::small_config(100), 100);
    EXPECT_GT(draw(snap), 0);
    EXPECT_EQ(state_.synced.id, "isotropic_ball");
    EXPECT_EQ(state_.source_params, snap.config->source_params);
    state_.source_params["dim"] = 9;  // an edit not yet applied stays while the run is the same
    draw(snap);
    EXPECT_EQ(state_.source_params["dim"], 9);
    RunConfig other = *snap.config;
    other.source_id = "large_norm";
    snap.config = std::make_shared<const RunConfig>(other);
    draw(snap);
    EXPECT_EQ(state_.synced.id, "large_norm");
    EXPECT_EQ(builtin_sources().all()[static_cast<std::size_t>(state_.source_choice)].id,
              "large_norm");
    EXPECT_TRUE(ui_.sink.commands.empty());
    EXPECT_TRUE(ui_.sink.requests.empty());
}

TEST_F(ControlsPanel, AKeysFileIsProbedOncePerPathAndTensor) {
    const fs::path keys = write_npy("kvscope_controls_keys.npy", {2, 3, 5, 4});
    Snapshot snap;
    RunConfig file = test::small_config(10);
    file.source_id = "file";
    file.source_params = {{"keys", keys.string()}};
    snap.config = std::make_shared<const RunConfig>(file);
    draw(snap);
    EXPECT_TRUE(state_.probe.done);
    EXPECT_EQ(state_.probe.error, "");
    EXPECT_EQ(state_.probe.shape, (std::vector<Index>{2, 3, 5, 4}));
    EXPECT_EQ(state_.probe.tensor, "keys");
    fs::remove(keys);  // probed already: the shape stays without reading again
    draw(snap);
    EXPECT_EQ(state_.probe.shape.size(), 4u);
    state_.source_params["keys_tensor"] = "k";  // another key: probed again, and it fails now
    draw(snap, 1);
    EXPECT_EQ(state_.probe.tensor, "k");
    EXPECT_TRUE(state_.probe.shape.empty());
    EXPECT_NE(state_.probe.error, "");
}

// Regression: a config's relative keys path (assets/configs/real_attention_heads.json has
// "../real/...") was probed against the working directory, so the picker showed "cannot open"
// for a session that ran fine.
TEST_F(ControlsPanel, ARelativeKeysPathIsProbedFromTheConfigsFolder) {
    const fs::path dir = fs::temp_directory_path() / "kvscope_controls_relative";
    fs::create_directories(dir / "configs");
    const fs::path keys = write_npy("kvscope_controls_relative/keys.npy", {2, 8, 5, 4});
    Snapshot snap;
    RunConfig file = test::small_config(10);
    file.source_id = "file";
    file.source_params = {{"keys", "../keys.npy"}};
    file.base_dir = dir / "configs";
    snap.config = std::make_shared<const RunConfig>(file);
    draw(snap);
    EXPECT_EQ(state_.probe.error, "");
    EXPECT_EQ(state_.probe.shape, (std::vector<Index>{2, 8, 5, 4}));
    EXPECT_EQ(state_.probe.path, keys.lexically_normal().string());
    EXPECT_EQ(state_.source_params["keys"], "../keys.npy") << "the config keeps its own path";
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kvscope
