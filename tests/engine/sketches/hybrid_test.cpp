// Tests of the `hybrid` sketch [R] and its residual store.
#include "sketches/hybrid.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "engine/support/poly_eval_util.hpp"
#include "math/taylor_series.hpp"
#include "theory/polynomial.hpp"

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
                "hybrid", kD, kD, kBeta,
                {{"degree", t}, {"budget", 300}, {"batch", 301}, {"recenter", recenter}});
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
            // merge_reduce residual items cost d + d_v + 1 floats (key, value, own weight).
            const int m = static_cast<int>(std::floor((mem - moments) / (kD + kD + 1)));
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
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 4, 31);
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 400, 32);
    for (const char* residual : {"reservoir", "merge_reduce"}) {
        auto s = polytest::make_sketch("hybrid", kD, kD, kBeta,
                                       {{"degree", 2}, {"budget", 50}, {"residual", residual}});
        EXPECT_TRUE(s->estimate_many(Q).den.isZero(0.0));
        polytest::feed(*s, st, 100);
        const SketchView v = s->view();
        ASSERT_TRUE(v.taylor.has_value());
        if (std::string(residual) == "reservoir") {
            EXPECT_DOUBLE_EQ(s->stats().memory_floats, 45.0 * 9 + 50 * 16 + 1);
            EXPECT_EQ(v.retained.size(), 50u);
            EXPECT_TRUE(v.merge_trees.empty());
        } else {
            // Auto batch for budget 50: t = 16, L = 4 levels; 400 = 25 t, so the root and the
            // first level hold 8 items each.
            const Index m = s->stats().retained;
            EXPECT_EQ(m, merge_reduce_residual_size(400, merge_reduce_residual_shape(50, 0)));
            EXPECT_EQ(m, 16);
            EXPECT_DOUBLE_EQ(s->stats().memory_floats, 45.0 * 9 + static_cast<double>(m) * 17);
            EXPECT_EQ(static_cast<Index>(v.retained.size()), m);
            ASSERT_EQ(v.merge_trees.size(), 1u);
            EXPECT_EQ(v.merge_trees[0].buffer_capacity, 16);
            EXPECT_EQ(v.merge_trees[0].levels.size(), 4u);
            EXPECT_TRUE(v.merge_tree.has_value());
            // Total weight conserved exactly: the residual items stand for all 400 tokens.
            double w = 0;
            for (const auto& t : v.retained)
                w += t.weight_den;
            EXPECT_NEAR(w, 400.0, 1e-9);
        }
        const Eigen::MatrixXd z = s->estimate_many(Q).output();
        s->reset();
        EXPECT_EQ(s->stats().retained, 0);
        polytest::feed(*s, st, 100);
        EXPECT_TRUE(s->estimate_many(Q).output().isApprox(z, 1e-12)) << residual;
    }
    EXPECT_THROW(polytest::make_sketch("hybrid", 128, 128, 0.1, {{"degree", 4}}),
                 std::invalid_argument);
}

// Regression (issue 14: "budgets 64, 128, 256 all keep 10-15 residual items; only batch sets the
// size"): under the default (auto) batch the residual item count follows the stated formula and
// so scales with budget; with the old fixed batch 32 every budget kept 16 items at n = 4,096.
TEST(HybridSketch, BudgetSetsTheResidualSize) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 4096, 45);
    std::map<int, double> mean_size;
    for (int budget : {64, 128, 256}) {
        auto s =
            polytest::make_sketch("hybrid", kD, kD, kBeta, {{"degree", 2}, {"budget", budget}});
        const ResidualTreeShape shape = merge_reduce_residual_shape(budget, 0);
        EXPECT_EQ(shape.max_levels, 4) << budget;
        double sum = 0;
        Index samples = 0;
        for (Index n = 1; n <= 4096; ++n) {
            s->append(TokenBlock(Matrix(0, kD), st.keys.middleRows(n - 1, 1),
                                 st.values.middleRows(n - 1, 1), n - 1));
            const Index got = s->stats().retained;
            const Index formula = merge_reduce_residual_size(n, shape);
            ASSERT_LE(std::abs(static_cast<double>(got - formula)), 0.1 * formula)
                << "budget " << budget << " n " << n;
            ASSERT_LE(got, budget);
            if (n >= 4 * budget) {
                sum += static_cast<double>(got);
                ++samples;
            }
        }
        mean_size[budget] = sum / static_cast<double>(samples);
        // The formula's mean over n from 4m to 4,096 is 0.54 m, 0.57 m and 0.58 m.
        EXPECT_NEAR(mean_size[budget] / budget, 0.56, 0.05) << budget;
    }
    EXPECT_NEAR(mean_size[128] / mean_size[64], 2.0, 0.2);
    EXPECT_NEAR(mean_size[256] / mean_size[64], 4.0, 0.4);
}

