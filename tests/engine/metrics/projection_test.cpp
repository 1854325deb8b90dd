#include "metrics/projection.hpp"

#include <gtest/gtest.h>

#include <random>

#include "session/runner.hpp"

namespace kvscope {
namespace {

// Keys in a planted 2-D subspace of R^d (plus small noise) around a non-zero mean.
Matrix planted(Index n, int d, Eigen::MatrixXd& plane, Eigen::VectorXd& mean) {
    std::mt19937 rng(3);
    std::normal_distribution<double> g;
    Eigen::MatrixXd a(d, 2);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < 2; ++j)
            a(i, j) = g(rng);
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
    plane = qr.householderQ() * Eigen::MatrixXd::Identity(d, 2);
    mean = Eigen::VectorXd::Constant(d, 0.5);
    Matrix keys(n, d);
    for (Index r = 0; r < n; ++r) {
        const Eigen::VectorXd x = mean + plane.col(0) * 3.0 * g(rng) + plane.col(1) * 1.5 * g(rng) +
                                  Eigen::VectorXd::NullaryExpr(d, [&] { return 0.01 * g(rng); });
        keys.row(r) = x.transpose().cast<float>();
    }
    return keys;
}

TEST(Projection, PcaRecoversAPlantedPlane) {
    Eigen::MatrixXd plane;
    Eigen::VectorXd mean;
    const Matrix keys = planted(4000, 64, plane, mean);
    const Projection p = fit_pca(keys, 2);
    ASSERT_TRUE(p.valid());
    EXPECT_FALSE(p.exact);
    EXPECT_EQ(p.k, 2);
    // The fitted rows span the planted plane: projecting them onto it keeps their length.
    const Eigen::MatrixXd inside = p.basis * plane;  // [2 x 2]
    EXPECT_NEAR((inside * inside.transpose() - Eigen::MatrixXd::Identity(2, 2)).norm(), 0, 1e-3);
    EXPECT_NEAR((p.mean - mean).norm(), 0, 0.2);
    EXPECT_GT(p.variance[0], p.variance[1]);
    EXPECT_NEAR((p.variance[0] + p.variance[1]) / p.total_variance, 1.0, 0.01);
    // Orthonormal rows.
    EXPECT_NEAR((p.basis * p.basis.transpose() - Eigen::MatrixXd::Identity(2, 2)).norm(), 0, 1e-9);
}

TEST(Projection, ExactIdentityWhenDIsTwo) {
    Matrix keys(3, 2);
    keys << 1, 2, -3, 4, 0.5f, -0.25f;
    const Projection p = fit_pca(keys, 3);
    EXPECT_TRUE(p.exact);
    EXPECT_EQ(p.k, 2);
    std::vector<float> out(9);
    project_rows(p, keys, out.data());
    for (Index r = 0; r < 3; ++r) {
        EXPECT_EQ(out[static_cast<std::size_t>(3 * r)], keys(r, 0));
        EXPECT_EQ(out[static_cast<std::size_t>(3 * r + 1)], keys(r, 1));
        EXPECT_EQ(out[static_cast<std::size_t>(3 * r + 2)], 0.0f);
    }
    const auto off = p.offset();
    EXPECT_EQ(off[0], 0.0f);
    EXPECT_EQ(off[1], 0.0f);
}

TEST(Projection, IncrementalEqualsBatchAndLogitIdentity) {
    Eigen::MatrixXd plane;
    Eigen::VectorXd mean;
    const Matrix keys = planted(1000, 16, plane, mean);
    const Projection p = fit_pca(keys, 3);
    std::vector<float> batch(3 * 1000), chunks(3 * 1000);
    project_rows(p, keys, batch.data());
    for (Index begin = 0; begin < 1000; begin += 77) {
        const Index count = std::min<Index>(77, 1000 - begin);
        project_rows(p, keys.middleRows(begin, count), chunks.data() + 3 * begin);
    }
    EXPECT_EQ(batch, chunks);
    // For a query in the plane, <k, q> = <p + B mean, (u, v)>.
    const double u = 0.7, v = -1.2;
    const Eigen::VectorXd q = p.basis.row(0).transpose() * u + p.basis.row(1).transpose() * v;
    const auto off = p.offset();
    for (Index r = 0; r < 10; ++r) {
        const double direct = keys.row(r).cast<double>().dot(q);
        const double from_plane = (batch[static_cast<std::size_t>(3 * r)] + off[0]) * u +
                                  (batch[static_cast<std::size_t>(3 * r + 1)] + off[1]) * v;
        EXPECT_NEAR(direct, from_plane, 1e-4);
    }
}

RunConfig small(int dim) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"seed", 5},
                       {"tokens", 6000},
                       {"eval_every", 2000},
                       {"probe_queries", 8},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", dim}}}}},
                       {"sketches", {{{"id", "uniform"}, {"params", {{"budget", 32}}}}}}},
        "");
}

