#include "math/monomials.hpp"

#include <cmath>
#include <limits>

namespace kvscope {

std::optional<std::uint64_t> monomial_count(int d, int p) {
    if (d < 0 || p < 0) return std::nullopt;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t c = 1;
    for (int i = 1; i <= p; ++i) {
        const std::uint64_t num = static_cast<std::uint64_t>(d) + static_cast<std::uint64_t>(i);
        if (c > kMax / num) return std::nullopt;
        c = c * num / static_cast<std::uint64_t>(i);  // exact: c * num is C(d + i, i) * i
    }
    return c;
}

double log_monomial_count(int d, int p) {
    if (d < 0 || p < 0) return -std::numeric_limits<double>::infinity();
    return std::lgamma(d + p + 1.0) - std::lgamma(d + 1.0) - std::lgamma(p + 1.0);
}

double monomial_count_approx(int d, int p) {
    if (d < 0 || p < 0) return 0.0;
    if (const auto exact = monomial_count(d, p)) return static_cast<double>(*exact);
    return std::exp(log_monomial_count(d, p));
}

double taylor_moment_floats(int d, int value_dim, int p) {
    return monomial_count_approx(d, p) * (static_cast<double>(value_dim) + 1.0);
}

}  // namespace kvscope
