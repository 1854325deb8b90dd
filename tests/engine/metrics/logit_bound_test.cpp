// The stream's logit bound B = beta R Q: its inputs against a brute-force recomputation, and
// its independence from the sketches that run (issue: the automatic B once depended on whether a
// Taylor sketch was loaded, 2.9 against 1 for the same radius-2 ball).
#include "metrics/logit_bound.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "session/run_config.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

RunConfig scene(const std::string& source, const nlohmann::json& sketches) {
    nlohmann::json doc = {
        {"schema_version", 1}, {"tokens", 1500},
        {"eval_every", 500},   {"probe_queries", 16},
        {"seed", 5},           {"source", {{"id", source}, {"params", nlohmann::json::object()}}},
        {"sketches", sketches}};
    return parse_run_config(doc, "");
}

TEST(LogitBound, MatchesBruteForceOverTheStoredStream) {
    Session s(scene("clustered_offset", nlohmann::json::array({{{"id", "uniform"}}})));
    s.run_to_end();
    const LogitBoundInputs& in = s.logit_bound();
    const auto keys = s.reference().keys();
    ASSERT_EQ(in.keys_seen, keys.rows());
    ASSERT_EQ(in.centre_tokens, LogitBound::kCentreTokens);
    Eigen::VectorXd c = Eigen::VectorXd::Zero(keys.cols());
    for (Index i = 0; i < LogitBound::kCentreTokens; ++i)
        c += keys.row(i).transpose().cast<double>();
    c /= static_cast<double>(LogitBound::kCentreTokens);
    double R = 0, Q = 0;
    for (Index i = 0; i < keys.rows(); ++i)
        R = std::max(R, (keys.row(i).transpose().cast<double>() - c).norm());
    const auto queries = s.queries();
    for (Index i = 0; i < queries.rows(); ++i)
        Q = std::max(Q, static_cast<double>(queries.row(i).norm()));
    for (Index i = 0; i < s.probes().rows(); ++i)
        Q = std::max(Q, static_cast<double>(s.probes().row(i).norm()));
    EXPECT_NEAR(in.key_radius, R, 1e-9 * R);
    EXPECT_NEAR(in.query_norm, Q, 1e-9 * Q);
    EXPECT_DOUBLE_EQ(in.beta, s.beta());
    EXPECT_NEAR(in.B(), s.beta() * R * Q, 1e-9 * s.beta() * R * Q);
    // Recentred: the offset clusters sit far from the origin, so R is well below max ||k||.
    double max_norm = 0;
    for (Index i = 0; i < keys.rows(); ++i)
        max_norm = std::max(max_norm, static_cast<double>(keys.row(i).norm()));
    EXPECT_LT(in.key_radius, max_norm);
}

TEST(LogitBound, DoesNotDependOnTheSketchesThatRun) {
    Session alone(scene("isotropic_ball", nlohmann::json::array({{{"id", "uniform"}}})));
    Session with_taylor(
        scene("isotropic_ball",
              nlohmann::json::array({{{"id", "uniform"}}, {{"id", "taylor"}}, {{"id", "h2o"}}})));
    alone.run_to_end();
    with_taylor.run_to_end();
    EXPECT_GT(alone.logit_bound().B(), 0);
    EXPECT_EQ(alone.logit_bound().B(), with_taylor.logit_bound().B());
    // A reset starts over and a replay arrives at the same B.
    const double B = alone.logit_bound().B();
    alone.reset();
    EXPECT_EQ(alone.logit_bound().keys_seen, 0);
    EXPECT_EQ(alone.logit_bound().B(), 0);
    alone.run_to_end();
    EXPECT_EQ(alone.logit_bound().B(), B);
}

TEST(LogitBound, BeforeTheCentreIsFixedRIsMeasuredAgainstTheMeanSoFar) {
    LogitBound b;
    Matrix probes(1, 2);
    probes << 3.0f, 4.0f;
    b.reset(0.5, probes);
    Matrix q = Matrix::Zero(2, 2), k(2, 2), v = Matrix::Zero(2, 1);
    k << 1.0f, 0.0f, -1.0f, 0.0f;  // mean 0, both at distance 1
    b.add(TokenBlock(q, k, v, 0));
    EXPECT_EQ(b.inputs().centre_tokens, 2);
    EXPECT_DOUBLE_EQ(b.inputs().key_radius, 1.0);
    EXPECT_DOUBLE_EQ(b.inputs().query_norm, 5.0);
    EXPECT_DOUBLE_EQ(b.inputs().B(), 0.5 * 1.0 * 5.0);
}

}  // namespace
}  // namespace kvscope