TEST(Runner, PublishesEmbeddingDataIncrementally) {
    Runner runner(small(8));
    EXPECT_EQ(runner.snapshot()->embedding->count, 0);
    runner.send(command::Step{100});
    runner.wait_idle();
    const auto s1 = runner.snapshot();
    ASSERT_TRUE(s1->embedding->points);
    EXPECT_EQ(s1->embedding->count, 100);
    EXPECT_EQ(s1->embedding->probes.size(), 3u * 8u);
    EXPECT_TRUE(s1->embedding->has_query);
    runner.send(command::Step{5000});
    runner.wait_idle();
    const auto s2 = runner.snapshot();
    EXPECT_EQ(s2->embedding->count, 5100);
    EXPECT_FALSE(s2->embedding->auto_fitting);  // frozen after kFitTokens
    // Rows agree with a batch projection under the published basis.
    Session reference(small(8));
    reference.advance(5100);
    std::vector<float> batch(3 * 5100);
    project_rows(s2->embedding->projection, reference.reference().keys(), batch.data());
    for (Index i = 0; i < 5100; i += 101)
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(s2->embedding->point(i)[c], batch[static_cast<std::size_t>(3 * i + c)],
                        1e-5);
    // Nothing new: the same shared data is published again (not copied).
    const std::uint64_t basis = s2->embedding->basis_version;
    runner.send(command::Pause{});
    runner.wait_idle();
    EXPECT_EQ(runner.snapshot()->embedding.get(), s2->embedding.get());
    // Refit: a new basis and buffer, every token reprojected.
    runner.send(command::RefitProjection{});
    runner.wait_idle();
    runner.send(command::Step{10});
    runner.wait_idle();
    const auto s3 = runner.snapshot();
    EXPECT_GT(s3->embedding->basis_version, basis);
    EXPECT_NE(s3->embedding->points->id, s2->embedding->points->id);
    EXPECT_EQ(s3->embedding->count, 5110);
    EXPECT_EQ(s3->embedding->projection.fitted_on, 5100);
    EXPECT_EQ(s2->embedding->count, 5100);  // old snapshots stay as they were
    runner.send(command::Reset{});
    runner.wait_idle();
    EXPECT_EQ(runner.snapshot()->embedding->count, 0);
}

TEST(Runner, EmbeddingIsExactForTwoDimensionalKeys) {
    Runner runner(small(2));
    runner.send(command::Step{50});
    runner.wait_idle();
    const auto s = runner.snapshot();
    ASSERT_TRUE(s->embedding->projection.exact);
    Session reference(small(2));
    reference.advance(50);
    for (Index i = 0; i < 50; ++i) {
        EXPECT_EQ(s->embedding->point(i)[0], reference.reference().keys()(i, 0));
        EXPECT_EQ(s->embedding->point(i)[1], reference.reference().keys()(i, 1));
    }
}

}  // namespace
}  // namespace kvscope
