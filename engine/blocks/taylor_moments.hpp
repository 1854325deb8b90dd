// TaylorMoments: exact streaming moments of the truncated power series of exp(beta <k, q>), the
// reusable core of the `taylor` sketch, the per-bucket Taylor summaries of `lsh_partition` and the
// low-degree part of `hybrid`.
//
// Papers: the monomial decomposition of the exponential kernel is the polynomial method of
// Alman & Song ("Fast Attention Requires Bounded Entries", arXiv 2302.13214) and of "Towards Tight
// Bounds for Streaming Attention" (arXiv 2606.07205, seen only through a third-party
// implementation); the exact translation of the expansion centre is the multipole-to-multipole
// (M2M) step of Greengard & Rokhlin's fast multipole method. docs/algorithms.md 2.10.
//
// What it stores. For the symmetric monomial basis {alpha : |alpha| <= p} of R^d (C(d+p, p)
// monomials, enumerated in graded order) and a centre c and scale rho,
//   A_alpha = sum_i w_i * u_i^alpha / alpha!  (x) [v_i, 1],     u_i = (k_i - c) / rho,
// a (d_v + 1)-vector per monomial (numerator and denominator), accumulated in double.
// Contraction with the monomials of y = rho * beta * q gives
//   sum_alpha A_alpha y^alpha = sum_i w_i T_p(beta <k_i - c, q>) [v_i, 1],
// with T_p(x) = sum_{l <= p} x^l / l!, because sum_{|alpha| = l} u^alpha y^alpha / alpha! equals
// <u, y>^l / l!. The factor exp(beta <c, q>) is returned as the log-safe shift, so recentering
// is free for N / Z (docs/algorithms.md 1.1).
//
// Guarantee [R, Lagrange remainder]: per weight |e^x - T_p(x)| <= e^{max(x, 0)} |x|^{p+1}/(p+1)!,
// so with B = beta * max ||q|| * max ||k - c|| the denominator's relative error is at most
// e^{2B} B^{p+1} / (p+1)! (lagrange_bound / relative_lagrange_bound, math/lagrange.hpp).
//
// Translation (exact, M2M): with delta = (c - c') / rho,
//   A'_alpha = sum_{gamma <= alpha} delta^{alpha - gamma} / (alpha - gamma)! A_gamma,
// done one coordinate at a time (cost O(M p d (d_v + 1)) for M monomials); rescaling from rho to
// rho' multiplies degree-l moments by (rho / rho')^l. Neither changes the represented truncated
// series, only the centre it is expanded around (translation) or the conditioning (rescaling).
//
// Memory: C(d+p, p) (d_v + 1) values, allocated lazily on the first add; the size is checked
// against a limit before anything is allocated (check_size throws std::invalid_argument with the
// count and the largest degree that fits).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "math/lagrange.hpp"
#include "math/monomials.hpp"
#include "math/taylor_series.hpp"

namespace kvscope {

/// Throws std::invalid_argument when taylor_moment_floats(d, d_v, p) * copies exceeds
/// `max_floats`, naming `owner`, the count and the largest degree that fits. No allocation.
void check_taylor_size(int d, int value_dim, int p, double max_floats, const std::string& owner,
                       double copies = 1);
/// Largest degree p' <= p_max with taylor_moment_floats(d, d_v, p') * copies <= max_floats, or -1.
int largest_fitting_degree(int d, int value_dim, double max_floats, int p_max = 64,
                           double copies = 1);

/// Exact per-query truncation errors of the degree-p series against the true kernel, by direct
/// summation over the given tokens (the Session's exact cache or a diagnostic sample).
struct TruncationErrors {
    std::vector<double> numerator;    ///< ||N - N_p|| / ||N|| per query
    std::vector<double> denominator;  ///< |Z - Z_p| / Z per query
    std::vector<double> output;       ///< ||N/Z - N_p/Z_p|| / ||N/Z|| per query
    double max_abs_logit = 0;         ///< max |beta <k - c, q>| seen
};
/// Direct evaluation of the truncation errors for keys [n x d], values [n x d_v] and queries
/// [P x d] around `centre` [d]. Cost O(P n (d + d_v)).
TruncationErrors measure_truncation(ConstMatrixRef keys, ConstMatrixRef values,
                                    ConstMatrixRef queries, double beta,
                                    const Eigen::VectorXd& centre, int p);

/// The symmetric monomial basis of degree <= p in d variables, in graded order (degree 0 first).
/// Each monomial of degree >= 1 is its parent (one degree lower) times one variable, so all
/// monomials of a point cost one multiplication each. Shared (read-only) between moment sets.
class MonomialBasis {
  public:
    /// Throws std::invalid_argument for d < 1, p < 0, or more than 2^31 monomials.
    MonomialBasis(int d, int p);

