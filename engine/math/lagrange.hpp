// Lagrange bounds on the truncation error of the exponential series, and the degree they ask for
// (docs/algorithms.md §2.10). By Lagrange's form of the remainder, for some xi between 0 and x,
//   |e^x - T_p(x)| = e^xi |x|^{p+1} / (p+1)!  <=  e^{max(x, 0)} |x|^{p+1} / (p+1)!.
// For logits |x| <= B (B = beta max|q| max|k - c|) each kernel weight is off by at most
// e^B B^{p+1}/(p+1)!, and since every weight is at least e^{-B}, the denominator Z is off by at
// most e^{2B} B^{p+1}/(p+1)! relative to itself [R: the sketch's stated bound].
#pragma once

namespace kvscope {

/// B^{p+1} / (p+1)! for B >= 0: the Lagrange bound on |e^x - T_p(x)| / e^{max(x, 0)} over
/// |x| <= B. 1 for p < 0 (no series: the whole e^x is the error). +inf only when the true value
/// overflows a double.
double lagrange_bound(double B, int p);

/// The pointwise bound e^{max(x, 0)} |x|^{p+1} / (p+1)! (0 at x = 0 for p >= 0).
double lagrange_remainder_bound(double x, int p);

/// Bound on the relative truncation error of Z over |x| <= B: e^{2B} B^{p+1} / (p+1)!.
double relative_lagrange_bound(double B, int p);

/// Smallest degree p <= p_max with relative_lagrange_bound(B, p) <= eps, or -1 if none.
int degree_for_relative_error(double B, double eps, int p_max = 64);

}  // namespace kvscope
