// kivi: b-bit asymmetric (min / scale) quantization of the KV cache with a full-precision window
// of recent tokens. Keys are quantized per channel (statistics over a group of `group` tokens),
// values per token (statistics over groups of `group` channels); key_mode = per_token switches
// the keys to the value rule so the two can be compared on outlier channels.
//
// Paper: Liu et al., "KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache",
// arXiv:2402.02750. Group 32 and residual 32 follow the BalanceKV repo's KIVI arguments [C];
// docs/algorithms.md 2.5. Guarantee: each entry is within scale / 2 of its original (scale = range
// / (2^b - 1) of its group), so ||k_hat - k||_inf <= range / (2 (2^b - 1)); there is no attention
// guarantee beyond what that logit error implies (a logit error delta scales a weight by e^delta).
// Departures: the group statistics are two 32-bit floats per group, the minimum and the maximum
// (equivalent to KIVI's scale and minimum, which it stores in fp16 [M]); memory counts b bits per
// entry plus those 64 bits per group. The codes are stored packed (b bits each, packed_store.hpp)
// and dequantized block by block (2,048 tokens, the exact cache's block) only while a query is
// evaluated, so peak memory follows memory_bytes plus that fixed buffer; the estimate is the
// same, bit for bit, as over a cache of the dequantized floats. Tokens are flushed from the
// full-precision window in groups of `group`, oldest first, once residual + group are waiting, so
// between residual and residual + group - 1 tokens are in full precision. Space: ~ n (d + d_v) b
// bits + group statistics + residual (d + d_v) floats. Update O(d + d_v) per token amortised.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "blocks/packed_store.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

/// Asymmetric b-bit quantization of `count` floats at `x` with stride `stride`, in place:
/// x <- min + round((x - min) / scale) * scale, scale = (max - min) / (2^bits - 1).
void quantize_asymmetric(float* x, Index count, Index stride, int bits);

/// One quantization group's statistics, as stored: its minimum and maximum.
struct QuantRange {
    float lo = 0;
    float hi = 0;
    /// (hi - lo) / (2^bits - 1), in double as the quantizer uses it.
    double scale(int bits) const {
        return (static_cast<double>(hi) - lo) / (std::ldexp(1.0, bits) - 1.0);
    }
};
/// The range of `count` floats at `x` with stride `stride` (count >= 1).
QuantRange quant_range(const float* x, Index count, Index stride);
/// The b-bit code of `value` in `range`: round((value - lo) / scale), clamped to [0, 2^bits - 1].
std::uint32_t quant_code(float value, const QuantRange& range, int bits);
/// The value a code stands for: lo + code * scale (lo when the range is a single point).
float dequantize(std::uint32_t code, const QuantRange& range, int bits);

class KiviSketch final : public Sketch {
  public:
    explicit KiviSketch(const SketchContext& context);
    SketchStats stats() const override;
    /// Bytes the state holds, capacity included: the packed codes, group ranges and positions,
    /// the full-precision window (its tokens and their stream queries) and the panels' bounded
    /// samples. What memory_bytes promises, plus those samples and the window's queries.
    std::size_t held_bytes() const;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    void flush_group();
    /// Adds a flushed group's per-channel ranges, per-token ranges and key errors (k and its
    /// dequantized kq, [g x d]) to the view's sums.
    void record_channel_stats(const Matrix& k, const Matrix& kq);
    /// Quantizes the group's keys [g x d] in place (to their dequantized values), storing codes
    /// and ranges.
    void store_keys(Matrix& k);
    /// The same for values [g x d_v], per token over channel groups.
    void store_values(Matrix& v);
    /// Dequantized key and value of quantized token `t` into `key` [d] and `value` [d_v].
    void dequantize_token(Index t, float* key, float* value) const;
    double quantized_bits() const;

    int bits_;
    Index group_;
    Index residual_;
    bool key_per_channel_;
    Index seen_ = 0;
    Index quantized_ = 0;                    ///< quantized tokens (whole groups of `group`)
    PackedCodes key_codes_;                  ///< [quantized x d], token-major
    PackedCodes value_codes_;                ///< [quantized x d_v], token-major
    ChunkedArray<QuantRange> key_ranges_;    ///< per (group, channel) or per (token, channel group)
    ChunkedArray<QuantRange> value_ranges_;  ///< per (token, channel group)
    PositionRuns quantized_positions_;
    WeightedCache full_;               ///< full-precision recent tokens, oldest first, tag 1
    std::vector<float> full_queries_;  ///< the stream query of each full_ token (or empty)
    bool have_queries_ = true;
    std::vector<double> channel_abs_sum_;       ///< sum of |k_c| over every token seen
    std::vector<double> channel_range_sum_;     ///< per channel: sum over groups of its range
    std::vector<double> token_range_sum_;       ///< per channel: sum over tokens of its group's
    std::vector<double> channel_error_sq_sum_;  ///< per channel: sum of (k_hat - k)^2
    Index groups_ = 0;                          ///< groups the sums cover
    std::vector<double> recon_error_;           ///< relative key error, newest kKeep
    std::vector<double> logit_error_;           ///< beta <q, k_hat - k>, newest kKeep
};

SketchInfo kivi_sketch_info();

}  // namespace kvscope
