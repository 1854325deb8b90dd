#include "core/types.hpp"

#include <cmath>
#include <limits>

namespace kvscope {

EstimateBatch EstimateBatch::zeros(Index queries, Index value_dim) {
    EstimateBatch e;
    e.num = Eigen::MatrixXd::Zero(queries, value_dim);
    e.den = Eigen::VectorXd::Zero(queries);
    e.shift = Eigen::VectorXd::Zero(queries);
    return e;
}

Eigen::MatrixXd EstimateBatch::output() const {
    Eigen::MatrixXd z(num.rows(), num.cols());
    for (Index r = 0; r < num.rows(); ++r) {
        if (den[r] == 0.0) {
            z.row(r).setConstant(std::numeric_limits<double>::quiet_NaN());
        } else {
            z.row(r) = num.row(r) / den[r];
        }
    }
    return z;
}

void EstimateBatch::add(const EstimateBatch& other) {
    if (num.size() == 0 && den.size() == 0) {
        *this = other;
        return;
    }
    for (Index r = 0; r < den.size(); ++r) {
        // An all-zero side carries no scale information; adopt the other side's shift.
        const bool this_zero = den[r] == 0.0 && num.row(r).isZero(0.0);
        const bool other_zero = other.den[r] == 0.0 && other.num.row(r).isZero(0.0);
        if (other_zero) continue;
        if (this_zero) {
            num.row(r) = other.num.row(r);
            den[r] = other.den[r];
            shift[r] = other.shift[r];
            continue;
        }
        const double s = std::max(shift[r], other.shift[r]);
        const double a = std::exp(shift[r] - s);
        const double b = std::exp(other.shift[r] - s);
        num.row(r) = a * num.row(r) + b * other.num.row(r);
        den[r] = a * den[r] + b * other.den[r];
        shift[r] = s;
    }
}

}  // namespace kvscope
