// Tests of `subgen`: clustering, exact denominator with full reservoirs, unbiased numerator.
#include "sketches/subgen.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.hpp"
#include "engine/support/poly_eval_util.hpp"

namespace kvscope {
namespace {

constexpr int kD = 4;

polytest::Stream clouds(Index n, int clusters, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<Eigen::VectorXf> centres;
    for (int c = 0; c < clusters; ++c)
        centres.push_back(rng.on_sphere(kD, 5.0 + c));
    polytest::Stream st{Matrix(n, kD), Matrix(n, kD)};
    for (Index i = 0; i < n; ++i) {
        // One draw per statement, in the order gcc evaluated the former one-line expression:
        // the order of operands is unspecified, and clang's differed (another stream).
        const double r = 0.2 * rng.uniform();
        const Eigen::VectorXf offset = rng.on_sphere(kD, r);
        const Index c = rng.below(clusters);
        st.keys.row(i) = (centres[static_cast<std::size_t>(c)] + offset).transpose();
        st.values.row(i) = rng.normal_vector(kD).transpose();
    }
    return st;
}

TEST(SubGen, ClustersWellSeparatedKeysAndBoundsMemory) {
    const polytest::Stream st = clouds(500, 3, 1);
    auto s = polytest::make_sketch("subgen", kD, kD, 0.5, {{"delta", 0.5}, {"t", 8}, {"s", 16}});
    polytest::feed(*s, st, 50);
    const SketchView v = s->view();
    ASSERT_TRUE(v.buckets.has_value());
    EXPECT_EQ(v.buckets->ids.size(), 3u);
    Index total = 0;
    for (Index c : v.buckets->counts)
        total += c;
    EXPECT_EQ(total, 500);
    EXPECT_EQ(s->stats().retained, 3 * 8 + 16);
    EXPECT_DOUBLE_EQ(s->stats().memory_floats, 3 * (kD + 1) + 24 * kD + 16 * (2 * kD + 1) + 1);
    auto capped = polytest::make_sketch("subgen", kD, kD, 0.5,
                                        {{"delta", 0.01}, {"max_clusters", 5}, {"t", 4}});
    polytest::feed(*capped, st);
    EXPECT_EQ(capped->view().buckets->ids.size(), 5u);
}

TEST(SubGen, DenominatorExactWithFullReservoirsAndNumeratorUnbiased) {
    const polytest::Stream st = clouds(120, 2, 2);
    const Matrix Q = st.keys.topRows(3) * 0.3f;
    const double beta = 0.5;
    const MatrixD K = st.keys.cast<double>();
    const MatrixD V = st.values.cast<double>();
    const MatrixD W = ((beta * Q.cast<double>()) * K.transpose()).array().exp().matrix();
    const Eigen::VectorXd Z = W.rowwise().sum();
    const MatrixD N = W * V;
    MatrixD mean_num = MatrixD::Zero(Q.rows(), kD);
    const int runs = 400;
    for (int seed = 0; seed < runs; ++seed) {
        auto s =
            polytest::make_sketch("subgen", kD, kD, beta, {{"delta", 0.5}, {"t", 200}, {"s", 8}},
                                  static_cast<std::uint64_t>(seed));
        polytest::feed(*s, st, 30);
        const EstimateBatch e = s->estimate_many(Q);
        for (Index r = 0; r < Q.rows(); ++r) {
            const double f = std::exp(e.shift[r]);
            EXPECT_NEAR(f * e.den[r], Z[r], 1e-9 * Z[r]);
            mean_num.row(r) += f * e.num.row(r) / runs;
        }
    }
    for (Index r = 0; r < Q.rows(); ++r) {
        // Standard error of a 400-run mean is well below 15% of |N| here.
        EXPECT_LT((mean_num.row(r) - N.row(r)).norm(), 0.15 * N.row(r).norm()) << r;
    }
}

TEST(SubGen, BucketViewSharesOfZAreEachClustersExactMassWithFullReservoirs) {
    // Reservoirs hold every key (t >= n), so each cluster's share of Z_hat is its exact share
    // of Z; queries are stream keys, so each query's cluster is the one its key joined.
    const polytest::Stream st = clouds(150, 3, 4);
    const double beta = 0.5;
    auto s = polytest::make_sketch("subgen", kD, kD, beta, {{"delta", 0.5}, {"t", 200}});
    polytest::feed(*s, st, 40);
    const Matrix Q = st.keys.middleRows(10, 4);
    s->estimate_many(Q);
    const SketchView v = s->view();
    ASSERT_TRUE(v.buckets.has_value());
    const BucketView& b = *v.buckets;
    ASSERT_EQ(b.recent_contributions.size(), 4u);
    std::vector<int> cluster_of(150, -1);
    for (const auto& t : v.retained)
        if (t.tag >= 0) cluster_of[static_cast<std::size_t>(t.position)] = t.tag;
    double rate = 0;
    for (Index r = 0; r < Q.rows(); ++r) {
        std::vector<double> exact(b.ids.size(), 0.0);
        double z = 0;
        for (Index i = 0; i < 150; ++i) {
            const double w =
                std::exp(beta * st.keys.row(i).cast<double>().dot(Q.row(r).cast<double>()));
            ASSERT_GE(cluster_of[static_cast<std::size_t>(i)], 0);
            exact[static_cast<std::size_t>(cluster_of[static_cast<std::size_t>(i)])] += w;
            z += w;
        }
        for (std::size_t c = 0; c < exact.size(); ++c)
            EXPECT_NEAR(b.recent_contributions[static_cast<std::size_t>(r)][c], exact[c] / z, 1e-9);
        const int own = cluster_of[static_cast<std::size_t>(10 + r)];
        if (r == 0) {
            EXPECT_EQ(b.query_bucket, own);
        }
        rate += static_cast<double>(b.counts[static_cast<std::size_t>(own)]) / 150.0;
    }
    EXPECT_EQ(b.query_contribution, b.recent_contributions.front());
    ASSERT_EQ(b.memory_floats.size(), b.ids.size());
    for (std::size_t c = 0; c < b.ids.size(); ++c)  // every key is in its reservoir (t >= n)
        EXPECT_DOUBLE_EQ(b.memory_floats[c], (kD + 1) + static_cast<double>(b.counts[c]) * kD);
    EXPECT_NEAR(b.collision_rate, rate / 4, 1e-12);
}

TEST(SubGen, ResetReplaysAndTheoryCurveExists) {
    const polytest::Stream st = clouds(200, 2, 3);
    auto s = polytest::make_sketch("subgen", kD, kD, 0.5, {{"delta", 0.5}});
    const Matrix Q = st.keys.topRows(4);
    polytest::feed(*s, st, 40);
    const Eigen::MatrixXd z = s->estimate_many(Q).output();
    s->reset();
    polytest::feed(*s, st, 40);
    EXPECT_TRUE(s->estimate_many(Q).output().isApprox(z, 1e-12));
    const TheoryCurve c = subgen_space_curve();
    TheoryInputs in;
    in.d = 8;
    in.B = 0.5;
    in.eps = 0.1;
    EXPECT_GT(c.words(in), 0.0);
    EXPECT_THROW(polytest::make_sketch("subgen", kD, kD, 0.5, {{"t", 0}}), std::invalid_argument);
}

}  // namespace
}  // namespace kvscope
