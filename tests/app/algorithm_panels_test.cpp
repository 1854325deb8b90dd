// The hash-bucket, polynomial-truncation and "Sketch internals" panels, the error panel's theory
// overlays, and the panel CSVs: drawn headless (ImGui only, no GL) from synthetic snapshots
// (empty, no buckets, many buckets, one token, 100,000 tokens, Taylor degree 0 and 8, NaN) and
// from real ones (taylor, lsh_partition, hybrid on a Runner); the pure helpers unit-tested.
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/registry.hpp"
#include "imgui_test_context.hpp"
#include "math/lagrange.hpp"
#include "math/monomials.hpp"
#include "session/runner.hpp"
#include "ui/panel_csv.hpp"
#include "ui/panels.hpp"

namespace kvscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class AlgorithmPanels : public ImGuiTest {
  protected:
    // Draws the algorithm panels (each in its own window), the tabbed internals window and the
    // error panel for `frames` frames; returns the vertex count of the last frame.
    int draw(const Snapshot& snap, ui::UiState& ui, int frames = 3) {
        int vertices = 0;
        for (int f = 0; f < frames; ++f) {
            ImGui::GetIO().MousePos = ImVec2(150.0f + 40 * f, 120.0f + 30 * f);  // hover
            ImGui::NewFrame();
            for (auto [name, fn] : {std::pair{"Buckets", &ui::draw_bucket_panel},
                                    std::pair{"Polynomial", &ui::draw_polynomial_panel},
                                    std::pair{"Internals", &ui::draw_internals_panel},
                                    std::pair{"Error", &ui::draw_error_panel}}) {
                ImGui::SetNextWindowPos(ImVec2(0, 0));
                ImGui::SetNextWindowSize(ImVec2(500, 880));
                ImGui::Begin(name);
                fn(snap, ui);
                ImGui::End();
            }
            ImGui::Render();
            vertices = ImGui::GetDrawData()->TotalVtxCount;
        }
        return vertices;
    }
};

// ---- pure helpers (the Taylor tail, bounds and counts are tested in tests/engine/math/) ----

TEST(PanelCsv, FieldsAndFiles) {
    EXPECT_EQ(ui::csv_number(kNaN), "nan");
    EXPECT_EQ(ui::csv_number(0.1), "0.1");
    EXPECT_EQ(ui::csv_text("simhash"), "simhash");
    EXPECT_EQ(ui::csv_text("a,b \"c\""), "\"a,b \"\"c\"\"\"");
    EXPECT_EQ(ui::csv_rows("h\n1\n2\n"), 2);
    EXPECT_EQ(ui::csv_rows("h\n"), 0);

    const auto dir = std::filesystem::temp_directory_path() / "kvscope_panel_csv_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string a = ui::write_panel_csv("buckets", "x\n1\n", dir.string());
    const std::string b = ui::write_panel_csv("buckets", "x\n2\n", dir.string());
    EXPECT_EQ(std::filesystem::path(a).filename(), "kvscope_buckets_0001.csv");
    EXPECT_EQ(std::filesystem::path(b).filename(), "kvscope_buckets_0002.csv");
    std::ifstream f(b);
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), "x\n2\n");
    std::filesystem::remove_all(dir);
    EXPECT_THROW(ui::write_panel_csv("x", "y\n", (dir / "missing" / "deeper").string()),
                 std::runtime_error);
}

TEST(PanelCsv, MetricDefinitionsCoverTheCsvColumns) {
    const auto& metrics = ui::error_metrics();
    const auto& columns = metric_columns();
    for (const auto& m : metrics) {
        EXPECT_NE(std::find(columns.begin(), columns.end(), m.key), columns.end()) << m.key;
        EXPECT_GT(std::string(m.definition).size(), 20u) << m.key;
    }
}

// ---- synthetic snapshots ----

