// Tests of the `taylor` sketch: the Lagrange bound on every query, accuracy and monotonicity on
// isotropic_ball (d = 8, B = 0.5), recentering on offset clusters, refusal, lazy translation.
#include "sketches/taylor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/random.hpp"
#include "engine/support/poly_eval_util.hpp"
#include "theory/polynomial.hpp"

namespace kvscope {
namespace {

using polytest::Stream;

constexpr int kD = 8;
const double kBeta = 1.0 / std::sqrt(8.0);
// B = beta r^2 = 0.5.
const double kRadius = std::sqrt(0.5 * std::sqrt(8.0));

nlohmann::json ball() {
    return {{"dim", kD}, {"radius", kRadius}};
}

// For every degree 0..8 and every one of 10,000 queries, the measured numerator, denominator
// and output errors stay below the Lagrange bounds.
TEST(TaylorSketch, ObservedErrorNeverExceedsTheLagrangeBound) {
    const Stream st = polytest::draw_stream("isotropic_ball", ball(), 1000, 101);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 10000, 102);
    const Index n = st.keys.rows();
    // Exact N and Z per query (no shift: |x| <= 0.5).
    const MatrixD K = st.keys.cast<double>();
    const MatrixD V = st.values.cast<double>();
    const MatrixD W = ((kBeta * Q.cast<double>()) * K.transpose()).array().exp().matrix();
    const MatrixD N = W * V;
    const Eigen::VectorXd Z = W.rowwise().sum();
    const double vmax = std::sqrt(V.rowwise().squaredNorm().maxCoeff());
    const double B = kBeta * kRadius * kRadius * (1 + 1e-6);  // float rounding of the norms
    for (int p = 0; p <= 8; ++p) {
        auto s =
            polytest::make_sketch("taylor", kD, kD, kBeta, {{"degree", p}, {"recenter", "none"}});
        polytest::feed(*s, st, 300);
        const EstimateBatch e = s->estimate_many(Q);
        const double per_weight = std::exp(B) * lagrange_bound(B, p);
        const double rel_den_bound = relative_lagrange_bound(B, p);
        int violations = 0;
        double worst_ratio = 0;
        for (Index r = 0; r < Q.rows(); ++r) {
            const double scale = std::exp(e.shift[r]);
            const double zhat = scale * e.den[r];
            const Eigen::VectorXd nhat = scale * e.num.row(r).transpose();
            const double den_err = std::abs(zhat - Z[r]) / Z[r];
            const double num_err = (nhat - N.row(r).transpose()).norm();
            const double num_bound = n * per_weight * vmax;
            const Eigen::VectorXd a = N.row(r).transpose() / Z[r];
            const double out_err = (nhat / zhat - a).norm();
            const double out_bound = (num_bound + a.norm() * Z[r] * rel_den_bound) / zhat;
            worst_ratio = std::max(worst_ratio, den_err / rel_den_bound);
            if (den_err > rel_den_bound || num_err > num_bound || out_err > out_bound) ++violations;
        }
        EXPECT_EQ(violations, 0) << "p=" << p;
        EXPECT_LT(worst_ratio, 1.0) << "p=" << p;
    }
}

TEST(TaylorSketch, IsotropicBallDegreeEightBelowOneInAMillionAndMonotone) {
    const Stream st = polytest::draw_stream("isotropic_ball", ball(), 4096, 201);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 256, 202);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    for (const char* recenter : {"none", "mean"}) {
        double previous = 1e300;
        for (int p = 0; p <= 8; ++p) {
            auto s = polytest::make_sketch("taylor", kD, kD, kBeta,
                                           {{"degree", p}, {"recenter", recenter}});
            polytest::feed(*s, st, 1000);
            const double err = polytest::mean_of(polytest::rel_errors(*s, exact, Q));
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3e", err);
            RecordProperty(std::string("rel_err_") + recenter + "_p" + std::to_string(p), buf);
            EXPECT_LT(err, previous) << recenter << " p=" << p;
            previous = err;
            if (p == 8) {
                EXPECT_LT(err, 1e-6) << recenter;
            }
        }
    }
}

