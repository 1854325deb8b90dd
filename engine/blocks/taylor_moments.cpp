#include "blocks/taylor_moments.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace kvscope {

namespace {

// Rows per GEMM chunk: the feature block [chunk x M] stays cache-sized for the common M.
constexpr Index kChunk = 256;

std::string format_count(double x) {
    std::ostringstream s;
    s.precision(15);
    s << x;
    return s.str();
}

}  // namespace

int largest_fitting_degree(int d, int value_dim, double max_floats, int p_max, double copies) {
    int best = -1;
    for (int p = 0; p <= p_max; ++p) {
        if (taylor_moment_floats(d, value_dim, p) * copies > max_floats) break;
        best = p;
    }
    return best;
}

void check_taylor_size(int d, int value_dim, int p, double max_floats, const std::string& owner,
                       double copies) {
    if (taylor_moment_floats(d, value_dim, p) * copies <= max_floats) return;
    const double floats = taylor_moment_floats(d, value_dim, p) * copies;
    std::ostringstream msg;
    msg << owner << ": degree " << p << " at d=" << d << ", d_v=" << value_dim << " needs C("
        << d + p << ", " << p << ") = " << monomial_count_decimal(d, p)
        << " monomials x (d_v + 1) = " << value_dim + 1;
    if (copies != 1) msg << " x " << format_count(copies) << " summaries";
    msg << " = " << format_count(floats)
        << " floats, above the limit max_floats = " << format_count(max_floats) << "; ";
    const int fit = largest_fitting_degree(d, value_dim, max_floats, p, copies);
    if (fit >= 0) {
        msg << "the largest degree that fits is " << fit << " ("
            << format_count(taylor_moment_floats(d, value_dim, fit) * copies) << " floats)";
    } else {
        msg << "no degree fits";
    }
    msg << "; lower the degree or raise max_floats";
    throw std::invalid_argument(msg.str());
}

// ---------------------------------------------------------------------------------------------

MonomialBasis::MonomialBasis(int d, int p) : dim_(d), degree_(p) {
    if (d < 1 || p < 0) {
        throw std::invalid_argument("monomial basis needs d >= 1 and p >= 0 (got d=" +
                                    std::to_string(d) + ", p=" + std::to_string(p) + ")");
    }
    if (p > 255) throw std::invalid_argument("monomial basis degree above 255");
    const auto count = monomial_count(d, p);
    if (!count || *count > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
        throw std::invalid_argument("monomial basis with C(" + std::to_string(d + p) + ", " +
                                    std::to_string(p) + ") monomials is too large");
    }
    size_ = static_cast<Index>(*count);
    exponents_.assign(size_ * d, 0);
    parent_.assign(size_, -1);
    var_.assign(size_, 0);
    degree_of_.assign(size_, 0);
    inv_factorial_.assign(size_, 1.0);
    std::vector<std::int32_t> last_var(size_, 0);
    std::vector<std::int32_t> first_child(size_, -1);
    degree_begin_.assign(p + 2, 0);

    // Canonical generation: a monomial is its parent times its largest variable, so children of
    // m are m * x_j for j >= last_var(m), contiguous in j.
    Index next = 1;
    degree_begin_[0] = 0;
    degree_begin_[1] = 1;
    for (int l = 1; l <= p; ++l) {
        for (Index m = degree_begin_[l - 1]; m < degree_begin_[l]; ++m) {
            first_child[m] = static_cast<std::int32_t>(next);
            for (int j = last_var[m]; j < d; ++j) {
                std::copy(exponents_.begin() + m * d, exponents_.begin() + (m + 1) * d,
                          exponents_.begin() + next * d);
                const int e = ++exponents_[next * d + j];
                parent_[next] = static_cast<std::int32_t>(m);
                var_[next] = j;
                last_var[next] = j;
                degree_of_[next] = l;
                inv_factorial_[next] = inv_factorial_[m] / e;
                ++next;
            }
        }
        degree_begin_[l + 1] = next;
    }

    // lower(m, j) = index of alpha - e_j: walk the canonical path of the sorted variable list.
    lower_.assign(size_ * d, -1);
    std::vector<int> vars;
    for (Index m = 1; m < size_; ++m) {
        vars.clear();
        for (int j = 0; j < d; ++j) {
            for (int e = 0; e < exponents_[m * d + j]; ++e)
                vars.push_back(j);
        }
        for (int j = 0; j < d; ++j) {
            if (exponents_[m * d + j] == 0) continue;
            std::int32_t node = 0;
            bool removed = false;
            for (int v : vars) {
                if (v == j && !removed) {
                    removed = true;
                    continue;
                }
                node = first_child[node] + (v - last_var[node]);
            }
            lower_[m * d + j] = node;
        }
    }
}