// The merge-and-reduce residual store never exceeds its budget, and keeps every level of its
// bounded-depth tree for any budget / batch pair.
TEST(HybridSketch, ResidualTreeShapeRespectsTheBudget) {
    for (Index budget : {1, 2, 3, 7, 32, 50, 128, 1000, 5000}) {
        for (Index batch : {0, 2, 8, 32, 256}) {
            const ResidualTreeShape sh = merge_reduce_residual_shape(budget, batch);
            EXPECT_GE(sh.batch, 2);
            EXPECT_GE(sh.max_levels, 0);
            EXPECT_LE(sh.batch - 1 + sh.max_levels * ((sh.batch + 1) / 2),
                      std::max<Index>(budget, 1))
                << budget << " " << batch;
        }
    }
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 3000, 41);
    for (Index budget : {1, 7, 50}) {
        MergeReduceOptions o;
        o.batch = 16;
        MergeReduceResidualStore store(kD, kD, budget, o, 2, kBeta, true, 5);
        for (Index i = 0; i < 3000; ++i) {
            store.push(st.keys.row(i).data(), st.values.row(i).data(), 1.0, i);
            ASSERT_LE(store.size(), budget) << "budget " << budget << " token " << i;
        }
        EXPECT_NEAR(store.tree().total_weight(), 3000.0, 1e-8);
    }
}

TEST(HybridSketch, ResidualTailHasNoCancellation) {
    for (int t : {0, 1, 2, 5}) {
        for (double x : {-3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.3, 1.9, 2.5, 6.0}) {
            // Reference: the tail series in long double.
            long double term = 1, sum = 0;
            for (int l = 1; l <= 200; ++l) {
                term *= static_cast<long double>(x) / l;
                if (l > t) sum += term;
            }
            const double ref = static_cast<double>(sum);
            EXPECT_NEAR(taylor_tail(x, t), ref,
                        1e-14 * std::max(1.0, std::abs(ref)) + 1e-12 * std::abs(ref))
                << "x=" << x << " t=" << t;
        }
    }
    EXPECT_DOUBLE_EQ(taylor_tail(0.7, -1), std::exp(0.7));
}

