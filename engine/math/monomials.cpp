#include "math/monomials.hpp"

#include <cmath>
#include <limits>
#include <vector>

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
    double c = 1;  // past 2^64: the running product, as exact as doubles allow
    for (int i = 1; i <= p; ++i)
        c = c * (d + i) / i;
    return c;
}

std::string monomial_count_decimal(int d, int p) {
    if (d < 0 || p < 0) return "0";
    // Base-10^9 limbs, little-endian: the refusal message prints the true count where
    // monomial_count gives up at 2^64 (C(144, 16) is about 6.9e20).
    constexpr std::uint64_t kBase = 1'000'000'000;
    std::vector<std::uint64_t> limbs{1};
    for (int i = 1; i <= p; ++i) {
        std::uint64_t carry = 0;
        for (auto& limb : limbs) {
            const std::uint64_t v = limb * static_cast<std::uint64_t>(d + i) + carry;
            limb = v % kBase;
            carry = v / kBase;
        }
        while (carry > 0) {
            limbs.push_back(carry % kBase);
            carry /= kBase;
        }
        std::uint64_t rest = 0;  // exact division: C(d+i-1, i-1) (d+i) / i = C(d+i, i)
        for (auto it = limbs.rbegin(); it != limbs.rend(); ++it) {
            const std::uint64_t v = rest * kBase + *it;
            *it = v / static_cast<std::uint64_t>(i);
            rest = v % static_cast<std::uint64_t>(i);
        }
        while (limbs.size() > 1 && limbs.back() == 0)
            limbs.pop_back();
    }
    std::string out = std::to_string(limbs.back());
    for (auto it = limbs.rbegin() + 1; it != limbs.rend(); ++it) {
        const std::string part = std::to_string(*it);
        out += std::string(9 - part.size(), '0') + part;
    }
    return out;
}

double taylor_moment_floats(int d, int value_dim, int p) {
    return monomial_count_approx(d, p) * (static_cast<double>(value_dim) + 1.0);
}

}  // namespace kvscope
