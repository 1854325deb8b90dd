// Practice baselines: ingest throughput (tokens/s) of each sketch of issue 6 at d = d_v = 64,
// 16,384 tokens in blocks of 256 with stream queries, default parameters unless named.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/random.hpp"
#include "core/registry.hpp"

namespace kvscope {
namespace {

Matrix gaussian(Index rows, Index cols, std::uint64_t seed, double scale) {
    Rng rng(seed);
    Matrix m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
        m.data()[i] = static_cast<float>(scale * rng.normal());
    return m;
}

void BM_PracticeIngest(benchmark::State& state, const std::string& id,
                       const nlohmann::json& params) {
    constexpr int d = 64;
    constexpr Index n = 16384;
    constexpr Index block = 256;
    const Matrix k = gaussian(n, d, 4, 0.5);
    const Matrix v = gaussian(n, d, 5, 1.0);
    const Matrix q = gaussian(n, d, 6, 0.5);
    const SketchInfo& info = builtin_sketches().at(id, "sketch");
    SketchContext ctx;
    ctx.dim = d;
    ctx.value_dim = d;
    ctx.beta = 1.0 / 8.0;
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

int register_practice = [] {
    const std::vector<std::pair<std::string, nlohmann::json>> cases = {
        {"sliding_window", {{"budget", 256}}},
        {"streaming_llm", {{"budget", 256}, {"sinks", 4}}},
        {"h2o", {{"budget", 256}}},
        {"snapkv", {{"budget", 256}}},
        {"key_norm", {{"budget", 256}}},
        {"kivi", {{"bits", 2}}},
        {"qjl", {{"bits", 64}}},
        {"sinks_window", {{"inner", "uniform"}, {"inner_budget", 192}}},
        {"sinks_window", {{"inner", "h2o"}, {"inner_budget", 192}}},
    };
    for (const auto& [id, params] : cases) {
        std::string name = "BM_PracticeIngest/" + id;
        if (params.contains("inner")) name += "/" + params["inner"].get<std::string>();
        benchmark::RegisterBenchmark(name.c_str(), BM_PracticeIngest, id, params)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    return 0;
}();

}  // namespace
}  // namespace kvscope

BENCHMARK_MAIN();
