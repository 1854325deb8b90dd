// Counting the monomials of the polynomial method (docs/algorithms.md §2.10): the symmetric
// basis {alpha : |alpha| <= p} of R^d has C(d + p, p) monomials, and moments over it hold
// C(d + p, p)(d_v + 1) numbers. The count grows like d^p / p!, so it overflows 64 bits for
// plausible inputs (d = 4096, p = 8): the exact form says so instead of saturating, the real
// form keeps the magnitude for display and memory sums, and the decimal form prints the true
// count in refusal messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kvscope {

/// C(d + p, p) exactly, or std::nullopt when it does not fit in 64 bits (or d, p < 0).
std::optional<std::uint64_t> monomial_count(int d, int p);

/// C(d + p, p) as a double: exact below 2^53, the nearest double up to 2^64, and a running
/// product above (relative error ~p ulp); +inf only past ~1.8e308. 0 for d, p < 0.
double monomial_count_approx(int d, int p);

/// C(d + p, p) in decimal, exact at any size ("1" for p <= 0; d, p < 0 give "0").
std::string monomial_count_decimal(int d, int p);

/// ln C(d + p, p), finite for any d, p >= 0.
double log_monomial_count(int d, int p);

/// Numbers held by Taylor moments of degree p: C(d + p, p)(d_v + 1), as a double.
double taylor_moment_floats(int d, int value_dim, int p);

}  // namespace kvscope
