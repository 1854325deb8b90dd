#include "sketches/kivi.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace kvscope {

namespace {
constexpr std::size_t kKeep = 4096;  // samples kept for the quantization panels

void keep_recent(std::vector<double>& samples) {
    if (samples.size() > 2 * kKeep)
        samples.erase(samples.begin(), samples.end() - static_cast<std::ptrdiff_t>(kKeep));
}

Index ceil_div(Index a, Index b) {
    return (a + b - 1) / b;
}
}  // namespace

void quantize_asymmetric(float* x, Index count, Index stride, int bits) {
    if (count <= 0) return;
    float lo = x[0], hi = x[0];
    for (Index i = 1; i < count; ++i) {
        lo = std::min(lo, x[i * stride]);
        hi = std::max(hi, x[i * stride]);
    }
    const double levels = std::ldexp(1.0, bits) - 1.0;
    const double scale = (static_cast<double>(hi) - lo) / levels;
    for (Index i = 0; i < count; ++i) {
        float& e = x[i * stride];
        if (scale <= 0) {
            e = lo;
            continue;
        }
        const double q = std::clamp(std::nearbyint((e - lo) / scale), 0.0, levels);
        e = static_cast<float>(lo + q * scale);
    }
}

KiviSketch::KiviSketch(const SketchContext& context)
    : Sketch(context),
      bits_(static_cast<int>(context.params.integer("bits"))),
      group_(context.params.integer("group")),
      residual_(context.params.integer("residual")),
      key_per_channel_(context.params.text("key_mode") == "per_channel"),
      quantized_(context.dim, context.value_dim),
      full_(context.dim, context.value_dim),
      channel_abs_sum_(static_cast<std::size_t>(context.dim), 0.0) {}

void KiviSketch::flush_group() {
    const int d = dim(), dv = value_dim();
    const Index g = group_;
    Matrix k(g, d), v(g, dv);
    for (Index i = 0; i < g; ++i) {
        k.row(i) = Eigen::Map<const Eigen::RowVectorXf>(full_.key(i), d);
        v.row(i) = Eigen::Map<const Eigen::RowVectorXf>(full_.value(i), dv);
    }
    Matrix kq = k, vq = v;
    if (key_per_channel_) {
        for (int c = 0; c < d; ++c)
            quantize_asymmetric(kq.data() + c, g, d, bits_);
    } else {
        for (Index i = 0; i < g; ++i)
            for (Index c = 0; c < d; c += group_)
                quantize_asymmetric(kq.row(i).data() + c, std::min<Index>(group_, d - c), 1, bits_);
    }
    for (Index i = 0; i < g; ++i)
        for (Index c = 0; c < dv; c += group_)
            quantize_asymmetric(vq.row(i).data() + c, std::min<Index>(group_, dv - c), 1, bits_);
    for (Index i = 0; i < g; ++i) {
        quantized_.push(kq.row(i).data(), vq.row(i).data(), 1.0, 1.0, full_.position(i), 0);
        const Eigen::RowVectorXf diff = kq.row(i) - k.row(i);
        const double kn = k.row(i).norm();
        recon_error_.push_back(kn > 0 ? diff.norm() / kn : diff.norm());
        if (have_queries_) {
            const Eigen::Map<const Eigen::RowVectorXf> q(
                full_queries_.data() + static_cast<std::size_t>(i * d), d);
            logit_error_.push_back(beta() * static_cast<double>(q.dot(diff)));
        }
    }
    keep_recent(recon_error_);
    keep_recent(logit_error_);
    std::vector<Index> rest;
    for (Index s = g; s < full_.size(); ++s)
        rest.push_back(s);
    full_.keep(rest);
    if (have_queries_)
        full_queries_.erase(full_queries_.begin(),
                            full_queries_.begin() + static_cast<std::ptrdiff_t>(g * d));
}