void MonomialBasis::eval(const double* x, double* out) const {
    out[0] = 1.0;
    for (Index m = 1; m < size_; ++m)
        out[m] = out[parent_[m]] * x[var_[m]];
}

void MonomialBasis::eval_weighted(const double* x, double* out) const {
    eval(x, out);
    for (Index m = 1; m < size_; ++m)
        out[m] *= inv_factorial_[m];
}

// ---------------------------------------------------------------------------------------------

TaylorMoments::TaylorMoments(int d, int value_dim, int p, double max_floats,
                             const std::string& owner)
    : dim_(d), value_dim_(value_dim), degree_(p), monomials_(0) {
    if (d < 1 || value_dim < 1 || p < 0) {
        throw std::invalid_argument(owner + ": Taylor moments need d >= 1, d_v >= 1, degree >= 0");
    }
    check_taylor_size(d, value_dim, p, max_floats, owner);
    monomials_ = static_cast<Index>(*monomial_count(d, p));  // fits: checked above
    centre_ = Eigen::VectorXd::Zero(d);
}

TaylorMoments::TaylorMoments(std::shared_ptr<const MonomialBasis> basis, int value_dim)
    : dim_(basis->dim()),
      value_dim_(value_dim),
      degree_(basis->degree()),
      monomials_(basis->size()),
      basis_(std::move(basis)) {
    centre_ = Eigen::VectorXd::Zero(dim_);
}

const MonomialBasis& TaylorMoments::basis() const {
    if (!basis_) basis_ = std::make_shared<const MonomialBasis>(dim_, degree_);
    return *basis_;
}

std::shared_ptr<const MonomialBasis> TaylorMoments::shared_basis() const {
    basis();
    return basis_;
}

void TaylorMoments::ensure_allocated() {
    if (allocated()) return;
    basis();
    moments_ = MatrixD::Zero(monomials_, value_dim_ + 1);
}

void TaylorMoments::add(ConstMatrixRef keys, ConstMatrixRef values,
                        const std::vector<double>& weights) {
    const Index n = keys.rows();
    if (n == 0) return;
    ensure_allocated();
    const MonomialBasis& b = *basis_;
    const Index M = monomials_;
    const Index chunk = std::min(n, kChunk);
    MatrixD features(chunk, M);
    MatrixD vv(chunk, value_dim_ + 1);
    Eigen::VectorXd u(dim_);
    const double inv_rho = 1.0 / rho_;
    for (Index begin = 0; begin < n; begin += chunk) {
        const Index rows = std::min(chunk, n - begin);
        for (Index r = 0; r < rows; ++r) {
            const Index i = begin + r;
            u = (keys.row(i).transpose().cast<double>() - centre_) * inv_rho;
            b.eval_weighted(u.data(), features.row(r).data());
            const double w = weights.empty() ? 1.0 : weights[i];
            vv.row(r).head(value_dim_) = w * values.row(i).cast<double>();
            vv(r, value_dim_) = w;
            total_weight_ += w;
        }
        if (rows == 1) {
            // One token: a rank-1 update avoids the GEMM's packing overhead.
            moments_.noalias() += features.row(0).transpose() * vv.row(0);
        } else if (rows == chunk) {
            moments_.noalias() += features.transpose() * vv;
        } else {
            moments_.noalias() += features.topRows(rows).transpose() * vv.topRows(rows);
        }
    }
}

EstimateBatch TaylorMoments::estimate(ConstMatrixRef queries, double beta) const {
    const Index P = queries.rows();
    EstimateBatch out = EstimateBatch::zeros(P, value_dim_);
    if (!allocated()) return out;
    const MonomialBasis& b = *basis_;
    const Index M = monomials_;
    const Index chunk = std::min<Index>(std::max<Index>(P, 1), kChunk);
    MatrixD features(chunk, M);
    MatrixD result(chunk, value_dim_ + 1);
    Eigen::VectorXd y(dim_);
    for (Index begin = 0; begin < P; begin += chunk) {
        const Index rows = std::min(chunk, P - begin);
        for (Index r = 0; r < rows; ++r) {
            y = queries.row(begin + r).transpose().cast<double>() * (beta * rho_);
            b.eval(y.data(), features.row(r).data());
            if (!degree_factor_.empty()) {
                for (int l = 0; l <= degree_; ++l) {
                    const Index first = b.degree_begin(l);
                    features.row(r).segment(first, b.degree_begin(l + 1) - first) *=
                        degree_factor_[l];
                }
            }
            out.shift[begin + r] = beta * queries.row(begin + r).cast<double>().dot(centre_);
        }
        result.topRows(rows).noalias() = features.topRows(rows) * moments_;
        out.num.middleRows(begin, rows) = result.topRows(rows).leftCols(value_dim_);
        out.den.segment(begin, rows) = result.topRows(rows).col(value_dim_);
    }
    return out;
}

