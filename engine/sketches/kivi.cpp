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

QuantRange quant_range(const float* x, Index count, Index stride) {
    QuantRange r{x[0], x[0]};
    for (Index i = 1; i < count; ++i) {
        r.lo = std::min(r.lo, x[i * stride]);
        r.hi = std::max(r.hi, x[i * stride]);
    }
    return r;
}

std::uint32_t quant_code(float value, const QuantRange& range, int bits) {
    const double scale = range.scale(bits);
    if (scale <= 0) return 0;
    const double levels = std::ldexp(1.0, bits) - 1.0;
    return static_cast<std::uint32_t>(
        std::clamp(std::nearbyint((value - range.lo) / scale), 0.0, levels));
}

float dequantize(std::uint32_t code, const QuantRange& range, int bits) {
    const double scale = range.scale(bits);
    if (scale <= 0) return range.lo;
    return static_cast<float>(range.lo + static_cast<double>(code) * scale);
}

void quantize_asymmetric(float* x, Index count, Index stride, int bits) {
    if (count <= 0) return;
    const QuantRange range = quant_range(x, count, stride);
    for (Index i = 0; i < count; ++i) {
        float& e = x[i * stride];
        e = dequantize(quant_code(e, range, bits), range, bits);
    }
}

KiviSketch::KiviSketch(const SketchContext& context)
    : Sketch(context),
      bits_(static_cast<int>(context.params.integer("bits"))),
      group_(context.params.integer("group")),
      residual_(context.params.integer("residual")),
      key_per_channel_(context.params.text("key_mode") == "per_channel"),
      key_codes_(bits_),
      value_codes_(bits_),
      full_(context.dim, context.value_dim),
      channel_abs_sum_(static_cast<std::size_t>(context.dim), 0.0),
      channel_range_sum_(static_cast<std::size_t>(context.dim), 0.0),
      token_range_sum_(static_cast<std::size_t>(context.dim), 0.0),
      channel_error_sq_sum_(static_cast<std::size_t>(context.dim), 0.0) {}

void KiviSketch::store_keys(Matrix& k) {
    const Index g = k.rows(), d = k.cols();
    // Codes are computed in the order of the statistics, then stored token-major.
    std::vector<std::uint32_t> codes(static_cast<std::size_t>(g * d));
    auto quantize_run = [&](Index row, Index col, Index count, Index stride) {
        float* x = &k(row, col);
        const QuantRange range = quant_range(x, count, stride);
        key_ranges_.push_back(range);
        for (Index i = 0; i < count; ++i) {
            float& e = x[i * stride];
            const std::uint32_t code = quant_code(e, range, bits_);
            const Index flat = row * d + col + i * stride;
            codes[static_cast<std::size_t>(flat)] = code;
            e = dequantize(code, range, bits_);
        }
    };
    if (key_per_channel_) {
        for (Index c = 0; c < d; ++c)
            quantize_run(0, c, g, d);  // one range per channel over the group's tokens
    } else {
        for (Index i = 0; i < g; ++i)
            for (Index c = 0; c < d; c += group_)
                quantize_run(i, c, std::min<Index>(group_, d - c), 1);
    }
    for (std::uint32_t code : codes)
        key_codes_.push(code);
}

void KiviSketch::store_values(Matrix& v) {
    const Index g = v.rows(), dv = v.cols();
    for (Index i = 0; i < g; ++i) {
        for (Index c = 0; c < dv; c += group_) {
            float* x = &v(i, c);
            const Index count = std::min<Index>(group_, dv - c);
            const QuantRange range = quant_range(x, count, 1);
            value_ranges_.push_back(range);
            for (Index j = 0; j < count; ++j) {
                const std::uint32_t code = quant_code(x[j], range, bits_);
                value_codes_.push(code);
                x[j] = dequantize(code, range, bits_);
            }
        }
    }
}

