// Foundation benchmarks: exact attention for a probe batch against a plain Eigen GEMM of the
// same precision and shapes, and ingest throughput of every registered sketch.
#include <benchmark/benchmark.h>

#include <memory>

#include "bench_support.hpp"
#include "core/registry.hpp"
#include "metrics/exact_reference.hpp"

namespace kvscope {
namespace {

using bench::gaussian;

constexpr Index kQueries = 256;
constexpr Index kKeys = 65536;
constexpr Index kDim = 128;

// Two GEMMs per evaluation: logits [P x n] = Q K^T and output [P x d_v] = E V.
double exact_flops() {
    return 4.0 * kQueries * kKeys * kDim;
}

void BM_ExactAttention(benchmark::State& state) {
    const Matrix k = gaussian(kKeys, kDim, 1, 1.0);
    const Matrix v = gaussian(kKeys, kDim, 2, 1.0);
    const Matrix q = gaussian(kQueries, kDim, 3, 1.0);
    ExactReference ref(kDim, kDim);
    ref.append(TokenBlock(Matrix::Zero(0, kDim), k, v, 0));
    for (auto _ : state) {
        ReferenceResult r = ref.evaluate(q, 1.0 / std::sqrt(double(kDim)));
        benchmark::DoNotOptimize(r.attention.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(exact_flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ExactAttention)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PlainEigenGemmDouble(benchmark::State& state) {
    const MatrixD k = gaussian(kKeys, kDim, 1, 1.0).cast<double>();
    const MatrixD v = gaussian(kKeys, kDim, 2, 1.0).cast<double>();
    const MatrixD q = gaussian(kQueries, kDim, 3, 1.0).cast<double>();
    MatrixD logits(kQueries, kKeys);
    MatrixD out(kQueries, kDim);
    for (auto _ : state) {
        logits.noalias() = q * k.transpose();
        out.noalias() = logits * v;
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(exact_flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PlainEigenGemmDouble)->Unit(benchmark::kMillisecond)->UseRealTime();

// Ingest throughput of one sketch with its default parameters at d = d_v = 64.
void BM_Ingest(benchmark::State& state, const std::string& id) {
    bench::run_ingest(state, id, nlohmann::json::object());
}

int register_ingest = [] {
    for (const auto& s : builtin_sketches().all()) {
        benchmark::RegisterBenchmark(("BM_Ingest/" + s.id).c_str(), BM_Ingest, s.id)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    return 0;
}();

// The explorer's default scene shape (d = 16, 512 retained tokens) for the sketches whose
// replay sets the parameter-change latency there (bench_session).
void BM_IngestDefaultScene(benchmark::State& state, const std::string& id, nlohmann::json params) {
    bench::run_ingest(state, id, params, 16);
}
BENCHMARK_CAPTURE(BM_IngestDefaultScene, h2o, "h2o", {{"budget", 512}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_IngestDefaultScene, balance_kv, "balance_kv", {{"batch", 128}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace kvscope

BENCHMARK_MAIN();