    int dim() const { return dim_; }
    int degree() const { return degree_; }
    Index size() const { return size_; }
    /// Exponent of variable j in monomial m.
    int exponent(Index m, int j) const { return exponents_[m * dim_ + j]; }
    int degree_of(Index m) const { return degree_of_[m]; }
    /// 1 / alpha! for monomial m.
    double inv_factorial(Index m) const { return inv_factorial_[m]; }
    /// First index of the monomials of degree l (l = 0..p+1).
    Index degree_begin(int l) const { return degree_begin_[l]; }
    /// Index of alpha - e_j, or -1 when alpha_j == 0.
    std::int32_t lower(Index m, int j) const { return lower_[m * dim_ + j]; }

    /// Monomials x^alpha of a point x [d] into out [size] (no 1/alpha! factor). O(size).
    void eval(const double* x, double* out) const;
    /// Monomials x^alpha / alpha! into out [size]. O(size).
    void eval_weighted(const double* x, double* out) const;

  private:
    int dim_;
    int degree_;
    Index size_ = 0;
    std::vector<std::uint8_t> exponents_;  // [size x d]
    std::vector<std::int32_t> parent_;
    std::vector<std::int32_t> var_;
    std::vector<std::int32_t> lower_;  // [size x d]
    std::vector<int> degree_of_;
    std::vector<double> inv_factorial_;
    std::vector<Index> degree_begin_;
};

/// Exact moments of the degree-p truncated exponential series around a movable centre.
class TaylorMoments {
  public:
    /// Moments for keys in R^d, values in R^{d_v}, degree p. Checks the size against
    /// `max_floats` first (std::invalid_argument); allocates nothing until the first add.
    TaylorMoments(int d, int value_dim, int p, double max_floats = 67108864.0,
                  const std::string& owner = "taylor");
    /// Shares a basis already built (bucket summaries); no size check.
    TaylorMoments(std::shared_ptr<const MonomialBasis> basis, int value_dim);

    /// Adds rows of keys [n x d] and values [n x d_v] with optional weights [n] (empty: all 1).
    /// Batched as one GEMM per chunk: (monomial features [chunk x M])^T * [V | 1].
    /// Cost O(n M (d_v + 1)).
    void add(ConstMatrixRef keys, ConstMatrixRef values, const std::vector<double>& weights = {});
    /// Estimates for queries [P x d] with kernel exp(beta <k, q>): returns sum_i w_i T_p(x_i)
    /// [v_i, 1] with x_i = beta <k_i - c, q> as num/den and shift = beta <c, q>.
    /// Cost O(P M (d_v + 1)).
    EstimateBatch estimate(ConstMatrixRef queries, double beta) const;

    /// Replaces the kernel's series coefficients: the estimate becomes sum_i w_i f(x_i) [v_i, 1]
    /// with f(x) = sum_{l <= p} coeffs[l] x^l (default: coeffs[l] = 1/l!, the exponential).
    /// Lets tests check exactness for any polynomial kernel of degree <= p. Throws
    /// std::invalid_argument unless coeffs has p + 1 entries.
    void set_kernel_coefficients(std::vector<double> coeffs);

    /// Moves the expansion centre to `centre` [d] exactly (M2M translation). O(M p d (d_v + 1)).
    void translate(const Eigen::VectorXd& centre);
    /// Changes the scale rho (> 0) exactly: degree-l moments times (rho_old / rho)^l. O(M d_v).
    void rescale(double rho);
    /// Forgets all moments; the centre goes back to the origin and rho to 1. Keeps the memory.
    void clear();
    /// Sets the centre and scale of an empty moment set without translating (cheap).
    void set_frame(const Eigen::VectorXd& centre, double rho);

    bool allocated() const { return moments_.size() > 0; }
    bool empty() const { return total_weight_ == 0.0; }
    /// The basis, built on first use (it holds O(M d) integers).
    const MonomialBasis& basis() const;
    std::shared_ptr<const MonomialBasis> shared_basis() const;
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    int degree() const { return degree_; }
    Index monomials() const { return monomials_; }
    const Eigen::VectorXd& centre() const { return centre_; }
    double scale() const { return rho_; }
    double total_weight() const { return total_weight_; }
    /// Moments [M x (d_v + 1)]: column d_v is the denominator. Empty until the first add.
    const MatrixD& moments() const { return moments_; }
    /// Floats the moments occupy: C(d+p, p) (d_v + 1).
    double memory_floats() const { return static_cast<double>(monomials_) * (value_dim_ + 1); }
    /// Frobenius norm of the moments of each degree l = 0..p (for the explorer).
    std::vector<double> degree_norms() const;

  private:
    void ensure_allocated();

    int dim_;
    int value_dim_;
    int degree_;
    Index monomials_;
    mutable std::shared_ptr<const MonomialBasis> basis_;  // built lazily
    Eigen::VectorXd centre_;
    double rho_ = 1.0;
    double total_weight_ = 0.0;
    MatrixD moments_;                    // [M x (d_v + 1)], row-major
    std::vector<double> degree_factor_;  // per degree: coeffs[l] * l! (empty: exponential)
};

}  // namespace kvscope