void KiviSketch::do_append(const TokenBlock& block) {
    if (block.queries.rows() == 0) {
        have_queries_ = false;
        full_queries_.clear();
    }
    for (Index r = 0; r < block.size(); ++r, ++seen_) {
        full_.push(block.keys.row(r).data(), block.values.row(r).data(), 1.0, 1.0,
                   block.first_position + r, 1);
        if (have_queries_)
            full_queries_.insert(full_queries_.end(), block.queries.row(r).data(),
                                 block.queries.row(r).data() + dim());
        for (int c = 0; c < dim(); ++c)
            channel_abs_sum_[static_cast<std::size_t>(c)] += std::abs(block.keys(r, c));
        if (full_.size() >= residual_ + group_) flush_group();
    }
}

EstimateBatch KiviSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch e = quantized_.estimate(queries, beta());
    e.add(full_.estimate(queries, beta()));
    return e;
}

double KiviSketch::quantized_bits() const {
    const double n = static_cast<double>(quantized_.size());
    const double d = dim(), dv = value_dim();
    const double groups_tokens = n / static_cast<double>(group_);  // whole groups only
    const double key_stats = key_per_channel_
                                 ? groups_tokens * d * 64.0
                                 : n * static_cast<double>(ceil_div(dim(), group_)) * 64.0;
    const double value_stats = n * static_cast<double>(ceil_div(value_dim(), group_)) * 64.0;
    return n * (d + dv) * bits_ + key_stats + value_stats;
}

SketchStats KiviSketch::stats() const {
    SketchStats s;
    s.seen = seen_;
    s.retained = quantized_.size() + full_.size();
    s.memory_bits =
        quantized_bits() + 32.0 * static_cast<double>(full_.size()) * (dim() + value_dim());
    s.memory_floats = s.memory_bits / 32.0;
    return s;
}

SketchView KiviSketch::view() const {
    SketchView v;
    v.subset_of_stream = false;  // quantized keys are not the stream's tokens
    v.tag_meaning = "1 = full precision (residual window), 0 = quantized";
    quantized_.describe(v);
    full_.describe(v);
    QuantView q;
    q.bits = bits_;
    q.reconstruction_error = recon_error_;
    q.logit_distortion = logit_error_;
    for (double s : channel_abs_sum_)
        q.channel_magnitude.push_back(seen_ > 0 ? s / static_cast<double>(seen_) : 0.0);
    v.quant = std::move(q);
    v.scalars.push_back({"quantized_tokens", static_cast<double>(quantized_.size())});
    v.scalars.push_back({"full_precision_tokens", static_cast<double>(full_.size())});
    v.scalars.push_back(
        {"bits_per_token", seen_ > 0 ? stats().memory_bits / static_cast<double>(seen_) : 0.0});
    return v;
}

void KiviSketch::reset() {
    quantized_.clear();
    full_.clear();
    full_queries_.clear();
    have_queries_ = true;
    std::fill(channel_abs_sum_.begin(), channel_abs_sum_.end(), 0.0);
    recon_error_.clear();
    logit_error_.clear();
    seen_ = 0;
}

SketchInfo kivi_sketch_info() {
    SketchInfo info;
    info.id = "kivi";
    info.name = "KIVI quantization";
    info.summary =
        "b-bit asymmetric quantization: keys per channel, values per token, recent "
        "tokens in full precision.";
    info.paper =
        "KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache, "
        "arXiv:2402.02750";
    info.subset_of_stream = false;
    info.params = {
        ParamSpec::integer("bits", "Bits", "Bits per quantized key and value entry.", 1, 8, 2),
        ParamSpec::integer("group", "Group size",
                           "Per-channel keys: tokens sharing one scale and minimum. Per-token "
                           "keys and values: channels sharing one.",
                           1, 4096, 32, true),
        ParamSpec::integer("residual", "Full-precision window",
                           "Most recent tokens kept unquantized (flushed in groups).", 0, 1e8, 32,
                           true),
        ParamSpec::choice("key_mode", "Key quantization",
                          "per_channel: KIVI's rule (statistics along tokens, robust to outlier "
                          "channels); per_token: the value rule applied to keys.",
                          {"per_channel", "per_token"}, "per_channel")};
    info.exact_params = [](Index n) { return nlohmann::json{{"residual", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<KiviSketch>(c); };
    return info;
}

}  // namespace kvscope
