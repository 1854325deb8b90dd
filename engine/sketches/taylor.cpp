#include "sketches/taylor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "math/reservoir.hpp"
#include "theory/polynomial.hpp"

namespace kvscope {

namespace {

constexpr Index kSample = 64;
constexpr Index kRecentQueries = 32;
constexpr Index kBuffer = 64;
// During appends the moments follow the running mean only once it has moved by this fraction of
// the stored radius; queries always translate exactly.
constexpr double kRecentreTolerance = 0.25;

}  // namespace

TaylorSketch::TaylorSketch(const SketchContext& context)
    : Sketch(context),
      degree_(static_cast<int>(context.params.integer("degree"))),
      recenter_(context.params.text("recenter") == "mean"    ? Recenter::Mean
                : context.params.text("recenter") == "fixed" ? Recenter::Fixed
                                                             : Recenter::None),
      first_key_centre_(context.params.text("centre") == "first_key"),
      rescale_(context.params.flag("rescale")),
      target_eps_(context.params.number("target_eps")),
      key_sum_(Eigen::VectorXd::Zero(context.dim)),
      reference_(Eigen::VectorXd::Zero(context.dim)),
      moments_(context.dim, context.value_dim, degree_, context.params.number("max_floats"),
               "taylor"),
      rng_(derive_seed(context.seed, "taylor_sample")),
      sample_(context.dim, context.value_dim) {}

Eigen::VectorXd TaylorSketch::mean() const {
    return key_sum_ / static_cast<double>(std::max<Index>(seen_, 1));
}

void TaylorSketch::flush() const {
    if (pending_ == 0) return;
    moments_.add(pending_keys_.topRows(pending_), pending_values_.topRows(pending_));
    pending_ = 0;
}

void TaylorSketch::move_centre(const Eigen::VectorXd& centre) const {
    if ((centre - moments_.centre()).norm() == 0.0) return;
    moments_.translate(centre);
    radius_bound_ = ref_radius_ + (centre - reference_).norm();
    if (rescale_ && radius_bound_ > 0.0) moments_.rescale(radius_bound_);
}

void TaylorSketch::do_append(const TokenBlock& block) {
    const Index n = block.size();
    if (n > 0 && block.queries.rows() == n) {
        stream_query_norm_max_ = std::max(
            stream_query_norm_max_,
            std::sqrt(static_cast<double>(block.queries.rowwise().squaredNorm().maxCoeff())));
    }
    if (seen_ == 0 && recenter_ != Recenter::None) {
        // The first key is a free starting centre (the moments are still empty).
        const Eigen::VectorXd c =
            (recenter_ == Recenter::Fixed && !first_key_centre_)
                ? Eigen::VectorXd::Zero(dim())
                : Eigen::VectorXd(block.keys.row(0).transpose().cast<double>());
        moments_.set_frame(c, 1.0);
    }
    if (seen_ == 0) {
        reference_ = recenter_ == Recenter::None ? Eigen::VectorXd::Zero(dim()) : moments_.centre();
    }
    key_sum_ += block.keys.cast<double>().colwise().sum().transpose();
    seen_ += n;
    if (recenter_ == Recenter::Mean) {
        const Eigen::VectorXd mu = mean();
        if ((mu - moments_.centre()).norm() > kRecentreTolerance * radius_bound_) move_centre(mu);
    }
    // Radius of the new keys around the fixed reference point.
    const MatrixD diff = block.keys.cast<double>().rowwise() - reference_.transpose();
    ref_radius_ = std::max(ref_radius_, std::sqrt(diff.rowwise().squaredNorm().maxCoeff()));
    radius_bound_ = ref_radius_ + (moments_.centre() - reference_).norm();
    if (rescale_ && radius_bound_ > 0.0 && radius_bound_ != moments_.scale()) {
        moments_.rescale(radius_bound_);
    }
    if (n >= kBuffer) {
        flush();
        moments_.add(block.keys, block.values);
    } else {
        if (pending_keys_.rows() != kBuffer) {
            pending_keys_.resize(kBuffer, dim());
            pending_values_.resize(kBuffer, value_dim());
        }
        for (Index r = 0; r < n; ++r) {
            if (pending_ == kBuffer) flush();
            pending_keys_.row(pending_) = block.keys.row(r);
            pending_values_.row(pending_) = block.values.row(r);
            ++pending_;
        }
        if (pending_ == kBuffer) flush();
    }

    // Diagnostic reservoir for the truncation panel (Algorithm R).
    const Index before = seen_ - n;
    for (Index r = 0; r < n; ++r) {
        const ReservoirSlot slot = reservoir_slot(before + r, kSample, rng_);
        if (slot.append) {
            sample_.push(block.keys.row(r).data(), block.values.row(r).data(), 1, 1,
                         block.first_position + r);
        } else if (slot.kept()) {
            sample_.set(slot.slot, block.keys.row(r).data(), block.values.row(r).data(), 1, 1,
                        block.first_position + r);
        }
    }
}

EstimateBatch TaylorSketch::do_estimate(ConstMatrixRef queries) const {
    flush();
    if (recenter_ == Recenter::Mean && seen_ > 0) move_centre(mean());
    const double qmax = std::sqrt(queries.rowwise().squaredNorm().maxCoeff());
    query_norm_max_ = std::max(query_norm_max_, qmax);
    const Index keep = std::min<Index>(queries.rows(), kRecentQueries);
    recent_queries_ = queries.topRows(keep);
    return moments_.estimate(queries, beta());
}

std::vector<std::string> TaylorSketch::warnings() const {
    flush();
    const double qmax = std::max(query_norm_max_, stream_query_norm_max_);
    const double B = beta() * qmax * radius_bound_;
    const double rel = relative_lagrange_bound(B, degree_);
    if (!(rel > 1.0)) return {};
    const int needed = degree_for_relative_error(B, 1.0);
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "Lagrange bound e^{2B} B^{p+1}/(p+1)! = %.3g > 1 at degree %d (B = %.3g): the "
                  "series promises no accuracy on this stream; %s",
                  rel, degree_, B,
                  needed < 0 ? "no degree up to 64 brings it below 1"
                             : ("degree " + std::to_string(needed) + " brings it below 1").c_str());
    return {buf};
}

