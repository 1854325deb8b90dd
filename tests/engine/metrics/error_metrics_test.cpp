// The error metrics on a hand-computed case, and an empty estimate reported as NaN.
#include "metrics/error_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/exact_reference.hpp"

namespace kvscope {
namespace {

TEST(ErrorMetrics, HandComputedCase) {
    ReferenceResult ref;
    ref.num = Eigen::MatrixXd(1, 2);
    ref.num << 2, 0;
    ref.den = Eigen::VectorXd::Constant(1, 2.0);
    ref.shift = Eigen::VectorXd::Constant(1, 0.0);
    ref.attention = ref.num / 2.0;  // a = (1, 0)
    ref.softmax_norm = Eigen::VectorXd::Constant(1, 0.5);
    EstimateBatch est = EstimateBatch::zeros(1, 2);
    est.shift[0] = std::log(2.0);  // N^ = 2 * (1, 1) = (2, 2), Z^ = 2 * 1.5 = 3
    est.num << 1, 1;
    est.den[0] = 1.5;
    ValueNorms norms{4.0, 2.0, 1.0};
    const ErrorSummary s = compute_errors(ref, est, norms);
    // z = (2/3, 2/3); a = (1, 0); ||z - a|| = sqrt(1/9 + 4/9) = sqrt(5)/3.
    const double err = std::sqrt(5.0) / 3.0;
    EXPECT_NEAR(s.rel_err_mean, err, 1e-12);
    EXPECT_NEAR(s.rel_err_max, err, 1e-12);
    EXPECT_NEAR(s.eps_fro, err / (0.5 * 4.0), 1e-12);
    EXPECT_NEAR(s.eps_op, err / (0.5 * 2.0), 1e-12);
    EXPECT_NEAR(s.num_err, 2.0 / (2.0 * 1.0), 1e-12);  // ||(2,2)-(2,0)|| / (Z max|v|)
    EXPECT_NEAR(s.den_err, 0.5, 1e-12);                // |3 - 2| / 2
}

TEST(ErrorMetrics, EmptyEstimateIsNaNNotHidden) {
    ReferenceResult ref;
    ref.num = Eigen::MatrixXd::Ones(2, 1);
    ref.den = Eigen::VectorXd::Ones(2);
    ref.shift = Eigen::VectorXd::Zero(2);
    ref.attention = ref.num;
    ref.softmax_norm = Eigen::VectorXd::Ones(2);
    const ErrorSummary s = compute_errors(ref, EstimateBatch::zeros(2, 1), {1, 1, 1});
    EXPECT_TRUE(std::isnan(s.rel_err_mean));
    EXPECT_TRUE(std::isnan(s.rel_err_max));
}

}  // namespace
}  // namespace kvscope