// The merge-and-reduce residual against the reservoir at equal memory, and against no residual
// at all (taylor alone).
TEST(HybridSketch, MergeReduceResidualAgainstTheReservoirAtEqualMemory) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 4096, 51);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 256, 52);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    auto taylor = polytest::make_sketch("taylor", kD, kD, kBeta, {{"degree", 2}});
    polytest::feed(*taylor, st);
    const double e_taylor = polytest::mean_of(polytest::rel_errors(*taylor, exact, Q));
    for (int budget : {64, 256}) {
        double e_mr = 0, e_res = 0;
        const int seeds = 4;
        for (int seed = 0; seed < seeds; ++seed) {
            auto mr = polytest::make_sketch("hybrid", kD, kD, kBeta,
                                            {{"degree", 2}, {"budget", budget}}, 100 + seed);
            polytest::feed(*mr, st);
            const double mem = mr->stats().memory_floats;
            const int m_res =
                static_cast<int>((mem - taylor_moment_floats(kD, kD, 2) - 1) / (kD + kD));
            auto res = polytest::make_sketch(
                "hybrid", kD, kD, kBeta,
                {{"degree", 2}, {"budget", m_res}, {"residual", "reservoir"}}, 100 + seed);
            polytest::feed(*res, st);
            EXPECT_LE(res->stats().memory_floats, mem);
            e_mr += polytest::mean_of(polytest::rel_errors(*mr, exact, Q)) / seeds;
            e_res += polytest::mean_of(polytest::rel_errors(*res, exact, Q)) / seeds;
        }
        std::printf("budget %d: taylor t=2 %.4g, hybrid reservoir %.4g, merge_reduce %.4g\n",
                    budget, e_taylor, e_res, e_mr);
        // Measured (seeds 100..103, auto batch): at these memories the walk-balanced residual
        // is worse than the reservoir (0.080 vs 0.033 at m = 64, 0.044 vs 0.021 at m = 256), and
        // both are above taylor t = 2 alone (0.0037): the sampled residual adds more variance
        // than the truncation error it removes on this stream. The margins only catch a broken
        // store.
        EXPECT_LT(e_mr, 3.0 * e_res) << budget;
        EXPECT_LT(e_mr, 0.5) << budget;
    }
}

// The residual estimate itself: the store's weights sum to n, and its estimate of
// sum_i e_{>t}(x_i) [v_i, 1] is close to the exact residual sums.
TEST(HybridSketch, MergeReduceResidualEstimatesTheResidualSums) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 4096, 61);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 64, 62);
    const Eigen::VectorXd c = st.keys.cast<double>().colwise().mean().transpose();
    for (int t : {1, 2}) {
        double err_mr = 0, err_res = 0;
        for (int seed = 0; seed < 3; ++seed) {
            MergeReduceOptions o;
            o.batch = 32;
            MergeReduceResidualStore mr(kD, kD, 128, o, t, kBeta, true, 70 + seed);
            ReservoirResidualStore res(kD, kD, 128, 70 + seed);
            for (Index i = 0; i < 4096; ++i) {
                mr.push(st.keys.row(i).data(), st.values.row(i).data(), 1.0, i);
                res.push(st.keys.row(i).data(), st.values.row(i).data(), 1.0, i);
            }
            EXPECT_NEAR(mr.tree().total_weight(), 4096.0, 1e-8);
            const EstimateBatch a = mr.estimate_residual(Q, kBeta, c, t);
            const EstimateBatch b = res.estimate_residual(Q, kBeta, c, t);
            // Exact residual denominators.
            const MatrixD X = (kBeta * Q.cast<double>()) *
                              (st.keys.cast<double>().rowwise() - c.transpose()).transpose();
            for (Index r = 0; r < Q.rows(); ++r) {
                // No log-safe extra shift at these logits: den is sum_i w_i e_{>t}(x_i).
                double z = 0, mass = 0;
                for (Index i = 0; i < X.cols(); ++i) {
                    z += taylor_tail(X(r, i), t);
                    mass += std::abs(taylor_tail(X(r, i), t));
                }
                err_mr += std::abs(a.den[r] - z) / mass / (3.0 * Q.rows());
                err_res += std::abs(b.den[r] - z) / mass / (3.0 * Q.rows());
            }
        }
        std::printf("t=%d residual den rel err: merge_reduce %.4g reservoir %.4g\n", t, err_mr,
                    err_res);
        // Measured: merge_reduce 0.25 / 0.48, reservoir 0.087 / 0.13 (t = 1 / 2), both with the
        // weights summing to n exactly.
        EXPECT_LT(err_mr, 1.0) << t;
    }
}

