// Tests of the `hybrid` sketch [R] and its residual store.
#include "sketches/hybrid.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "engine/poly_eval_util.hpp"

namespace kvscope {
namespace {

constexpr int kD = 8;
const double kBeta = 1.0 / std::sqrt(8.0);
const double kRadius = std::sqrt(0.5 * std::sqrt(8.0));  // B = 0.5

nlohmann::json ball() {
    return {{"dim", kD}, {"radius", kRadius}};
}

// With every token in the residual store, moments + residual reproduce exact attention.
TEST(HybridSketch, ExactWhenTheResidualStoreHoldsEveryToken) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 300, 11);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 64, 12);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    for (int t : {0, 1, 3}) {
        for (const char* recenter : {"none", "mean"}) {
            auto s = polytest::make_sketch(
                "hybrid", kD, kD, kBeta, {{"degree", t}, {"budget", 300}, {"recenter", recenter}});
            polytest::feed(*s, st, 70);
            const std::vector<double> e = polytest::rel_errors(*s, exact, Q);
            for (double x : e)
                EXPECT_LT(x, 1e-9) << "t=" << t << " " << recenter;
        }
    }
}

// Acceptance: at equal memory (moments included) hybrid's rel_err_mean is >= 5x lower than
// uniform's on isotropic_ball d = 8, B = 0.5.
TEST(HybridSketch, FiveTimesLowerErrorThanUniformAtEqualMemory) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 4096, 21);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 256, 22);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    for (int uniform_budget : {128, 256, 512}) {
        auto u = polytest::make_sketch("uniform", kD, kD, kBeta, {{"budget", uniform_budget}});
        polytest::feed(*u, st);
        const double mem = u->stats().memory_floats;
        for (int t : {1, 2}) {
            const double moments = taylor_moment_floats(kD, kD, t);
            const int m = static_cast<int>(std::floor((mem - moments - 1) / (kD + kD)));
            auto h = polytest::make_sketch("hybrid", kD, kD, kBeta, {{"degree", t}, {"budget", m}});
            polytest::feed(*h, st);
            ASSERT_LE(h->stats().memory_floats, mem);
            const double eu = polytest::mean_of(polytest::rel_errors(*u, exact, Q));
            const double eh = polytest::mean_of(polytest::rel_errors(*h, exact, Q));
            char buf[160];
            std::snprintf(buf, sizeof buf, "mem=%.0f uniform=%.4g hybrid_t%d=%.4g (%.0f floats)",
                          mem, eu, t, eh, h->stats().memory_floats);
            RecordProperty("budget" + std::to_string(uniform_budget) + "_t" + std::to_string(t),
                           buf);
            EXPECT_LT(5.0 * eh, eu) << buf;
        }
    }
}

TEST(HybridSketch, ReportsMemoryViewAndResets) {
    auto s = polytest::make_sketch("hybrid", kD, kD, kBeta, {{"degree", 2}, {"budget", 50}});
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 4, 31);
    EXPECT_TRUE(s->estimate_many(Q).den.isZero(0.0));
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 400, 32);
    polytest::feed(*s, st, 100);
    EXPECT_DOUBLE_EQ(s->stats().memory_floats, 45.0 * 9 + 50 * 16 + 1);
    const Eigen::MatrixXd z = s->estimate_many(Q).output();
    const SketchView v = s->view();
    ASSERT_TRUE(v.taylor.has_value());
    EXPECT_EQ(v.retained.size(), 50u);
    s->reset();
    polytest::feed(*s, st, 100);
    EXPECT_TRUE(s->estimate_many(Q).output().isApprox(z, 1e-12));
    EXPECT_THROW(polytest::make_sketch("hybrid", 128, 128, 0.1, {{"degree", 4}}),
                 std::invalid_argument);
}

TEST(HybridSketch, TheoryHeuristicPicksAHigherDegreeForSmallerEps) {
    const TheoryCurve c = hybrid_space_curve();
    EXPECT_TRUE(c.reconstruction);
    TheoryInputs in;
    in.d = 8;
    in.d_v = 8;
    in.B = 0.5;
    in.n = 1e5;
    in.eps = 1e-1;
    const int t_loose = hybrid_best_degree(in);
    const double w_loose = c.words(in);
    in.eps = 1e-6;
    const int t_tight = hybrid_best_degree(in);
    EXPECT_GT(t_tight, t_loose);
    // Sublinear in 1/eps: 10^5 times smaller eps costs far less than 10^5 times the space.
    EXPECT_LT(c.words(in), 1e3 * w_loose);
}

}  // namespace
}  // namespace kvscope
