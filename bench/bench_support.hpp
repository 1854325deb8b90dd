// Shared pieces of the benchmarks: seeded Gaussian inputs and the sketch ingest loop.
#pragma once

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/random.hpp"
#include "core/registry.hpp"

namespace kvscope::bench {

/// A [rows x cols] matrix of i.i.d. N(0, scale^2) entries from `seed`.
inline Matrix gaussian(Index rows, Index cols, std::uint64_t seed, double scale) {
    Rng rng(seed);
    Matrix m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
        m.data()[i] = static_cast<float>(scale * rng.normal());
    return m;
}

/// Times ingesting 16,384 Gaussian tokens (d = d_v = `d`, beta = 1/sqrt(d); keys and queries with
/// N(0, 1/4) entries, values N(0, 1)) in blocks of 256, with stream queries, into a fresh sketch
/// `id` built with `params`; reports tokens/s.
inline void run_ingest(benchmark::State& state, const std::string& id, const nlohmann::json& params,
                       int d = 64) {
    constexpr Index n = 16384;
    constexpr Index block = 256;
    const Matrix k = gaussian(n, d, 4, 0.5);
    const Matrix v = gaussian(n, d, 5, 1.0);
    const Matrix q = gaussian(n, d, 6, 0.5);
    const SketchInfo& info = builtin_sketches().at(id, "sketch");
    SketchContext ctx;
    ctx.dim = d;
    ctx.value_dim = d;
    ctx.beta = 1.0 / std::sqrt(static_cast<double>(d));
    ctx.seed = 1;
    ctx.params = ParamSet::from_json(info.params, params, id);
    for (auto _ : state) {
        state.PauseTiming();
        std::unique_ptr<Sketch> sketch = info.make(ctx);
        state.ResumeTiming();
        for (Index i = 0; i < n; i += block) {
            sketch->append(TokenBlock(q.middleRows(i, block), k.middleRows(i, block),
                                      v.middleRows(i, block), i));
        }
        benchmark::DoNotOptimize(sketch->stats());
    }
    state.counters["tokens/s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace kvscope::bench