SketchStats TaylorSketch::stats() const {
    return SketchStats::of_floats(seen_, 0, moments_.memory_floats());
}

SketchView TaylorSketch::view() const {
    flush();
    SketchView v;
    TaylorView t;
    t.degree = degree_;
    t.monomials = moments_.monomials();
    t.centre = moments_.centre().cast<float>();
    t.radius = radius_bound_;
    t.scale = moments_.scale();
    t.recenter = context().params.text("recenter");
    t.query_norm_max = query_norm_max_;
    t.bound_B = beta() * query_norm_max_ * radius_bound_;
    t.logit_min = -t.bound_B;
    t.logit_max = t.bound_B;
    t.lagrange_abs = std::exp(t.bound_B) * lagrange_bound(t.bound_B, degree_);
    t.lagrange_rel = relative_lagrange_bound(t.bound_B, degree_);
    t.target_eps = target_eps_;
    t.degree_needed = degree_for_relative_error(t.bound_B, target_eps_);
    t.degree_norms = moments_.degree_norms();
    t.sample_size = sample_.size();
    if (sample_.size() > 0 && recent_queries_.rows() > 0) {
        Matrix keys(sample_.size(), dim());
        Matrix values(sample_.size(), value_dim());
        for (Index s = 0; s < sample_.size(); ++s) {
            keys.row(s) = Eigen::Map<const Eigen::RowVectorXf>(sample_.key(s), dim());
            values.row(s) = Eigen::Map<const Eigen::RowVectorXf>(sample_.value(s), value_dim());
        }
        const TruncationErrors e =
            measure_truncation(keys, values, recent_queries_, beta(), moments_.centre(), degree_);
        t.sample_num_error = e.numerator;
        t.sample_den_error = e.denominator;
        const MatrixD logits = beta() *
                               (keys.cast<double>().rowwise() - moments_.centre().transpose()) *
                               recent_queries_.cast<double>().transpose();
        t.logit_samples.assign(logits.data(), logits.data() + logits.size());
    }
    v.taylor = std::move(t);
    v.scalars.emplace_back("moment_floats", moments_.memory_floats());
    v.scalars.emplace_back("radius_bound", radius_bound_);
    return v;
}

void TaylorSketch::reset() {
    moments_.clear();
    pending_ = 0;
    key_sum_.setZero();
    seen_ = 0;
    radius_bound_ = 0;
    ref_radius_ = 0;
    query_norm_max_ = 0;
    stream_query_norm_max_ = 0;
    recent_queries_.resize(0, dim());
    rng_ = Rng(derive_seed(context().seed, "taylor_sample"));
    sample_.clear();
}

SketchInfo taylor_sketch_info() {
    SketchInfo info;
    info.id = "taylor";
    info.name = "Taylor moments";
    info.summary =
        "Exact moments of the degree-p Taylor series of exp(beta<k,q>) over the symmetric "
        "monomial basis; C(d+p,p)(d_v+1) floats, with recentering and rescaling [R].";
    info.paper =
        "Polynomial method: Alman & Song, arXiv 2302.13214; Towards Tight Bounds for Streaming "
        "Attention, arXiv 2606.07205";
    info.subset_of_stream = false;
    info.params = {
        ParamSpec::integer("degree", "Degree p",
                           "Truncation degree of the Taylor series; memory C(d+p,p)(d_v+1).", 0, 16,
                           2),
        ParamSpec::choice("recenter", "Recentering",
                          "[R] Expansion centre: none (origin), mean (running mean of the keys, "
                          "moments translated exactly when it moves) or fixed (see centre).",
                          {"none", "mean", "fixed"}, "mean"),
        ParamSpec::choice("centre", "Fixed centre",
                          "For recenter=fixed: the first key of the stream or the origin.",
                          {"first_key", "origin"}, "first_key"),
        ParamSpec::boolean("rescale", "Rescale",
                           "[R] Store (k-c)/rho with rho the stored radius and contract with "
                           "rho*beta*q. Exact; only improves conditioning.",
                           true),
        ParamSpec::real("max_floats", "Memory limit (floats)",
                        "Configurations whose moments exceed this many floats are refused "
                        "before allocating. Raise it explicitly to run them.",
                        1, 1e13, 67108864.0, true),
        ParamSpec::real("target_eps", "Target eps (analytics)",
                        "Relative error for the 'degree needed' readout of the truncation "
                        "panel; does not change the sketch.",
                        1e-15, 1, 1e-6, true),
    };
    info.make = [](const SketchContext& c) { return std::make_unique<TaylorSketch>(c); };
    info.theory = {taylor_space_curve()};
    return info;
}

}  // namespace kvscope
