// The data behind the algorithm panels (ui/panel_csv.hpp): Taylor truncation helpers, metric
// definitions, theory overlays and each panel's CSV text, on synthetic and real snapshots.
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

TEST(Truncation, ErrorIsWithinLagrangeBoundOnAGrid) {
    for (int p = 0; p <= 16; ++p) {
        for (int i = -400; i <= 400; ++i) {
            const double x = i * 0.025;  // [-10, 10]
            const double e = ui::taylor_abs_error(x, p);
            const double b = ui::lagrange_error_bound(x, p);
            ASSERT_TRUE(std::isfinite(e)) << x << " " << p;
            EXPECT_LE(e, b * (1 + 1e-9) + 1e-300) << "x=" << x << " p=" << p;
        }
    }
}

TEST(Truncation, MatchesDirectDifferenceWhereThatIsAccurate) {
    for (int p : {0, 1, 2, 5, 8}) {
        for (double x : {-3.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0}) {
            const long double direct = std::abs(std::exp(static_cast<long double>(x)) -
                                                static_cast<long double>(ui::taylor_poly(x, p)));
            if (direct < 1e-8L) continue;  // below that the subtraction itself loses digits
            EXPECT_NEAR(ui::taylor_abs_error(x, p) / static_cast<double>(direct), 1.0, 1e-6)
                << x << " " << p;
        }
    }
    // Tiny remainders stay accurate (no cancellation): e^x - T_8(x) = x^9/9! (1 + x/10 + ...)
    // at x = 0.01, far below e^x's rounding.
    EXPECT_NEAR(ui::taylor_abs_error(0.01, 8) / (1e-18 / 362880.0 * (1 + 1e-3 + 1e-4 / 110)), 1.0,
                1e-9);
    EXPECT_EQ(ui::taylor_abs_error(0.0, 3), 0.0);
    EXPECT_NEAR(ui::taylor_poly(1.0, 20), std::exp(1.0), 1e-15);
}

TEST(Truncation, BoundsAndCounts) {
    EXPECT_EQ(ui::lagrange_error_bound(0.0, 2), 0.0);
    EXPECT_NEAR(ui::lagrange_error_bound(2.0, 2), std::exp(2.0) * 8 / 6, 1e-12);
    EXPECT_NEAR(ui::lagrange_error_bound(-2.0, 2), 8.0 / 6, 1e-12);
    EXPECT_NEAR(ui::relative_error_bound(0.5, 3), std::exp(1.0) * std::pow(0.5, 4) / 24, 1e-15);
    EXPECT_EQ(ui::relative_error_bound(0.0, 3), 0.0);
    // docs/algorithms.md §2.10 table.
    EXPECT_EQ(ui::monomial_count(8, 2), 45);
    EXPECT_EQ(ui::monomial_count(16, 3), 969);
    EXPECT_EQ(ui::monomial_count(64, 4), 814385);
    EXPECT_EQ(ui::monomial_count(128, 4), 12082785);
    EXPECT_EQ(ui::monomial_count(5, 0), 1);
    EXPECT_EQ(ui::moment_floats(16, 16, 3), 969 * 17);
}

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
        EXPECT_EQ(ui::csv_rows(csv), measured + theory);
        EXPECT_GT(theory, 0);
        EXPECT_NE(csv.find(",theory_lower,"), std::string::npos);
        EXPECT_NE(csv.find("taylor"), std::string::npos);
    }
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