void TaylorMoments::set_kernel_coefficients(std::vector<double> coeffs) {
    if (static_cast<int>(coeffs.size()) != degree_ + 1) {
        throw std::invalid_argument("set_kernel_coefficients: expected " +
                                    std::to_string(degree_ + 1) + " coefficients, got " +
                                    std::to_string(coeffs.size()));
    }
    double factorial = 1.0;
    for (int l = 0; l <= degree_; ++l) {
        if (l > 0) factorial *= l;
        coeffs[l] *= factorial;
    }
    degree_factor_ = std::move(coeffs);
}

void TaylorMoments::translate(const Eigen::VectorXd& centre) {
    if (centre.size() != dim_) {
        throw std::invalid_argument("translate: centre has " + std::to_string(centre.size()) +
                                    " coordinates, expected " + std::to_string(dim_));
    }
    if (!allocated() || empty()) {
        centre_ = centre;
        return;
    }
    const MonomialBasis& b = *basis_;
    const Eigen::VectorXd delta = (centre_ - centre) / rho_;
    std::vector<double> coef(degree_ + 1);
    for (int j = 0; j < dim_; ++j) {
        if (delta[j] == 0.0) continue;
        coef[0] = 1.0;
        for (int s = 1; s <= degree_; ++s)
            coef[s] = coef[s - 1] * delta[j] / s;
        // Descending index = descending degree: the terms read below are still untranslated
        // along coordinate j when row m is updated.
        for (Index m = monomials_ - 1; m >= 1; --m) {
            std::int32_t g = b.lower(m, j);
            for (int s = 1; g >= 0; ++s) {
                moments_.row(m) += coef[s] * moments_.row(g);
                g = b.lower(g, j);
            }
        }
    }
    centre_ = centre;
}

void TaylorMoments::rescale(double rho) {
    if (!(rho > 0.0) || !std::isfinite(rho)) {
        throw std::invalid_argument("rescale: rho must be positive and finite");
    }
    if (allocated() && rho != rho_) {
        const MonomialBasis& b = *basis_;
        const double f = rho_ / rho;
        double scale = 1.0;
        for (int l = 1; l <= degree_; ++l) {
            scale *= f;
            const Index begin = b.degree_begin(l);
            const Index count = b.degree_begin(l + 1) - begin;
            moments_.middleRows(begin, count) *= scale;
        }
    }
    rho_ = rho;
}

void TaylorMoments::clear() {
    if (allocated()) moments_.setZero();
    total_weight_ = 0.0;
    centre_.setZero();
    rho_ = 1.0;
}

void TaylorMoments::set_frame(const Eigen::VectorXd& centre, double rho) {
    if (!empty()) {
        translate(centre);
        rescale(rho);
        return;
    }
    centre_ = centre;
    rho_ = rho;
}

std::vector<double> TaylorMoments::degree_norms() const {
    std::vector<double> norms(degree_ + 1, 0.0);
    if (!allocated()) return norms;
    const MonomialBasis& b = *basis_;
    for (int l = 0; l <= degree_; ++l) {
        const Index begin = b.degree_begin(l);
        norms[l] = moments_.middleRows(begin, b.degree_begin(l + 1) - begin).norm();
    }
    return norms;
}

}  // namespace kvscope

namespace kvscope {

TruncationErrors measure_truncation(ConstMatrixRef keys, ConstMatrixRef values,
                                    ConstMatrixRef queries, double beta,
                                    const Eigen::VectorXd& centre, int p) {
    const Index n = keys.rows();
    const Index P = queries.rows();
    TruncationErrors out;
    out.numerator.resize(P);
    out.denominator.resize(P);
    out.output.resize(P);
    const MatrixD kc = keys.cast<double>().rowwise() - centre.transpose();
    const MatrixD V = values.cast<double>();
    Eigen::VectorXd exact_w(n), trunc_w(n);
    for (Index r = 0; r < P; ++r) {
        const Eigen::VectorXd q = queries.row(r).transpose().cast<double>();
        for (Index i = 0; i < n; ++i) {
            const double x = beta * kc.row(i).dot(q);
            out.max_abs_logit = std::max(out.max_abs_logit, std::abs(x));
            exact_w[i] = std::exp(x);
            trunc_w[i] = exact_w[i] - taylor_tail(x, p);
        }
        const Eigen::VectorXd N = V.transpose() * exact_w;
        const Eigen::VectorXd Np = V.transpose() * trunc_w;
        const double Z = exact_w.sum();
        const double Zp = trunc_w.sum();
        out.numerator[r] = (N - Np).norm() / std::max(N.norm(), 1e-300);
        out.denominator[r] = std::abs(Z - Zp) / Z;
        const Eigen::VectorXd a = N / Z;
        out.output[r] = (a - Np / Zp).norm() / std::max(a.norm(), 1e-300);
    }
    return out;
}

}  // namespace kvscope
