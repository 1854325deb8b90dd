// The data behind the algorithm panels (ui/panel_csv.hpp): metric definitions, theory overlays
// and each panel's CSV text, on synthetic and real snapshots. The Taylor tails, Lagrange bounds
// and monomial counts they plot are the engine's (tests/engine/math/).
#include "ui/panel_csv.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using test::edit_view;
using test::many_buckets;
using test::synthetic_snapshot;
using test::taylor_view;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

TEST(PanelCsv, EmptySnapshotGivesHeadersAndTheGlobalBoundsOnly) {
    Snapshot empty;
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(empty, 0)), 0);
    EXPECT_EQ(ui::csv_rows(ui::polynomial_csv(empty, 0)), 0);
    int theory_rows = 0;
    for (const auto& l : ui::theory_lines(empty, {}))
        theory_rows += static_cast<int>(l.memory.size());
    EXPECT_EQ(ui::csv_rows(ui::error_csv(empty, 0, {})), theory_rows);
}

TEST(PanelCsv, BucketRowsPerBucketAndNoneWithoutBuckets) {
    Snapshot snap = synthetic_snapshot(3);
    edit_view(snap.sketches[1]).buckets = many_buckets(4);
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 0)), 0);
    EXPECT_EQ(ui::csv_rows(ui::polynomial_csv(snap, 0)), 0);
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 1)), 4);
    EXPECT_EQ(ui::csv_rows(ui::bucket_csv(snap, 99)), 0);
    for (int n : {0, 1, 16, 5000}) {
        edit_view(snap.sketches[1]).buckets = many_buckets(n);
        const std::string csv = ui::bucket_csv(snap, 1);
        EXPECT_EQ(csv.substr(0, csv.find('\n')),
                  "instance,sketch,tokens_seen,family,summary,bucket_id,count,radius,"
                  "memory_floats,taylor_degree,query_share,recent_share_mean,recent_share_max,"
                  "is_query_bucket,collision_rate");
        EXPECT_EQ(ui::csv_rows(csv), n);
    }
    BucketView b = many_buckets(10);
    b.radii = {kNaN, 1.0};  // shorter than ids
    b.counts.resize(5);
    b.query_contribution = {kNaN, 0.5, 0.5};
    b.taylor_degree.clear();
    b.collision_rate = kNaN;
    edit_view(snap.sketches[1]).buckets = b;
    const std::string csv = ui::bucket_csv(snap, 1);
    EXPECT_EQ(ui::csv_rows(csv), 10);
    EXPECT_NE(csv.find("nan"), std::string::npos);
}

TEST(PanelCsv, PolynomialSeriesAtDegreesZeroAndEight) {
    for (int p : {0, 8}) {
        Snapshot snap = synthetic_snapshot(2);
        edit_view(snap.sketches[1]).taylor = taylor_view(p);
        const std::string csv = ui::polynomial_csv(snap, 1);
        EXPECT_EQ(csv.substr(0, csv.find('\n')), "instance,sketch,tokens_seen,degree,series,x,y");
        // abs_error 101 + lagrange_bound 101 + bound_B 2 + logit_hist 40 + relative_bound
        // (max(12, p+4) + 1) + 3 num + 2 den + target_eps + degree_needed + 9 + 9.
        const int expected = 101 + 101 + 2 + 40 + (std::max(12, p + 4) + 1) + 3 + 2 + 2 + 18;
        EXPECT_EQ(ui::csv_rows(csv), expected) << p;
        EXPECT_NE(csv.find(",sample_num_error,"), std::string::npos);
    }
    Snapshot fresh = synthetic_snapshot(2);
    TaylorView t;  // a fresh sketch: nothing seen yet
    t.degree_needed = -1;
    t.sample_num_error = {kNaN};
    edit_view(fresh.sketches[1]).taylor = t;
    EXPECT_GT(ui::csv_rows(ui::polynomial_csv(fresh, 1)), 200);
}

TEST(PanelCsv, RealTaylorLshHybridSnapshots) {
    for (Index n : {Index{1}, Index{3000}}) {
        const Snapshot snap = test::runner_snapshot(test::algorithms_config(n), n);
        ASSERT_TRUE(snap.error.empty()) << snap.error;
        const SketchView& lsh = *snap.sketches[2].view;
        ASSERT_TRUE(lsh.buckets.has_value());
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
        for (const auto& l : ui::theory_lines(snap, {}))
            theory += static_cast<int>(l.memory.size());
        int slopes = 0;
        for (std::size_t at = csv.find(",slope"); at != std::string::npos;
             at = csv.find(",slope", at + 1))
            ++slopes;
        EXPECT_EQ(slopes % 3, 0) << "slope, slope_lo and slope_hi per family";
        EXPECT_EQ(ui::csv_rows(csv), measured + theory + slopes);
        EXPECT_GT(theory, 0);
        EXPECT_NE(csv.find(",theory_lower,"), std::string::npos);
        EXPECT_NE(csv.find("taylor"), std::string::npos);
    }
}

TEST(PanelCsv, ErrorCsvHasEachFamilysSlopeAndDistinctNames) {
    // A uniform budget sweep whose error falls exactly as memory^(-1/2).
    std::vector<MetricRow> rows;
    for (int b : {64, 128, 256, 512}) {
        MetricRow r;
        r.instance = static_cast<int>(rows.size());
        r.sketch = r.label = "uniform";
        r.params = "budget=" + std::to_string(b);
        r.tokens_seen = 4096;
        r.memory_floats = 32.0 * b;
        r.errors.rel_err_mean = 3.0 / std::sqrt(r.memory_floats);
        rows.push_back(r);
    }
    Snapshot snap;
    snap.history = MetricRows(rows);
    snap.tokens_seen = 4096;
    const std::string csv = ui::error_csv(snap, 0, {});
    const auto row_of = [&](const std::string& kind) {
        const std::size_t at = csv.find("," + kind + ",");
        return at == std::string::npos ? std::string() : csv.substr(at, csv.find('\n', at) - at);
    };
    const std::string slope = row_of("slope");
    ASSERT_FALSE(slope.empty()) << csv;
    const double value = std::stod(slope.substr(slope.rfind(',') + 1));
    EXPECT_NEAR(value, -0.5, 1e-9);
    EXPECT_FALSE(row_of("slope_lo").empty());
    EXPECT_FALSE(row_of("slope_hi").empty());
    EXPECT_NE(csv.find("uniform budget=64,measured"), std::string::npos) << csv;
    EXPECT_NE(csv.find("uniform budget=512,measured"), std::string::npos) << csv;
}

TEST(TheoryOverlay, CurvesOfRunningSketchesAndLowerBounds) {
    const Snapshot snap = test::runner_snapshot(test::algorithms_config(2000), 2000);
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