void KiviSketch::dequantize_token(Index t, float* key, float* value) const {
    const Index d = dim(), dv = value_dim();
    const Index key_groups = (d + group_ - 1) / group_;
    const Index value_groups = (dv + group_ - 1) / group_;
    for (Index c = 0; c < d; ++c) {
        const std::size_t r = key_per_channel_
                                  ? static_cast<std::size_t>((t / group_) * d + c)
                                  : static_cast<std::size_t>(t * key_groups + c / group_);
        key[c] = dequantize(key_codes_.get(t * d + c), key_ranges_[r], bits_);
    }
    for (Index c = 0; c < dv; ++c) {
        const auto r = static_cast<std::size_t>(t * value_groups + c / group_);
        value[c] = dequantize(value_codes_.get(t * dv + c), value_ranges_[r], bits_);
    }
}

void KiviSketch::record_channel_stats(const Matrix& k, const Matrix& kq) {
    const Index g = k.rows(), d = k.cols();
    for (Index c = 0; c < d; ++c) {
        const auto u = static_cast<std::size_t>(c);
        channel_range_sum_[u] += static_cast<double>(k.col(c).maxCoeff() - k.col(c).minCoeff());
        channel_error_sq_sum_[u] += static_cast<double>((kq.col(c) - k.col(c)).squaredNorm());
        const Index c0 = c / group_ * group_, width = std::min<Index>(group_, d - c0);
        for (Index i = 0; i < g; ++i) {
            const auto row = k.row(i).segment(c0, width);
            token_range_sum_[u] += static_cast<double>(row.maxCoeff() - row.minCoeff());
        }
    }
    ++groups_;
}

void KiviSketch::flush_group() {
    const int d = dim(), dv = value_dim();
    const Index g = group_;
    Matrix k(g, d), v(g, dv);
    for (Index i = 0; i < g; ++i) {
        k.row(i) = Eigen::Map<const Eigen::RowVectorXf>(full_.key(i), d);
        v.row(i) = Eigen::Map<const Eigen::RowVectorXf>(full_.value(i), dv);
    }
    Matrix kq = k, vq = v;
    store_keys(kq);
    store_values(vq);
    record_channel_stats(k, kq);
    for (Index i = 0; i < g; ++i) {
        quantized_positions_.push(full_.position(i));
        const Eigen::RowVectorXf diff = kq.row(i) - k.row(i);
        const double kn = k.row(i).norm();
        recon_error_.push_back(kn > 0 ? diff.norm() / kn : diff.norm());
        if (have_queries_) {
            const Eigen::Map<const Eigen::RowVectorXf> q(
                full_queries_.data() + static_cast<std::size_t>(i * d), d);
            logit_error_.push_back(beta() * static_cast<double>(q.dot(diff)));
        }
    }
    quantized_ += g;
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
    // The quantized tokens are dequantized one block at a time into a small cache and estimated
    // there: the blocks are those of WeightedCache::estimate over the whole dequantized cache
    // (2,048 tokens, combined in order by EstimateBatch::add), so the result is the same.
    constexpr Index kBlock = 2048;
    EstimateBatch e;
    if (quantized_ == 0) e = EstimateBatch::zeros(queries.rows(), value_dim());
    WeightedCache block(dim(), value_dim());
    std::vector<float> key(static_cast<std::size_t>(dim()));
    std::vector<float> value(static_cast<std::size_t>(value_dim()));
    for (Index first = 0; first < quantized_; first += kBlock) {
        block.clear();
        for (Index t = first; t < std::min(quantized_, first + kBlock); ++t) {
            dequantize_token(t, key.data(), value.data());
            block.push(key.data(), value.data(), 1.0, 1.0, 0, 0);
        }
        e.add(block.estimate(queries, beta()));
    }
    e.add(full_.estimate(queries, beta()));
    return e;
}

