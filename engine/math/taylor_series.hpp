// The truncated exponential series and its tail, the one implementation every sketch, bound and
// panel uses (docs/algorithms.md §2.10, §2.11).
//
//   T_p(x) = sum_{l <= p} x^l / l!          (the degree-p Taylor polynomial of e^x)
//   e_{>p}(x) = e^x - T_p(x) = sum_{l > p} x^l / l!   (its tail, the truncation error)
//
// The tail is summed as a series while its terms shrink from the first one (|x| < p + 2: the
// ratio of consecutive terms, |x| / (l + 1), is then below 1 for every l > p), so it keeps full
// relative accuracy however small it is; further out it is of the size of e^x or T_p(x) itself
// and is evaluated directly.
#pragma once

#include <Eigen/Core>
#include <cmath>

namespace kvscope {

/// T_p(x) = sum_{l <= p} x^l / l! by Horner's rule; 0 for p < 0.
double taylor_polynomial(double x, int p);

/// e^x - T_p(x), signed, with full relative accuracy also where it is far below e^x; e^x for
/// p < 0. Never NaN for finite x.
double taylor_tail(double x, int p);

/// Evaluates e^{x - shift} - T_p(x) e^{-shift} in place for every entry of `x`, a [1 x m] Eigen
/// array expression (one row of logits, e.g. X.row(r).array()). Direct evaluation, vectorised: the
/// absolute error is about 1e-16 e^x per entry, which is what a sum weighted against Z = sum e^x
/// needs; use taylor_tail() when the tail itself must be accurate. The shift keeps e^x finite for
/// large logits (the caller adds it back to its log-safe shift).
template <class Row>
void shifted_taylor_tail(Row&& x, int p, double shift) {
    // T_p(x) by Horner: 1 + x/1 (1 + x/2 (1 + ... (1 + x/p))).
    Eigen::ArrayXd poly = Eigen::ArrayXd::Zero(x.size());
    for (int l = p; l >= 0; --l)
        poly = poly * x.transpose() / (l + 1) + 1.0;
    x = (x - shift).exp() - poly.transpose() * std::exp(-shift);
}

}  // namespace kvscope
