// The sketch interface: one compressed KV cache.
//
// Every method estimates the same two sums for a query q,
//   numerator   N(q) = sum_i exp(beta <k_i, q>) v_i     [d_v]
//   denominator Z(q) = sum_i exp(beta <k_i, q>)
// and the engine divides once. Keeping both lets the explorer show why the output moves
// (denominator errors rescale it, numerator errors rotate it) and lets hybrids compose by adding.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/sketch_view.hpp"
#include "core/types.hpp"

namespace kvscope {

/// What every sketch is built with: the stream's shape, the kernel convention and a seed.
struct SketchContext {
    int dim = 0;        ///< key/query dimension d
    int value_dim = 0;  ///< value dimension d_v
    double beta = 0;    ///< inverse temperature; kernel weight exp(beta <k, q>)
    std::uint64_t seed = 0;
    ParamSet params;  ///< validated against the sketch's specs
};

/// O(1) counters every sketch reports.
struct SketchStats {
    Index seen = 0;            ///< tokens appended since the last reset
    Index retained = 0;        ///< tokens (or stored vectors) kept
    double memory_floats = 0;  ///< state size in 32-bit-float equivalents
    double memory_bits = 0;    ///< state size in bits (32 x floats unless quantized)
    double memory_bytes() const { return memory_bits / 8.0; }

    /// Stats of an unquantized sketch: every stored number is a 32-bit float.
    static SketchStats of_floats(Index seen, Index retained, double memory_floats) {
        return SketchStats{seen, retained, memory_floats, 32.0 * memory_floats};
    }
};

/// One compressed KV cache. Owned by one Session; not thread-safe.
class Sketch {
  public:
    explicit Sketch(const SketchContext& context);
    virtual ~Sketch() = default;
    Sketch(const Sketch&) = delete;
    Sketch& operator=(const Sketch&) = delete;

    /// Appends a block of tokens. Throws std::invalid_argument on a dimension mismatch or on a
    /// non-finite entry (naming the first one); the sketch is left unchanged then.
    void append(const TokenBlock& block);

    /// Estimates for a batch of queries `q` [P x d]. Throws std::invalid_argument on a dimension
    /// mismatch. An empty sketch returns den == 0.
    EstimateBatch estimate_many(ConstMatrixRef queries) const;

    virtual SketchStats stats() const = 0;
    /// Internal state as plain data for panels and CSV. Cost O(retained).
    virtual SketchView view() const = 0;
    /// Forgets every token; the next run with the same tokens gives the same results.
    virtual void reset() = 0;
    /// Why this configuration cannot meet its promise on the stream seen so far, one line each
    /// (a Taylor bound above 1 at its degree, a walk failing more than its theory allows);
    /// empty when nothing is wrong. Shown on the explorer's status line and written to the
    /// manifest. Cost O(1) to O(retained).
    virtual std::vector<std::string> warnings() const { return {}; }

    const SketchContext& context() const { return context_; }
    int dim() const { return context_.dim; }
    int value_dim() const { return context_.value_dim; }
    double beta() const { return context_.beta; }

  protected:
    virtual void do_append(const TokenBlock& block) = 0;
    virtual EstimateBatch do_estimate(ConstMatrixRef queries) const = 0;

  private:
    SketchContext context_;
};

}  // namespace kvscope
