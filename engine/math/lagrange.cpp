#include "math/lagrange.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope {

double lagrange_bound(double B, int p) {
    if (p < 0) return 1.0;
    // The running product peaks near e^B at l = B; below B = 700 it stays finite, and it is
    // exact to a few ulps (the log form loses digits to cancellation).
    if (B < 700.0) {
        double b = 1.0;
        for (int l = 1; l <= p + 1; ++l)
            b *= B / l;
        return b;
    }
    return std::exp((p + 1) * std::log(B) - std::lgamma(p + 2.0));
}

double lagrange_remainder_bound(double x, int p) {
    return std::exp(std::max(x, 0.0)) * lagrange_bound(std::abs(x), p);
}

double relative_lagrange_bound(double B, int p) {
    return std::exp(2.0 * B) * lagrange_bound(B, p);
}

int degree_for_relative_error(double B, double eps, int p_max) {
    for (int p = 0; p <= p_max; ++p) {
        if (relative_lagrange_bound(B, p) <= eps) return p;
    }
    return -1;
}

}  // namespace kvscope
