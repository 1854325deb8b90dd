// Benchmarks of the polynomial-method sketches: Taylor ingest (the moment update as a GEMM) and
// query cost at d = 16, p = 3 (969 monomials, d_v = 16), plus hybrid and lsh_partition queries.
#include <benchmark/benchmark.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "blocks/taylor_moments.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"

namespace kvscope {
namespace {

Matrix sphere_rows(Index n, int d, double radius, std::uint64_t seed) {
    Rng rng(seed);
    Matrix m(n, d);
    for (Index i = 0; i < n; ++i)
        m.row(i) = rng.on_sphere(d, radius).transpose();
    return m;
}

std::unique_ptr<Sketch> make(const std::string& id, int d, const nlohmann::json& params) {
    const SketchInfo& info = builtin_sketches().at(id, "sketch");
    SketchContext c;
    c.dim = d;
    c.value_dim = d;
    c.beta = 1.0 / std::sqrt(static_cast<double>(d));
    c.seed = 7;
    c.params = ParamSet::from_json(info.params, params, id);
    return info.make(c);
}

// Tokens per second through TaylorSketch::append in blocks of state.range(0) tokens.
void BM_TaylorIngest(benchmark::State& state) {
    const int d = 16;
    const Index block = state.range(0);
    const Matrix K = sphere_rows(block, d, 2.0, 1);
    const Matrix V = sphere_rows(block, d, 1.0, 2);
    const Matrix none(0, d);
    auto s = make("taylor", d, {{"degree", 3}, {"recenter", "none"}});
    for (auto _ : state) {
        s->append(TokenBlock(none, K, V, 0));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * block);
    state.counters["monomials"] = monomial_count_approx(d, 3);
}
BENCHMARK(BM_TaylorIngest)->Arg(1)->Arg(64)->Arg(1024);

// The same with the running-mean centre (lazy exact translation).
void BM_TaylorIngestMean(benchmark::State& state) {
    const int d = 16;
    const Index block = 1024;
    const Matrix K = sphere_rows(block, d, 2.0, 1);
    const Matrix V = sphere_rows(block, d, 1.0, 2);
    const Matrix none(0, d);
    auto s = make("taylor", d, {{"degree", 3}, {"recenter", "mean"}});
    for (auto _ : state) {
        s->append(TokenBlock(none, K, V, 0));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * block);
}
BENCHMARK(BM_TaylorIngestMean);

// Queries per second for a batch of state.range(0) queries.
void BM_TaylorQuery(benchmark::State& state) {
    const int d = 16;
    const Matrix K = sphere_rows(4096, d, 2.0, 1);
    const Matrix V = sphere_rows(4096, d, 1.0, 2);
    const Matrix Q = sphere_rows(state.range(0), d, 2.0, 3);
    const Matrix none(0, d);
    auto s = make("taylor", d, {{"degree", 3}, {"recenter", "none"}});
    s->append(TokenBlock(none, K, V, 0));
    for (auto _ : state)
        benchmark::DoNotOptimize(s->estimate_many(Q));
    state.SetItemsProcessed(state.iterations() * Q.rows());
}
BENCHMARK(BM_TaylorQuery)->Arg(1)->Arg(256);

// Query cost of the other polynomial-method sketches on 4096 tokens, batches of 256 queries.
void BM_SketchQuery(benchmark::State& state, const std::string& id, nlohmann::json params) {
    const int d = 16;
    const Matrix K = sphere_rows(4096, d, 2.0, 1);
    const Matrix V = sphere_rows(4096, d, 1.0, 2);
    const Matrix Q = sphere_rows(256, d, 2.0, 3);
    const Matrix none(0, d);
    auto s = make(id, d, params);
    s->append(TokenBlock(none, K, V, 0));
    for (auto _ : state)
        benchmark::DoNotOptimize(s->estimate_many(Q));
    state.SetItemsProcessed(state.iterations() * Q.rows());
}
BENCHMARK_CAPTURE(BM_SketchQuery, hybrid_t2_m256, std::string("hybrid"),
                  nlohmann::json{{"degree", 2}, {"budget", 256}});
BENCHMARK_CAPTURE(BM_SketchQuery, hybrid_t2_m256_reservoir, std::string("hybrid"),
                  nlohmann::json{{"degree", 2}, {"budget", 256}, {"residual", "reservoir"}});

// Ingest cost of the hybrid's residual stores: 4096 tokens in blocks of 256 per iteration
// (the merge-and-reduce residual pays the walk's O(t (d + d_v)) per token per level).
void BM_SketchIngest(benchmark::State& state, const std::string& id, nlohmann::json params) {
    const int d = 16;
    const Matrix K = sphere_rows(4096, d, 2.0, 1);
    const Matrix V = sphere_rows(4096, d, 1.0, 2);
    const Matrix none(0, d);
    auto s = make(id, d, params);
    for (auto _ : state) {
        s->reset();
        for (Index b = 0; b < 4096; b += 256)
            s->append(TokenBlock(none, K.middleRows(b, 256), V.middleRows(b, 256), b));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * 4096);
}
BENCHMARK_CAPTURE(BM_SketchIngest, hybrid_t2_m256_merge_reduce, std::string("hybrid"),
                  nlohmann::json{{"degree", 2}, {"budget", 256}});
BENCHMARK_CAPTURE(BM_SketchIngest, hybrid_t2_m256_reservoir, std::string("hybrid"),
                  nlohmann::json{{"degree", 2}, {"budget", 256}, {"residual", "reservoir"}});
BENCHMARK_CAPTURE(BM_SketchQuery, lsh_simhash4_taylor2, std::string("lsh_partition"),
                  nlohmann::json{{"bits", 4}, {"summary", "taylor"}, {"bucket_degree", 2}});
BENCHMARK_CAPTURE(BM_SketchQuery, subgen_default, std::string("subgen"),
                  nlohmann::json{{"delta", 1.0}});

}  // namespace
}  // namespace kvscope

BENCHMARK_MAIN();
