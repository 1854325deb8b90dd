// Benchmarks of the discrepancy sketches (issue 3): one SoftmaxBalance halving of a 256-token
// block at d = 128; balance_kv ingest at d = 64, batch 256 (target >= 200,000 tokens/s on one
// core); balance_kv_reference compressing 16,384 tokens at d = 128 in 128-token blocks, one round
// (target < 25 ms). Run: ./build/bench/bench_discrepancy --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "blocks/softmax_balance.hpp"
#include "core/registry.hpp"
#include "sketches/balance_kv_reference.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {
namespace {

TokenBatch ball(int dim, Index n, std::uint64_t seed) {
    // Radius so that B = beta r^2 = 1 with beta = 1/sqrt(d).
    const double radius = std::pow(static_cast<double>(dim), 0.25);
    auto src = make_source("isotropic_ball", {{"dim", dim}, {"radius", radius}}, seed);
    return src->next(n);
}

void BM_HalveBlock256_d128(benchmark::State& state) {
    const TokenBatch b = ball(128, 256, 1);
    ItemSpan items;
    items.keys = b.keys.data();
    items.values = b.values.data();
    items.n = 256;
    items.dim = 128;
    items.value_dim = 128;
    BalanceOptions o;
    o.beta = 1.0 / std::sqrt(128.0);
    Rng rng(3);
    for (auto _ : state) {
        Halving h = softmax_balance_halve(items, o, rng);
        benchmark::DoNotOptimize(h.kept.data());
    }
    state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_HalveBlock256_d128)->Unit(benchmark::kMicrosecond);

void BM_BalanceKvIngest_d64_b256(benchmark::State& state) {
    const Index n = 1 << 16;
    const TokenBatch b = ball(64, n, 2);
    const SketchInfo& info = builtin_sketches().at("balance_kv", "sketch");
    SketchContext ctx;
    ctx.dim = 64;
    ctx.value_dim = 64;
    ctx.beta = 1.0 / 8.0;
    ctx.seed = 5;
    ctx.params = ParamSet::from_json(info.params, {{"batch", 256}}, "bench");
    for (auto _ : state) {
        auto sketch = info.make(ctx);
        const Index block = 4096;
        for (Index s = 0; s < n; s += block) {
            sketch->append(TokenBlock(b.queries.middleRows(s, block), b.keys.middleRows(s, block),
                                      b.values.middleRows(s, block), s));
        }
        benchmark::DoNotOptimize(sketch->stats().retained);
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_BalanceKvIngest_d64_b256)->Unit(benchmark::kMillisecond);

void BM_ReferenceCompress16k_d128(benchmark::State& state) {
    const TokenBatch b = ball(128, 16384, 4);
    ReferenceOptions o;
    o.block = 128;
    o.rounds = 1;
    o.beta = 1.0 / std::sqrt(128.0);
    Rng rng(6);
    for (auto _ : state) {
        ReferenceResult r = balance_kv_reference_compress(b.keys, b.values, o, rng);
        benchmark::DoNotOptimize(r.kept.data());
    }
    state.SetItemsProcessed(state.iterations() * 16384);
}
BENCHMARK(BM_ReferenceCompress16k_d128)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kvscope

BENCHMARK_MAIN();