TEST(HybridSketch, RefusesBadPartitionsAndParams) {
    // A partitioned budget below the number of parts.
    try {
        polytest::make_sketch("hybrid", kD, kD, kBeta,
                              {{"partition", "norm_shells"}, {"parts", 8}, {"budget", 5}});
        FAIL() << "budget 5 over 8 parts accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("smaller than the 8 parts"), std::string::npos)
            << e.what();
    }
    // The moment limit counts every part.
    const double one = taylor_moment_floats(kD, kD, 3);
    EXPECT_NO_THROW(
        polytest::make_sketch("hybrid", kD, kD, kBeta, {{"degree", 3}, {"max_floats", one}}));
    EXPECT_THROW(polytest::make_sketch(
                     "hybrid", kD, kD, kBeta,
                     {{"degree", 3}, {"max_floats", one}, {"partition", "simhash"}, {"parts", 4}}),
                 std::invalid_argument);
    for (const nlohmann::json& bad :
         {nlohmann::json{{"residual", "uniform"}}, nlohmann::json{{"partition", "caps"}},
          nlohmann::json{{"batch", 1}}, nlohmann::json{{"parts", 1}}, nlohmann::json{{"budget", 0}},
          nlohmann::json{{"den_weight", -1}}}) {
        EXPECT_THROW(polytest::make_sketch("hybrid", kD, kD, kBeta, bad), std::invalid_argument)
            << bad.dump();
    }
}

// Partitioned hybrid on a large-offset stream: deterministic bucket assignment for a seed, one
// recentred part per bucket, and far more accurate than one part expanded around the origin.
TEST(HybridSketch, PartitionIsDeterministicAndAccurateOnOffsetClusters) {
    const nlohmann::json src = {
        {"dim", kD}, {"clusters", 4}, {"offset", 10.0}, {"radius", 1.0}, {"query_radius", 1.0}};
    const polytest::Stream st = polytest::draw_stream("clustered_offset", src, 4096, 71);
    const Matrix Q = polytest::draw_probes("clustered_offset", src, 128, 72);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    const nlohmann::json p = {
        {"degree", 1}, {"budget", 256}, {"partition", "simhash"}, {"parts", 4}};
    auto a = polytest::make_sketch("hybrid", kD, kD, kBeta, p, 5);
    auto b = polytest::make_sketch("hybrid", kD, kD, kBeta, p, 5);
    polytest::feed(*a, st, 64);
    polytest::feed(*b, st, 1000);
    const SketchView va = a->view(), vb = b->view();
    ASSERT_TRUE(va.buckets.has_value());
    EXPECT_EQ(va.buckets->bucket_of_token, vb.buckets->bucket_of_token);
    EXPECT_EQ(va.buckets->bucket_of_token.size(), 4096u);
    EXPECT_EQ(va.buckets->ids.size(), va.merge_trees.size());
    EXPECT_LE(a->stats().retained, 256);
    const auto& ha = dynamic_cast<const HybridSketch&>(*a);
    for (Index i = 0; i < 4096; i += 97)
        EXPECT_EQ(ha.bucket_of(st.keys.row(i).data()), va.buckets->bucket_of_token[i]);
    const double e_part = polytest::mean_of(polytest::rel_errors(*a, exact, Q));
    const double e_part_b = polytest::mean_of(polytest::rel_errors(*b, exact, Q));
    // Different blocking: the same parts and moments; the trees see tokens in the same order.
    EXPECT_NEAR(e_part, e_part_b, 1e-9 + 1e-6 * e_part);
    auto none = polytest::make_sketch("hybrid", kD, kD, kBeta,
                                      {{"degree", 1}, {"budget", 256}, {"recenter", "none"}}, 5);
    polytest::feed(*none, st);
    const double e_none = polytest::mean_of(polytest::rel_errors(*none, exact, Q));
    auto one = polytest::make_sketch("hybrid", kD, kD, kBeta, {{"degree", 1}, {"budget", 256}}, 5);
    polytest::feed(*one, st);
    const double e_one = polytest::mean_of(polytest::rel_errors(*one, exact, Q));
    std::printf("clustered_offset: partitioned %.4g, one part (mean) %.4g, origin %.4g\n", e_part,
                e_one, e_none);
    // Measured: partitioned 0.33, one part around the mean 0.096, origin 28.6.
    EXPECT_LT(e_part, 0.1 * e_none);
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
