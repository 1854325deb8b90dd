// Explorer latency without a window: the time from a parameter change to the snapshot that
// carries the edited sketch's new error history, through the Runner exactly as the explorer
// sends it (replay over the stored stream, re-evaluation at every past point, publish); and the
// time from a timeline scrub at the live end to the snapshot of the scene at an earlier
// evaluation point (every sketch replays the stored stream to it, publish). The plot shows it on
// the next frame. Scene: assets/configs/default.json streamed to 65,536 tokens.
#include <benchmark/benchmark.h>

#include <memory>

#include "session/runner.hpp"

namespace kvscope {
namespace {

constexpr Index kTokens = 65536;

RunConfig default_scene() {
    RunConfig c = load_run_config(std::string(KVSCOPE_ASSET_DIR) + "/configs/default.json");
    c.tokens = kTokens;
    return c;
}

// Alternates the sketch's first integer parameter between its value and value + 1, so every
// iteration is a real change that replays the sketch.
void BM_ParamChangeToHistory(benchmark::State& state, std::size_t index) {
    Runner runner(default_scene());
    runner.send(command::Step{kTokens});
    runner.wait_idle();
    const auto first = runner.snapshot();
    const SketchSnapshot& s = first->sketches.at(index);
    const SketchInfo& info = builtin_sketches().at(s.spec.id, "sketch");
    nlohmann::json params = s.spec.params.to_json(info.params);
    std::string key;
    for (const auto& p : info.params)
        if (key.empty() && p.kind == ParamKind::Int) key = p.key;
    if (key.empty()) {
        state.SkipWithError("no integer parameter to change");
        return;
    }
    const std::int64_t base = params[key].get<std::int64_t>();
    std::int64_t flip = 0;
    for (auto _ : state) {
        params[key] = base + (flip ^= 1);
        runner.send(command::SetSketchParams{index, params});
        runner.wait_idle();
        const auto snap = runner.snapshot();
        if (!snap->error.empty()) state.SkipWithError(snap->error.c_str());
        benchmark::DoNotOptimize(snap->history.size());
    }
    state.SetLabel(s.spec.id + " " + key);
}

// The floor: a command that changes nothing but still publishes a snapshot (views, history).
void BM_PublishFloor(benchmark::State& state) {
    Runner runner(default_scene());
    runner.send(command::Step{kTokens});
    runner.wait_idle();
    for (auto _ : state) {
        runner.send(command::SetSpeed{64});
        runner.wait_idle();
        benchmark::DoNotOptimize(runner.snapshot()->version);
    }
}
BENCHMARK(BM_PublishFloor)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(20);

// From the live end back to the evaluation point at `percent` % of the stream (the last one at
// or before it), as the timeline slider sends it. Going live again between iterations is not
// timed.
void BM_RewindTo(benchmark::State& state) {
    Runner runner(default_scene());
    runner.send(command::Step{kTokens});
    runner.wait_idle();
    const Index every = runner.snapshot()->config->eval_every;
    const Index target = kTokens * state.range(0) / 100 / every * every;
    for (auto _ : state) {
        state.PauseTiming();
        runner.send(command::Seek{kTokens});
        runner.wait_idle();
        state.ResumeTiming();
        runner.send(command::Seek{target});
        runner.wait_idle();
        const auto snap = runner.snapshot();
        if (snap->tokens_seen != target) state.SkipWithError(snap->error.c_str());
        benchmark::DoNotOptimize(snap->version);
    }
    state.SetLabel("to n = " + std::to_string(target));
}
BENCHMARK(BM_RewindTo)
    ->Arg(25)
    ->Arg(50)
    ->Arg(99)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(10);

int register_latency = [] {
    const RunConfig scene = default_scene();
    for (std::size_t i = 1; i < scene.sketches.size(); ++i) {  // 0 is the exact cache
        benchmark::RegisterBenchmark(("BM_ParamChangeToHistory/" + scene.sketches[i].id).c_str(),
                                     BM_ParamChangeToHistory, i)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->Iterations(10);
    }
    return 0;
}();

}  // namespace
}  // namespace kvscope

BENCHMARK_MAIN();
