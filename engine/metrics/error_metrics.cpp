#include "metrics/error_metrics.hpp"

#include <cmath>
#include <limits>

namespace kvscope {

ErrorSummary compute_errors(const ReferenceResult& ref, const EstimateBatch& est,
                            const ValueNorms& norms) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    const Index P = ref.den.size();
    ErrorSummary s;
    if (P == 0) return {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
    double rel_sum = 0, rel_max = -std::numeric_limits<double>::infinity();
    double fro_sum = 0, op_sum = 0, num_sum = 0, den_sum = 0;
    bool any_nan = false;
    for (Index p = 0; p < P; ++p) {
        // Bring the estimate to the reference's scale: N^/Z = exp(s^ - s) num^ / den.
        const double scale = std::exp(est.shift[p] - ref.shift[p]);
        const double z_den = est.den[p];
        Eigen::VectorXd z = est.num.row(p).transpose() / z_den;
        if (z_den == 0.0) z.setConstant(kNaN);
        const Eigen::VectorXd a = ref.attention.row(p).transpose();
        const double err = (z - a).norm();
        const double rel = err / a.norm();
        any_nan = any_nan || std::isnan(rel);
        rel_sum += rel;
        rel_max = std::max(rel_max, rel);
        fro_sum += err / (ref.softmax_norm[p] * norms.frobenius);
        op_sum += err / (ref.softmax_norm[p] * norms.operator_norm);
        const Eigen::VectorXd num_hat = scale * est.num.row(p).transpose();
        num_sum += (num_hat - ref.num.row(p).transpose()).norm() / (ref.den[p] * norms.max_row);
        den_sum += std::abs(scale * est.den[p] - ref.den[p]) / ref.den[p];
    }
    s.rel_err_mean = rel_sum / P;
    s.rel_err_max = any_nan ? kNaN : rel_max;
    s.eps_fro = fro_sum / P;
    s.eps_op = op_sum / P;
    s.num_err = num_sum / P;
    s.den_err = den_sum / P;
    return s;
}

}  // namespace kvscope
