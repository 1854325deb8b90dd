// Statistical promises of the baselines: unbiasedness of uniform and uniform_halving (mean
// over seeds converges to the exact sums), and error ~ budget^(-1/2).
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace kvscope {
namespace {

// Mean over seeds of the estimated denominator Z^(q) relative to the exact Z(q).
double mean_denominator_ratio(const std::string& id, int budget, int seeds) {
    const TokenBatch b = test::random_batch(2000, 4, 2, 21, 0.5);
    const Matrix q = test::random_batch(1, 4, 2, 22).queries;
    double exact = 0;
    for (Index i = 0; i < b.size(); ++i) {
        exact += std::exp(0.5 * b.keys.row(i).cast<double>().dot(q.row(0).cast<double>()));
    }
    double sum = 0;
    for (int s = 0; s < seeds; ++s) {
        auto sketch = test::make_sketch(id, {{"budget", budget}}, 4, 2, 0.5, 1000 + s);
        sketch->append(b.view());
        const EstimateBatch e = sketch->estimate_many(q);
        sum += std::exp(e.shift[0]) * e.den[0] / exact;
    }
    return sum / seeds;
}

TEST(Baselines, UniformIsUnbiased) {
    // 400 seeds: the standard error of the mean ratio is well under 1%.
    EXPECT_NEAR(mean_denominator_ratio("uniform", 50, 400), 1.0, 0.03);
}

TEST(Baselines, UniformHalvingIsUnbiased) {
    EXPECT_NEAR(mean_denominator_ratio("uniform_halving", 50, 400), 1.0, 0.03);
}

TEST(Baselines, UniformWeightsSumToTokensSeen) {
    auto sketch = test::make_sketch("uniform", {{"budget", 64}}, 4, 2, 0.5, 3);
    const TokenBatch b = test::random_batch(1000, 4, 2, 4);
    sketch->append(b.view());
    double wn = 0, wd = 0;
    for (const auto& t : sketch->view().retained) {
        wn += t.weight_num;
        wd += t.weight_den;
    }
    EXPECT_NEAR(wn, 1000.0, 1e-9);
    EXPECT_NEAR(wd, 1000.0, 1e-9);
}

TEST(Baselines, HalvingWeightsArePowersOfTwoAndTagged) {
    auto sketch = test::make_sketch("uniform_halving", {{"budget", 64}}, 4, 2, 0.5, 3);
    const TokenBatch b = test::random_batch(5000, 4, 2, 4);
    sketch->append(b.view());
    const SketchView v = sketch->view();
    ASSERT_FALSE(v.retained.empty());
    for (const auto& t : v.retained) {
        EXPECT_EQ(t.weight_num, std::ldexp(1.0, t.tag));
        EXPECT_EQ(t.weight_num, t.weight_den);
    }
}

// log-log slope of mean relative error against budget, averaged over a few seeds.
double error_slope(const std::string& id) {
    const TokenBatch b = test::random_batch(8192, 8, 8, 31, 0.7);
    const Matrix q = test::random_batch(32, 8, 8, 32).queries;
    const int lo = 64, hi = 2048;
    double err[2] = {0, 0};
    for (int s = 0; s < 4; ++s) {
        int k = 0;
        for (int budget : {lo, hi}) {
            auto sketch = test::make_sketch(id, {{"budget", budget}}, 8, 8, 0.35, 50 + s);
            sketch->append(b.view());
            err[k++] += test::mean_relative_error(*sketch, b.keys, b.values, q);
        }
    }
    return std::log(err[1] / err[0]) / std::log(static_cast<double>(hi) / lo);
}

TEST(Baselines, UniformErrorFallsLikeInverseSquareRoot) {
    const double slope = error_slope("uniform");
    EXPECT_GT(slope, -0.75);
    EXPECT_LT(slope, -0.3);
}

TEST(Baselines, HalvingErrorFallsLikeInverseSquareRoot) {
    const double slope = error_slope("uniform_halving");
    EXPECT_GT(slope, -0.75);
    EXPECT_LT(slope, -0.3);
}

}  // namespace
}  // namespace kvscope
