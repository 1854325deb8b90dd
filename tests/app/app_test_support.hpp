// Helpers for the explorer's tests (no window, no GL): a headless ImGui context whose font atlas
// is built so text is laid out as in the explorer (ImGui's own assertions abort on misuse, such
// as unbalanced Begin/End), the shared state a panel draws against, snapshots from a real Runner
// and synthetic ones with chosen views.
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "core/registry.hpp"
#include "math/lagrange.hpp"
#include "math/monomials.hpp"
#include "session/runner.hpp"
#include "ui/panel.hpp"
#include "ui/panel_csv.hpp"

namespace kvscope::test {

class ImGuiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1600, 900);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    void TearDown() override { ImGui::DestroyContext(); }
};

/// What a panel draws against besides its own state.
struct PanelHarness {
    ui::Selection selection;
    ui::Settings settings;
    ui::Sink sink;
    scene::Scenes scenes;
    ui::PanelContext context(const Snapshot& snap) {
        return {snap, selection, settings, sink, scenes};
    }
};

/// Draws `draw` in a window of `size` at the origin for `frames` frames with the mouse at
/// `mouse` (moved by `step` each frame); returns the vertices ImGui produced in the last frame.
inline int draw_frames(const std::function<void()>& draw, int frames = 3,
                       ImVec2 mouse = ImVec2(150, 120), ImVec2 step = ImVec2(40, 30),
                       ImVec2 size = ImVec2(500, 880)) {
    int vertices = 0;
    for (int f = 0; f < frames; ++f) {
        ImGui::GetIO().MousePos = ImVec2(mouse.x + step.x * f, mouse.y + step.y * f);
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(size);
        ImGui::Begin("panel");
        draw();
        ImGui::End();
        ImGui::Render();
        vertices = ImGui::GetDrawData()->TotalVtxCount;
    }
    return vertices;
}

/// The snapshot a Runner publishes after stepping `tokens` tokens of `config` (at least 1).
inline Snapshot runner_snapshot(const RunConfig& config, Index tokens) {
    Runner runner(config);
    if (tokens > 0) {
        runner.send(command::Step{tokens});
        runner.wait_idle();
    }
    return *runner.snapshot();
}

/// isotropic_ball (d = 4) with exact, uniform and uniform_halving (budget 64), 8 probes.
inline RunConfig small_config(Index tokens) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", std::max<Index>(tokens, 1)},
                       {"eval_every", std::max<Index>(1, tokens / 4)},
                       {"probe_queries", 8},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}}},
                       {"sketches",
                        {{{"id", "exact"}},
                         {{"id", "uniform"}, {"params", {{"budget", 64}}}},
                         {{"id", "uniform_halving"}, {"params", {{"budget", 64}}}}}}},
        "");
}

/// clustered_offset (d = 4) with exact, taylor, lsh_partition, hybrid and uniform.
inline RunConfig algorithms_config(Index tokens) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", std::max<Index>(tokens, 1)},
                       {"eval_every", std::max<Index>(1, tokens / 4)},
                       {"probe_queries", 16},
                       {"source",
                        {{"id", "clustered_offset"},
                         {"params", {{"dim", 4}, {"offset", 3.0}, {"radius", 1.0}}}}},
                       {"sketches",
                        {{{"id", "exact"}},
                         {{"id", "taylor"}, {"params", {{"degree", 3}, {"recenter", "mean"}}}},
                         {{"id", "lsh_partition"},
                          {"params", {{"family", "simhash"}, {"bits", 3}, {"summary", "taylor"}}}},
                         {{"id", "hybrid"}, {"params", {{"degree", 1}, {"budget", 64}}}},
                         {{"id", "uniform"}, {"params", {{"budget", 64}}}}}}},
        "");
}

/// A snapshot of `sketches` synthetic sketches (lsh_partition first, then taylor) at 1,000
/// tokens, d = d_v = 8, with empty views.
inline Snapshot synthetic_snapshot(int sketches) {
    Snapshot snap;
    snap.dim = 8;
    snap.value_dim = 8;
    snap.beta = 1 / std::sqrt(8.0);
    snap.tokens_seen = 1000;
    for (int i = 0; i < sketches; ++i) {
        SketchSnapshot s;
        s.spec.id = i == 0 ? "lsh_partition" : "taylor";
        s.spec.label = s.spec.id;
        s.spec.params = ParamSet::defaults(builtin_sketches().at(s.spec.id, "sketch").params);
        s.stats.seen = 1000;
        snap.sketches.push_back(s);
    }
    return snap;
}

/// `n` buckets with ids 0, 3, 6, ..., Taylor summaries, even shares, eight recent queries (one
/// with a shorter share vector), query bucket 3.
inline BucketView many_buckets(int n) {
    BucketView b;
    b.family = "simhash";
    b.summary = "taylor";
    for (int i = 0; i < n; ++i) {
        b.ids.push_back(i * 3);
        b.counts.push_back(1 + (i * 7919) % 97);
        b.radii.push_back(0.1 + 0.01 * i);
        b.memory_floats.push_back(45.0 * 9);
        b.taylor_degree.push_back(2);
        b.query_contribution.push_back(1.0 / n);
    }
    b.recent_contributions.assign(8, b.query_contribution);
    b.recent_contributions[3].resize(static_cast<std::size_t>(n / 2));  // shorter: no crash
    b.query_bucket = 3;
    b.collision_rate = 0.25;
    return b;
}

/// A degree-`degree` Taylor view at d = 8 with 500 logit samples, measured errors (one NaN) and
/// its bounds.
inline TaylorView taylor_view(int degree) {
    TaylorView t;
    t.degree = degree;
    t.monomials = static_cast<Index>(monomial_count_approx(8, degree));
    t.centre = Eigen::VectorXf::Constant(8, 0.5f);
    t.radius = 1.5;
    t.scale = 1.5;
    t.recenter = "mean";
    t.query_norm_max = 1;
    t.bound_B = 1.5 / std::sqrt(8.0);
    t.logit_min = -t.bound_B;
    t.logit_max = t.bound_B;
    for (int i = 0; i < 500; ++i)
        t.logit_samples.push_back(t.bound_B * std::sin(i * 0.37));
    t.lagrange_rel = relative_lagrange_bound(t.bound_B, degree);
    t.lagrange_abs = std::exp(t.bound_B) * lagrange_remainder_bound(t.bound_B, degree);
    t.target_eps = 1e-3;
    t.degree_needed = 4;
    t.degree_norms.assign(static_cast<std::size_t>(degree + 1), 1.0);
    t.sample_num_error = {1e-3, 2e-3, std::nan("")};
    t.sample_den_error = {5e-4, 1e-4};
    t.sample_size = 64;
    return t;
}

/// Sketch `s`'s view, copied into a view of its own that the test may change (a published
/// view is shared and immutable).
inline SketchView& edit_view(SketchSnapshot& s) {
    auto own = std::make_shared<SketchView>(*s.view);
    s.view = own;
    return *own;
}

}  // namespace kvscope::test