std::size_t KiviSketch::held_bytes() const {
    // The window's cache keeps per token its key, value, two double weights, a position and a
    // tag (its capacity is not visible; it holds at most residual + group tokens).
    const std::size_t window = static_cast<std::size_t>(full_.size()) *
                               ((static_cast<std::size_t>(dim() + value_dim())) * sizeof(float) +
                                2 * sizeof(double) + sizeof(Index) + sizeof(int));
    return key_codes_.held_bytes() + value_codes_.held_bytes() + key_ranges_.held_bytes() +
           value_ranges_.held_bytes() + quantized_positions_.held_bytes() + window +
           full_queries_.capacity() * sizeof(float) +
           (channel_abs_sum_.capacity() + recon_error_.capacity() + logit_error_.capacity() +
            channel_range_sum_.capacity() + token_range_sum_.capacity() +
            channel_error_sq_sum_.capacity()) *
               sizeof(double);
}

double KiviSketch::quantized_bits() const {
    const double n = static_cast<double>(quantized_);
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
    s.retained = quantized_ + full_.size();
    s.memory_bits =
        quantized_bits() + 32.0 * static_cast<double>(full_.size()) * (dim() + value_dim());
    s.memory_floats = s.memory_bits / 32.0;
    return s;
}

SketchView KiviSketch::view() const {
    SketchView v;
    v.subset_of_stream = false;  // quantized keys are not the stream's tokens
    v.tag_meaning = "1 = full precision (residual window), 0 = quantized";
    v.retained.reserve(static_cast<std::size_t>(quantized_ + full_.size()));
    quantized_positions_.for_each([&v](Index p) { v.retained.push_back({p, 1.0, 1.0, 0}); });
    full_.describe(v);
    QuantView q;
    q.bits = bits_;
    q.reconstruction_error = recon_error_;
    q.logit_distortion = logit_error_;
    for (double s : channel_abs_sum_)
        q.channel_magnitude.push_back(seen_ > 0 ? s / static_cast<double>(seen_) : 0.0);
    q.key_mode = key_per_channel_ ? "per_channel" : "per_token";
    if (groups_ > 0) {
        const double groups = static_cast<double>(groups_), tokens = groups * group_;
        for (int c = 0; c < dim(); ++c) {
            const auto u = static_cast<std::size_t>(c);
            q.channel_range_per_channel.push_back(channel_range_sum_[u] / groups);
            q.channel_range_per_token.push_back(token_range_sum_[u] / tokens);
            q.channel_error.push_back(std::sqrt(channel_error_sq_sum_[u] / tokens));
        }
    }
    v.quant = std::move(q);
    v.scalars.push_back({"quantized_tokens", static_cast<double>(quantized_)});
    v.scalars.push_back({"full_precision_tokens", static_cast<double>(full_.size())});
    v.scalars.push_back(
        {"bits_per_token", seen_ > 0 ? stats().memory_bits / static_cast<double>(seen_) : 0.0});
    return v;
}

void KiviSketch::reset() {
    quantized_ = 0;
    key_codes_.clear();
    value_codes_.clear();
    key_ranges_.clear();
    value_ranges_.clear();
    quantized_positions_.clear();
    full_.clear();
    full_queries_.clear();
    have_queries_ = true;
    std::fill(channel_abs_sum_.begin(), channel_abs_sum_.end(), 0.0);
    std::fill(channel_range_sum_.begin(), channel_range_sum_.end(), 0.0);
    std::fill(token_range_sum_.begin(), token_range_sum_.end(), 0.0);
    std::fill(channel_error_sq_sum_.begin(), channel_error_sq_sum_.end(), 0.0);
    groups_ = 0;
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
    // Per token: the packed codes and, at most, a scale and an offset per group of each row
    // (per-token statistics, the larger of the two key modes), plus the full-precision window.
    info.state_bytes_at = [](const SketchContext& c, Index tokens) {
        const double group = static_cast<double>(c.params.integer("group"));
        const double per_token = (c.dim + c.value_dim) * c.params.integer("bits") / 8.0 +
                                 8.0 * (std::ceil(c.dim / group) + std::ceil(c.value_dim / group));
        const double window =
            static_cast<double>(c.params.integer("residual")) * 4.0 * (c.dim + c.value_dim);
        return static_cast<double>(tokens) * per_token + window;
    };
    info.make = [](const SketchContext& c) { return std::make_unique<KiviSketch>(c); };
    return info;
}

}  // namespace kvscope