Snapshot synthetic_snapshot(int sketches) {
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

BucketView many_buckets(int n) {
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

TaylorView taylor_view(int degree) {
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
    t.sample_num_error = {1e-3, 2e-3, kNaN};
    t.sample_den_error = {5e-4, 1e-4};
    t.sample_size = 64;
    return t;
}

TEST_F(AlgorithmPanels, EmptySnapshot) {
    Snapshot empty;
    ui::UiState ui;
    EXPECT_GT(draw(empty, ui), 0);
    EXPECT_TRUE(ui.commands.empty());
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(empty, 0)), 0);
    EXPECT_EQ(ui::csv_rows(ui::polynomial_csv(empty, 0)), 0);
    int theory_rows = 0;
    for (const auto& l : ui::theory_lines(empty, {}))
        theory_rows += static_cast<int>(l.memory.size());
    EXPECT_EQ(ui::csv_rows(ui::error_csv(empty, 0, {})), theory_rows);
}

TEST_F(AlgorithmPanels, NoBucketsNoTaylorOffersTheSketchesThatHaveThem) {
    Snapshot snap = synthetic_snapshot(3);
    snap.sketches[1].view.buckets = many_buckets(4);
    snap.sketches[2].view.taylor = taylor_view(2);
    ui::UiState ui;
    ui.selected_sketch = 0;  // neither buckets nor Taylor state
    EXPECT_GT(draw(snap, ui), 0);
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 0)), 0);
    EXPECT_EQ(ui::csv_rows(ui::polynomial_csv(snap, 0)), 0);
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 1)), 4);
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 99)), 0);
}

TEST_F(AlgorithmPanels, ManyBucketsOneBucketAndNoBucketYet) {
    for (int n : {0, 1, 16, 5000}) {
        Snapshot snap = synthetic_snapshot(1);
        snap.sketches[0].view.buckets = many_buckets(n);
        ui::UiState ui;
        EXPECT_GT(draw(snap, ui), 0) << n;
        ui.bucket_log_counts = true;
        for (int m = 0; m < 4; ++m) {
            ui.bucket_measure = m;
            EXPECT_GT(draw(snap, ui, 2), 0) << n;
        }
        const std::string csv = ui::bucket_csv(snap, 0);
        EXPECT_EQ(csv.substr(0, csv.find('\n')),
                  "instance,sketch,tokens_seen,family,summary,bucket_id,count,radius,"
                  "memory_floats,taylor_degree,query_share,recent_share_mean,recent_share_max,"
                  "is_query_bucket,collision_rate");
        EXPECT_EQ(ui::csv_rows(csv), n);
    }
}

TEST_F(AlgorithmPanels, NaNBucketFieldsAndMisalignedVectors) {
    Snapshot snap = synthetic_snapshot(1);
    BucketView b = many_buckets(10);
    b.radii = {kNaN, 1.0};  // shorter than ids
    b.counts.resize(5);
    b.query_contribution = {kNaN, 0.5, 0.5};
    b.taylor_degree.clear();
    b.collision_rate = kNaN;
    snap.sketches[0].view.buckets = b;
    ui::UiState ui;
    for (int m = 0; m < 4; ++m) {
        ui.bucket_measure = m;
        EXPECT_GT(draw(snap, ui, 2), 0);
    }
    const std::string csv = ui::bucket_csv(snap, 0);
    EXPECT_EQ(ui::csv_rows(csv), 10);
    EXPECT_NE(csv.find("nan"), std::string::npos);
}

TEST_F(AlgorithmPanels, TaylorDegreeZeroAndEight) {
    for (int p : {0, 8}) {
        Snapshot snap = synthetic_snapshot(2);
        snap.sketches[1].view.taylor = taylor_view(p);
        ui::UiState ui;
        ui.selected_sketch = 1;
        EXPECT_GT(draw(snap, ui), 1000) << p;
        const std::string csv = ui::polynomial_csv(snap, 1);
        EXPECT_EQ(csv.substr(0, csv.find('\n')), "instance,sketch,tokens_seen,degree,series,x,y");
        // abs_error 101 + lagrange_bound 101 + bound_B 2 + logit_hist 40 + relative_bound
        // (max(12, p+4) + 1) + 3 num + 2 den + target_eps + degree_needed + 9 + 9.
        const int expected = 101 + 101 + 2 + 40 + (std::max(12, p + 4) + 1) + 3 + 2 + 2 + 18;
        EXPECT_EQ(ui::csv_rows(csv), expected) << p;
        EXPECT_NE(csv.find(",sample_num_error,"), std::string::npos);
    }
}

