#include "sketches/qjl.hpp"

#include <cmath>
#include <numbers>

#include "core/random.hpp"

namespace kvscope {

namespace {
constexpr std::size_t kKeep = 4096;
}

QjlSketch::QjlSketch(const SketchContext& context)
    : Sketch(context),
      bits_(static_cast<int>(context.params.integer("bits"))),
      projection_(bits_, context.dim),
      channel_abs_sum_(static_cast<std::size_t>(context.dim), 0.0) {
    Rng rng(derive_seed(context.seed, "qjl_projection"));
    for (Index i = 0; i < projection_.rows(); ++i)
        for (Index j = 0; j < projection_.cols(); ++j)
            projection_(i, j) = static_cast<float>(rng.normal());
}

void QjlSketch::do_append(const TokenBlock& block) {
    const Index n = block.size();
    const Matrix proj = block.keys * projection_.transpose();  // [n x m]
    for (Index r = 0; r < n; ++r, ++seen_) {
        for (Index j = 0; j < bits_; ++j)
            signs_.push_back(proj(r, j) >= 0.0f ? 1.0f : -1.0f);
        const float kn = block.keys.row(r).norm();
        norms_.push_back(kn);
        values_.insert(values_.end(), block.values.row(r).data(),
                       block.values.row(r).data() + value_dim());
        positions_.push_back(block.first_position + r);
        for (int c = 0; c < dim(); ++c)
            channel_abs_sum_[static_cast<std::size_t>(c)] += std::abs(block.keys(r, c));
        if (block.queries.rows() > 0) {
            const Eigen::RowVectorXf sq = block.queries.row(r) * projection_.transpose();
            const double est = std::sqrt(std::numbers::pi / 2.0) / bits_ * kn *
                               static_cast<double>(sq.dot(Eigen::Map<const Eigen::RowVectorXf>(
                                   signs_.data() + signs_.size() - bits_, bits_)));
            const double exact =
                block.queries.row(r).cast<double>().dot(block.keys.row(r).cast<double>());
            logit_error_.push_back(beta() * (est - exact));
        }
    }
    if (logit_error_.size() > 2 * kKeep)
        logit_error_.erase(logit_error_.begin(),
                           logit_error_.end() - static_cast<std::ptrdiff_t>(kKeep));
}

Eigen::MatrixXd QjlSketch::inner_products(ConstMatrixRef queries) const {
    using MapF = Eigen::Map<const Matrix>;
    const MapF signs(signs_.data(), seen_, bits_);
    const Eigen::MatrixXd sq = (queries * projection_.transpose()).cast<double>();  // [P x m]
    Eigen::MatrixXd ip = sq * signs.cast<double>().transpose();                     // [P x n]
    const Eigen::Map<const Eigen::VectorXf> norms(norms_.data(), seen_);
    ip *= (norms.cast<double>() * (std::sqrt(std::numbers::pi / 2.0) / bits_)).asDiagonal();
    return ip;
}

EstimateBatch QjlSketch::do_estimate(ConstMatrixRef queries) const {
    const Index P = queries.rows();
    EstimateBatch out = EstimateBatch::zeros(P, value_dim());
    if (seen_ == 0) return out;
    Eigen::MatrixXd logits = beta() * inner_products(queries);
    out.shift = logits.rowwise().maxCoeff();
    logits.colwise() -= out.shift;
    logits = logits.array().exp().matrix();
    out.den = logits.rowwise().sum();
    const Eigen::Map<const Matrix> V(values_.data(), seen_, value_dim());
    out.num = logits * V.cast<double>();
    return out;
}

SketchStats QjlSketch::stats() const {
    SketchStats s;
    s.seen = seen_;
    s.retained = seen_;
    s.memory_bits = static_cast<double>(seen_) * (bits_ + 32.0 + 32.0 * value_dim());
    s.memory_floats = s.memory_bits / 32.0;
    return s;
}

SketchView QjlSketch::view() const {
    SketchView v;
    v.subset_of_stream = false;  // keys are sign sketches, not stream tokens
    v.tag_meaning = "";
    for (Index i = 0; i < seen_; ++i)
        v.retained.push_back({positions_[static_cast<std::size_t>(i)], 1.0, 1.0, 0});
    v.token_scores.assign(norms_.begin(), norms_.end());
    v.score_meaning = "stored key norm";
    QuantView q;
    q.bits = bits_;
    q.logit_distortion = logit_error_;
    for (double s : channel_abs_sum_)
        q.channel_magnitude.push_back(seen_ > 0 ? s / static_cast<double>(seen_) : 0.0);
    v.quant = std::move(q);
    v.scalars.push_back({"bits_per_key", static_cast<double>(bits_ + 32)});
    return v;
}

void QjlSketch::reset() {
    signs_.clear();
    norms_.clear();
    values_.clear();
    positions_.clear();
    logit_error_.clear();
    std::fill(channel_abs_sum_.begin(), channel_abs_sum_.end(), 0.0);
    seen_ = 0;
}

SketchInfo qjl_sketch_info() {
    SketchInfo info;
    info.id = "qjl";
    info.name = "QJL (1-bit JL keys)";
    info.summary =
        "Keys as signs of a Gaussian projection plus the norm; unbiased inner-product "
        "estimator; values kept.";
    info.paper =
        "QJL: 1-Bit Quantized JL Transform for KV Cache Quantization with Zero "
        "Overhead, arXiv:2406.03482";
    info.subset_of_stream = false;
    info.params = {ParamSpec::integer("bits", "Sketch bits (m)",
                                      "Rows of the Gaussian projection, i.e. sign bits per key. "
                                      "Score error falls as m^(-1/2).",
                                      1, 4096, 64, true)};
    info.make = [](const SketchContext& c) { return std::make_unique<QjlSketch>(c); };
    return info;
}

}  // namespace kvscope
