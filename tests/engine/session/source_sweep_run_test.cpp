// The explorer's background source sweep: its final rows equal a Session run of each source
// instance on its own, numeric sweeps give the plot's x values, and destroying a run mid-way
// stops it.
#include "session/source_sweep_run.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "session/session.hpp"

namespace kvscope {
namespace {

RunConfig swept(const nlohmann::json& sweep, std::int64_t tokens = 1200) {
    nlohmann::json doc = {
        {"schema_version", 1},
        {"tokens", tokens},
        {"eval_every", 400},
        {"probe_queries", 8},
        {"seed", 3},
        {"timing", false},
        {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 8}}}, {"sweep", sweep}}},
        {"sketches", {{{"id", "exact"}}, {{"id", "uniform"}, {"params", {{"budget", 64}}}}}}};
    return parse_run_config(doc, "");
}

SourceSweepProgress wait(const SourceSweepRun& run) {
    // A guard against a hang, not a timing check: the sweep takes well under a second.
    for (int i = 0; i < 6000; ++i) {
        const SourceSweepProgress p = run.progress();
        if (p.finished()) return p;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the sweep did not finish";
    return run.progress();
}

TEST(SourceSweepRun, FinalRowsEqualEachInstanceRunOnItsOwn) {
    const RunConfig config = swept({{"radius", {0.5, 1.0, 2.0}}});
    const SourceSweepRun run(config);
    const SourceSweepProgress p = wait(run);
    ASSERT_EQ(p.error, "");
    ASSERT_EQ(p.done, 3u);
    ASSERT_EQ(p.final_rows.size(), 6u);  // 3 instances x (exact, uniform)
    EXPECT_EQ(p.labels, (std::vector<std::string>{"radius=0.5", "radius=1", "radius=2"}));
    for (std::size_t i = 0; i < 3; ++i) {
        Session alone(config_for_source(config, i), builtin_sketches(), StreamStorage::Discard);
        alone.run_to_end();
        const MetricRow& last = alone.history().back();  // uniform, the last instance
        const MetricRow& row = p.final_rows[2 * i + 1];
        EXPECT_EQ(row.source_params, p.labels[i]);
        EXPECT_EQ(row.tokens_seen, 1200);
        EXPECT_EQ(row.errors.eps_fro, last.errors.eps_fro) << p.labels[i];
        EXPECT_EQ(row.memory_floats, last.memory_floats);
    }
    // Larger radius, larger logit range, larger sampling error: the rows differ per instance.
    EXPECT_NE(p.final_rows[1].errors.eps_fro, p.final_rows[5].errors.eps_fro);
    EXPECT_EQ(numeric_sweep_values(config), (std::vector<double>{0.5, 1.0, 2.0}));
    EXPECT_EQ(single_sweep_key(config), "radius");
}

TEST(SourceSweepRun, TwoSweptKeysHaveNoNumericAxis) {
    const RunConfig config = swept({{"radius", {1.0, 2.0}}, {"value_scale", {1.0, 3.0}}});
    EXPECT_EQ(single_sweep_key(config), "");
    EXPECT_TRUE(numeric_sweep_values(config).empty());
    EXPECT_EQ(expand_sources(config).size(), 4u);
}

TEST(SourceSweepRun, ANonSweptConfigIsRefusedAndALongRunStopsWhenDestroyed) {
    RunConfig plain = swept({{"radius", {1.0}}});
    plain.source_sweep = nlohmann::json::object();
    EXPECT_THROW(SourceSweepRun{plain}, std::invalid_argument);
    // Destroyed at once: the destructor stops the worker between chunks (no hang, no crash).
    const auto run = std::make_unique<SourceSweepRun>(swept({{"radius", {1.0, 2.0}}}, 2'000'000));
    EXPECT_EQ(run->progress().total, 2u);
}

}  // namespace
}  // namespace kvscope