TEST_F(AlgorithmPanels, TaylorViewWithoutSamplesOrBound) {
    Snapshot snap = synthetic_snapshot(2);
    TaylorView t;  // a fresh sketch: nothing seen yet
    t.degree_needed = -1;
    t.recenter = "none";
    snap.sketches[1].view.taylor = t;
    snap.sketches[1].view.taylor->sample_num_error = {kNaN};
    ui::UiState ui;
    ui.selected_sketch = 1;
    EXPECT_GT(draw(snap, ui), 0);
    EXPECT_GT(ui::csv_rows(ui::polynomial_csv(snap, 1)), 200);
}

TEST_F(AlgorithmPanels, TabFollowsTheSelectionButTheUserMaySwitch) {
    Snapshot snap = synthetic_snapshot(3);
    snap.sketches[1].view.buckets = many_buckets(4);
    snap.sketches[2].view.taylor = taylor_view(2);
    EXPECT_EQ(ui::preferred_internals_tab(snap.sketches[0].view), 0);
    EXPECT_EQ(ui::preferred_internals_tab(snap.sketches[1].view), 1);
    EXPECT_EQ(ui::preferred_internals_tab(snap.sketches[2].view), 2);
    ui::UiState ui;
    for (int sel : {1, 2, 0, 2}) {
        ui.selected_sketch = sel;
        draw(snap, ui, 3);
        EXPECT_EQ(ui.internals_tab, ui::preferred_internals_tab(snap.sketches[sel].view)) << sel;
    }
    // A later switch by the user (simulated by a request) sticks while the selection stays.
    ui.requested_tab = 0;
    draw(snap, ui, 3);
    EXPECT_EQ(ui.internals_tab, 0);

    // A session's view state names the tab and the sketch; it wins on the first frame.
    ui::UiState from_session;
    ui::apply_view_state(nlohmann::json{{"tab", "buckets"}, {"selected_sketch", 2}}, from_session);
    draw(snap, from_session, 3);
    EXPECT_EQ(from_session.selected_sketch, 2);
    EXPECT_EQ(from_session.internals_tab, 1);
    ui::UiState junk;
    ui::apply_view_state(nlohmann::json{{"tab", 7}, {"selected_sketch", "x"}}, junk);
    ui::apply_view_state(nlohmann::json::array(), junk);
    EXPECT_EQ(junk.requested_tab, -1);
    // Stored view state reads back to the same tab and sketch, other fields kept.
    nlohmann::json view{{"embedding", {{"colour", "bucket"}}}};
    ui::store_view_state(from_session, view);
    EXPECT_EQ(view["tab"], "buckets");
    EXPECT_EQ(view["selected_sketch"], 2);
    EXPECT_EQ(view["embedding"]["colour"], "bucket");
    ui::UiState reloaded;
    ui::apply_view_state(view, reloaded);
    EXPECT_EQ(reloaded.requested_tab, 1);
    EXPECT_EQ(reloaded.selected_sketch, 2);
    EXPECT_EQ(ui::internals_tab_index("polynomial"), 2);
    EXPECT_EQ(ui::internals_tab_index("nope"), -1);
}

// ---- real snapshots ----

RunConfig algorithms_config(Index tokens) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", tokens},
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

Snapshot real_snapshot(Index tokens) {
    Runner runner(algorithms_config(std::max<Index>(tokens, 1)));
    if (tokens > 0) {
        runner.send(command::Step{tokens});
        runner.wait_idle();
    }
    return *runner.snapshot();
}

