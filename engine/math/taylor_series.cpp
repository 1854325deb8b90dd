#include "math/taylor_series.hpp"

#include <cmath>

namespace kvscope {

double taylor_polynomial(double x, int p) {
    double poly = 0.0;
    for (int l = p; l >= 0; --l)
        poly = poly * x / (l + 1) + 1.0;
    return poly;
}

double taylor_tail(double x, int p) {
    if (p < 0) return std::exp(x);
    if (!(std::abs(x) < p + 2.0)) return std::exp(x) - taylor_polynomial(x, p);
    // Every term is smaller than the one before, so the partial sums never cancel more than the
    // first term's size: x^{p+1}/(p+1)!, as a product (no overflow for |x| < p + 2).
    double term = 1.0;
    for (int l = 1; l <= p + 1; ++l)
        term *= x / l;
    double sum = 0.0;
    // The ratio |x| / (l + 1) falls below 1/2 once l > 2|x|; 64 more terms are far below 1e-18.
    const int last = p + 2 + 2 * static_cast<int>(std::abs(x)) + 64;
    for (int l = p + 1; l < last; ++l) {
        sum += term;
        if (std::abs(term) <= 1e-18 * std::abs(sum)) break;
        term *= x / (l + 1);
    }
    return sum;
}

}  // namespace kvscope
