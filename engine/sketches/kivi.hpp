// kivi: b-bit asymmetric (min / scale) quantization of the KV cache with a full-precision window
// of recent tokens. Keys are quantized per channel (statistics over a group of `group` tokens),
// values per token (statistics over groups of `group` channels); key_mode = per_token switches
// the keys to the value rule so the two can be compared on outlier channels.
//
// Paper: Liu et al., "KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache",
// arXiv:2402.02750. Group 32 and residual 32 follow the BalanceKV repo's KIVI arguments [C];
// ALGORITHMS.md 2.5. Guarantee: each entry is within scale / 2 of its original (scale = range /
// (2^b - 1) of its group), so ||k_hat - k||_inf <= range / (2 (2^b - 1)); there is no attention
// guarantee beyond what that logit error implies (a logit error delta scales a weight by e^delta).
// Departures: the quantized cache is simulated (dequantized values are stored as floats for the
// GEMM) while memory counts the real bits: b bits per entry plus a 32-bit scale and a 32-bit
// minimum per group (KIVI stores them in fp16 [M]). Tokens are flushed from the full-precision
// window in groups of `group`, oldest first, once residual + group are waiting, so between
// residual and residual + group - 1 tokens are in full precision.
// Space: ~ n (d + d_v) b bits + group statistics + residual (d + d_v) floats.
// Update O(d + d_v) per token amortised.
#pragma once

#include <vector>

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

/// Asymmetric b-bit quantization of `count` floats at `x` with stride `stride`, in place:
/// x <- min + round((x - min) / scale) * scale, scale = (max - min) / (2^bits - 1).
void quantize_asymmetric(float* x, Index count, Index stride, int bits);

class KiviSketch final : public Sketch {
  public:
    explicit KiviSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    void flush_group();
    double quantized_bits() const;

    int bits_;
    Index group_;
    Index residual_;
    bool key_per_channel_;
    Index seen_ = 0;
    WeightedCache quantized_;          ///< dequantized tokens, tag 0
    WeightedCache full_;               ///< full-precision recent tokens, oldest first, tag 1
    std::vector<float> full_queries_;  ///< the stream query of each full_ token (or empty)
    bool have_queries_ = true;
    std::vector<double> channel_abs_sum_;  ///< sum of |k_c| over every token seen
    std::vector<double> recon_error_;      ///< relative key error, newest kKeep
    std::vector<double> logit_error_;      ///< beta <q, k_hat - k>, newest kKeep
};

SketchInfo kivi_sketch_info();

}  // namespace kvscope
