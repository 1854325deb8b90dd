// Practice baselines: ingest throughput (tokens/s) of each sketch of issue 6 at d = d_v = 64,
// 16,384 tokens in blocks of 256 with stream queries, default parameters unless named.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_support.hpp"

namespace kvscope {
namespace {

void BM_PracticeIngest(benchmark::State& state, const std::string& id,
                       const nlohmann::json& params) {
    bench::run_ingest(state, id, params);
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
        {"sinks_window", {{"inner", {{"id", "uniform"}, {"params", {{"budget", 192}}}}}}},
        {"sinks_window", {{"inner", {{"id", "h2o"}, {"params", {{"budget", 192}}}}}}},
    };
    for (const auto& [id, params] : cases) {
        std::string name = "BM_PracticeIngest/" + id;
        if (params.contains("inner")) name += "/" + params["inner"]["id"].get<std::string>();
        benchmark::RegisterBenchmark(name.c_str(), BM_PracticeIngest, id, params)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    return 0;
}();

}  // namespace
}  // namespace kvscope

BENCHMARK_MAIN();
