#include "sketches/qjl.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/random.hpp"

namespace kvscope {

namespace {
constexpr std::size_t kKeep = 4096;
// Logits held at once during an evaluation: P x (keys per block) doubles, 32 MiB.
constexpr Index kEvalBufferDoubles = Index{1} << 22;
}  // namespace

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
    Eigen::RowVectorXf sign_row(bits_);
    for (Index r = 0; r < n; ++r, ++seen_) {
        for (Index j = 0; j < bits_; ++j) {
            const bool positive = proj(r, j) >= 0.0f;
            signs_.push(positive ? 1u : 0u);
            sign_row[j] = positive ? 1.0f : -1.0f;
        }
        const float kn = block.keys.row(r).norm();
        norms_.push_back(kn);
        values_.append(block.values.row(r).data(), static_cast<std::size_t>(value_dim()));
        positions_.push(block.first_position + r);
        for (int c = 0; c < dim(); ++c)
            channel_abs_sum_[static_cast<std::size_t>(c)] += std::abs(block.keys(r, c));
        if (block.queries.rows() > 0) {
            const Eigen::RowVectorXf sq = block.queries.row(r) * projection_.transpose();
            const double est = std::sqrt(std::numbers::pi / 2.0) / bits_ * kn *
                               static_cast<double>(sq.dot(sign_row));
            const double exact =
                block.queries.row(r).cast<double>().dot(block.keys.row(r).cast<double>());
            logit_error_.push_back(beta() * (est - exact));
            logit_exact_.push_back(beta() * exact);
        }
    }
    if (logit_error_.size() > 2 * kKeep) {
        logit_error_.erase(logit_error_.begin(),
                           logit_error_.end() - static_cast<std::ptrdiff_t>(kKeep));
        logit_exact_.erase(logit_exact_.begin(),
                           logit_exact_.end() - static_cast<std::ptrdiff_t>(kKeep));
    }
}

Eigen::MatrixXd QjlSketch::block_inner_products(const Eigen::MatrixXd& sq, Index first,
                                                Index count) const {
    // Signs unpacked to +-1 doubles in the layout the unpacked version cast them to (row-major
    // [count x m]), so the GEMM below is the same product.
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> signs(count, bits_);
    for (Index i = 0; i < count; ++i) {
        const Index base = (first + i) * bits_;
        for (Index j = 0; j < bits_; ++j)
            signs(i, j) = signs_.get(base + j) ? 1.0 : -1.0;
    }
    Eigen::VectorXf norms(count);
    norms_.copy_out(static_cast<std::size_t>(first), static_cast<std::size_t>(count), norms.data());
    Eigen::MatrixXd ip = sq * signs.transpose();  // [P x count]
    ip *= (norms.cast<double>() * (std::sqrt(std::numbers::pi / 2.0) / bits_)).asDiagonal();
    return ip;
}

Eigen::MatrixXd QjlSketch::inner_products(ConstMatrixRef queries) const {
    const Eigen::MatrixXd sq = (queries * projection_.transpose()).cast<double>();  // [P x m]
    return block_inner_products(sq, 0, seen_);
}

EstimateBatch QjlSketch::do_estimate(ConstMatrixRef queries) const {
    const Index P = queries.rows();
    if (seen_ == 0) return EstimateBatch::zeros(P, value_dim());
    const Eigen::MatrixXd sq = (queries * projection_.transpose()).cast<double>();  // [P x m]
    const Index block = std::max<Index>(1, kEvalBufferDoubles / std::max<Index>(P, 1));
    EstimateBatch out;
    Matrix values;
    for (Index first = 0; first < seen_; first += block) {
        const Index count = std::min(block, seen_ - first);
        Eigen::MatrixXd logits = block_inner_products(sq, first, count);
        logits *= beta();  // in place: one P x count buffer
        EstimateBatch part;
        part.shift = logits.rowwise().maxCoeff();
        logits.colwise() -= part.shift;
        logits = logits.array().exp().matrix();
        part.den = logits.rowwise().sum();
        values.resize(count, value_dim());
        values_.copy_out(static_cast<std::size_t>(first * value_dim()),
                         static_cast<std::size_t>(count * value_dim()), values.data());
        part.num = logits * values.cast<double>();
        out.add(part);  // the first block is copied as it is
    }
    return out;
}

std::size_t QjlSketch::held_bytes() const {
    return signs_.held_bytes() + norms_.held_bytes() + values_.held_bytes() +
           positions_.held_bytes() + channel_abs_sum_.capacity() * sizeof(double) +
           (logit_error_.capacity() + logit_exact_.capacity()) * sizeof(double);
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
    v.retained.reserve(static_cast<std::size_t>(seen_));
    positions_.for_each([&v](Index p) { v.retained.push_back({p, 1.0, 1.0, 0}); });
    v.token_scores.reserve(norms_.size());
    for (std::size_t i = 0; i < norms_.size(); ++i)
        v.token_scores.push_back(norms_[i]);
    v.score_meaning = "stored key norm";
    QuantView q;
    q.bits = bits_;
    q.logit_distortion = logit_error_;
    q.logit_exact = logit_exact_;
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
    logit_exact_.clear();
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
    // Per token: the packed sign bits, the key norm and the value in full.
    info.state_bytes_at = [](const SketchContext& c, Index tokens) {
        return static_cast<double>(tokens) *
               (static_cast<double>(c.params.integer("bits")) / 8.0 + 4.0 + 4.0 * c.value_dim);
    };
    return info;
}

}  // namespace kvscope