// A cloud of radius 0.4 around a common offset of norm 4 (10x the radius).
Stream offset_cloud(Index n, std::uint64_t seed, Eigen::VectorXf& offset) {
    Rng rng(seed);
    offset = rng.on_sphere(kD, 4.0);
    Stream st{Matrix(n, kD), Matrix(n, kD)};
    for (Index i = 0; i < n; ++i) {
        const double r = 0.4 * std::pow(rng.uniform(), 1.0 / kD);
        st.keys.row(i) = (offset + rng.on_sphere(kD, r)).transpose();
        st.values.row(i) = rng.normal_vector(kD).transpose();
    }
    return st;
}

TEST(TaylorSketch, MeanRecenteringBeatsNoneHundredfoldOnOffsetClusters) {
    Eigen::VectorXf offset;
    const Stream st = offset_cloud(4000, 301, offset);
    Rng rng(302);
    Matrix Q(256, kD);
    for (Index r = 0; r < Q.rows(); ++r)
        Q.row(r) = rng.on_sphere(kD, 2.0).transpose();
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    double err[2];
    int i = 0;
    for (const char* recenter : {"none", "mean"}) {
        auto s =
            polytest::make_sketch("taylor", kD, kD, kBeta, {{"degree", 2}, {"recenter", recenter}});
        polytest::feed(*s, st, 64);  // many blocks: the mean moves between them
        err[i++] = polytest::mean_of(polytest::rel_errors(*s, exact, Q));
    }
    RecordProperty("rel_err_none", std::to_string(err[0]));
    RecordProperty("rel_err_mean", std::to_string(err[1]));
    EXPECT_GT(err[0], 100.0 * err[1]) << "none " << err[0] << " mean " << err[1];
}

// Lazy translation is exact: the sketch's estimates equal moments built around the final mean.
TEST(TaylorSketch, RunningMeanEqualsMomentsBuiltAroundTheFinalMean) {
    Eigen::VectorXf offset;
    const Stream st = offset_cloud(1500, 311, offset);
    const Matrix Q = st.keys.topRows(20) * 0.5f;
    for (bool rescale : {false, true}) {
        auto s = polytest::make_sketch("taylor", kD, kD, kBeta,
                                       {{"degree", 3}, {"recenter", "mean"}, {"rescale", rescale}});
        polytest::feed(*s, st, 37);
        const EstimateBatch a = s->estimate_many(Q);
        TaylorMoments direct(kD, kD, 3);
        direct.set_frame(st.keys.cast<double>().colwise().mean().transpose(), 1.0);
        direct.add(st.keys, st.values);
        const EstimateBatch b = direct.estimate(Q, kBeta);
        for (Index r = 0; r < Q.rows(); ++r) {
            const double f = std::exp(a.shift[r] - b.shift[r]);
            EXPECT_NEAR(f * a.den[r], b.den[r], 1e-9 * std::abs(b.den[r]));
            EXPECT_LT((f * a.num.row(r) - b.num.row(r)).norm(), 1e-9 * b.num.row(r).norm());
        }
        const SketchView v = s->view();
        ASSERT_TRUE(v.taylor.has_value());
        EXPECT_EQ(v.taylor->monomials, 165);
        EXPECT_EQ(v.taylor->degree_norms.size(), 4u);
        EXPECT_EQ(v.taylor->sample_size, 64);
        EXPECT_EQ(v.taylor->sample_den_error.size(), 20u);
        EXPECT_GT(v.taylor->bound_B, 0);
        EXPECT_NEAR(v.taylor->lagrange_rel, relative_lagrange_bound(v.taylor->bound_B, 3), 1e-15);
        // The radius bound covers the stored keys around the centre.
        const double true_radius = std::sqrt(
            (st.keys.cast<double>().rowwise() - v.taylor->centre.cast<double>().transpose())
                .rowwise()
                .squaredNorm()
                .maxCoeff());
        EXPECT_GE(v.taylor->radius * (1 + 1e-9), true_radius);
    }
}

TEST(TaylorSketch, FixedFirstKeyAndOriginCentres) {
    Eigen::VectorXf offset;
    const Stream st = offset_cloud(200, 321, offset);
    auto first = polytest::make_sketch(
        "taylor", kD, kD, kBeta, {{"degree", 2}, {"recenter", "fixed"}, {"centre", "first_key"}});
    auto origin = polytest::make_sketch(
        "taylor", kD, kD, kBeta, {{"degree", 2}, {"recenter", "fixed"}, {"centre", "origin"}});
    polytest::feed(*first, st);
    polytest::feed(*origin, st);
    EXPECT_TRUE(first->view().taylor->centre.isApprox(st.keys.row(0).transpose()));
    EXPECT_TRUE(origin->view().taylor->centre.isZero(0.0));
}