TEST_F(AlgorithmPanels, RealTaylorLshHybridSnapshots) {
    for (Index n : {Index{1}, Index{3000}, Index{100000}}) {
        const Snapshot snap = real_snapshot(n);
        ASSERT_TRUE(snap.error.empty()) << snap.error;
        ASSERT_EQ(snap.sketches.size(), 5u);
        ASSERT_EQ(snap.tokens_seen, n);
        const SketchView& taylor = snap.sketches[1].view;
        const SketchView& lsh = snap.sketches[2].view;
        const SketchView& hybrid = snap.sketches[3].view;
        ASSERT_TRUE(taylor.taylor.has_value());
        ASSERT_TRUE(lsh.buckets.has_value());
        ASSERT_TRUE(hybrid.taylor.has_value());
        EXPECT_EQ(ui::preferred_internals_tab(lsh), 1);
        EXPECT_EQ(ui::preferred_internals_tab(taylor), 2);

        for (int sel = 0; sel < 5; ++sel) {
            ui::UiState ui;
            ui.selected_sketch = sel;
            EXPECT_GT(draw(snap, ui), 1000) << n << " " << sel;
        }
        EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 2)), static_cast<int>(lsh.buckets->ids.size()));
        EXPECT_GE(lsh.buckets->ids.size(), 1u);
        for (int sel : {1, 3}) {
            const std::string csv = ui::polynomial_csv(snap, sel);
            EXPECT_GT(ui::csv_rows(csv), 220) << sel;
            EXPECT_NE(csv.find(",abs_error,"), std::string::npos);
            EXPECT_NE(csv.find(",monomials,"), std::string::npos);
        }

        // Error CSV: one measured row per non-exact history row, plus the theory curves.
        int measured = 0;
        for (const auto& r : snap.history)
            measured += r.sketch != "exact";
        const std::string csv = ui::error_csv(snap, 0, {});
        EXPECT_EQ(csv.substr(0, csv.find('\n')),
                  "series,kind,reconstruction,instance,sketch,tokens_seen,memory_floats,metric,"
                  "value");
        int theory = 0;
        const auto lines = ui::theory_lines(snap, {});
        for (const auto& l : lines)
            theory += static_cast<int>(l.memory.size());
        EXPECT_EQ(ui::csv_rows(csv), measured + theory);
        EXPECT_GT(theory, 0);
        EXPECT_NE(csv.find(",theory_lower,"), std::string::npos);
        EXPECT_NE(csv.find("taylor"), std::string::npos);
    }
}

TEST(TheoryOverlay, CurvesOfRunningSketchesAndLowerBounds) {
    const Snapshot snap = real_snapshot(2000);
    const auto lines = ui::theory_lines(snap, {});
    bool taylor_r = false, lower = false;
    for (const auto& l : lines) {
        if (l.reconstruction) {
            EXPECT_EQ(l.label.rfind("[R] ", 0), 0u) << l.label;
        }
        if (l.id.find("taylor") != std::string::npos) {
            taylor_r = l.reconstruction;
            EXPECT_EQ(l.instance, 1);
        }
        if (!l.upper) {
            lower = true;
            EXPECT_EQ(l.instance, -1);
        }
        for (std::size_t k = 0; k < l.memory.size(); ++k) {
            EXPECT_TRUE(std::isfinite(l.memory[k]) && l.memory[k] > 0);
            EXPECT_GT(l.eps[k], 0);
        }
    }
    EXPECT_TRUE(taylor_r);
    EXPECT_TRUE(lower);
    // Each curve id once, even with several instances of a sketch.
    std::set<std::string> ids;
    for (const auto& l : lines)
        EXPECT_TRUE(ids.insert(l.id).second) << l.id;
    // B: the Taylor view's bound when one runs; set explicitly, it is used as is.
    EXPECT_NEAR(ui::theory_inputs(snap, {}).B, ui::estimate_logit_bound(snap), 0);
    ui::TheoryOptions opt;
    opt.B = 2.5;
    EXPECT_EQ(ui::theory_inputs(snap, opt).B, 2.5);
    EXPECT_EQ(ui::theory_inputs(snap, opt).n, 2000);
    EXPECT_EQ(ui::theory_inputs(snap, opt).d, 4);
}

}  // namespace
}  // namespace kvscope