TEST(TaylorSketch, RefusesOversizedMomentsAndProceedsWithARaisedLimit) {
    try {
        polytest::make_sketch("taylor", 128, 128, 1.0 / std::sqrt(128.0), {{"degree", 4}});
        FAIL() << "expected a refusal";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("taylor"), std::string::npos) << msg;
        EXPECT_NE(msg.find("12082785"), std::string::npos) << msg;
        EXPECT_NE(msg.find("1558679265"), std::string::npos) << msg;
        EXPECT_NE(msg.find("largest degree that fits is 3"), std::string::npos) << msg;
    }
    // Raised explicitly: validation passes and memory is reported, but the 12.5 GB state is only
    // allocated when tokens arrive, so the test appends nothing.
    auto big = polytest::make_sketch("taylor", 128, 128, 1.0 / std::sqrt(128.0),
                                     {{"degree", 4}, {"max_floats", 2e9}});
    EXPECT_DOUBLE_EQ(big->stats().memory_floats, 1558679265.0);
    EXPECT_FALSE(static_cast<TaylorSketch&>(*big).moments().allocated());
    // A raised limit just above a refused count proceeds and runs.
    const double need = 969.0 * 17;
    EXPECT_THROW(
        polytest::make_sketch("taylor", 16, 16, 0.25, {{"degree", 3}, {"max_floats", need - 1}}),
        std::invalid_argument);
    auto ok = polytest::make_sketch("taylor", 16, 16, 0.25, {{"degree", 3}, {"max_floats", need}});
    const Stream st =
        polytest::draw_stream("isotropic_ball", {{"dim", 16}, {"radius", 1.0}}, 100, 5);
    polytest::feed(*ok, st);
    EXPECT_DOUBLE_EQ(ok->stats().memory_floats, need);
    // Parameter limits.
    EXPECT_THROW(polytest::make_sketch("taylor", 8, 8, kBeta, {{"degree", -1}}),
                 std::invalid_argument);
    EXPECT_THROW(polytest::make_sketch("taylor", 8, 8, kBeta, {{"recenter", "median"}}),
                 std::invalid_argument);
}

TEST(TaylorSketch, LifeCycleEmptyResetNaNAndDeterminism) {
    auto s = polytest::make_sketch("taylor", kD, kD, kBeta, {{"degree", 3}});
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 8, 1);
    EXPECT_TRUE(s->estimate_many(Q).den.isZero(0.0));
    const Stream st = polytest::draw_stream("isotropic_ball", ball(), 500, 2);
    polytest::feed(*s, st, 100);
    const Eigen::MatrixXd z1 = s->estimate_many(Q).output();
    const SketchView v1 = s->view();
    s->reset();
    EXPECT_EQ(s->stats().seen, 0);
    polytest::feed(*s, st, 100);
    EXPECT_TRUE(s->estimate_many(Q).output().isApprox(z1, 1e-12));
    EXPECT_EQ(s->view().taylor->logit_samples, v1.taylor->logit_samples);
    Matrix bad = st.keys.topRows(2);
    bad(1, 3) = std::nanf("");
    const Matrix none(0, kD);
    EXPECT_THROW(s->append(TokenBlock(none, bad, st.values.topRows(2), 0)), std::invalid_argument);
    EXPECT_EQ(s->stats().seen, 500);
}

TEST(TaylorSketch, TheoryCurveIsTheStaircase) {
    const TheoryCurve c = taylor_space_curve();
    TheoryInputs in;
    in.d = 8;
    in.d_v = 8;
    in.B = 0.5;
    in.eps = 1e-6;
    const int p = degree_for_relative_error(0.5, 1e-6);
    EXPECT_DOUBLE_EQ(c.words(in), taylor_moment_floats(8, 8, p));
    EXPECT_TRUE(c.reconstruction);
}

}  // namespace
}  // namespace kvscope
