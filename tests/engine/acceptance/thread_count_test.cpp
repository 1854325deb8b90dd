// Issue 17, item 6: a session's sketch instances run side by side on several threads, and the
// metric rows are the same whatever the thread count (timing off), for every built-in sketch.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "session/run_config.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

TEST(ThreadCount, EveryBuiltinSketchGivesTheSameRowsOnOneTwoAndThreeThreads) {
    nlohmann::json sketches = nlohmann::json::array();
    for (const SketchInfo& info : builtin_sketches().all())
        sketches.push_back({{"id", info.id}});
    const nlohmann::json doc = {
        {"schema_version", 1},
        {"seed", 11},
        {"tokens", 5000},
        {"eval_every", 2500},
        {"probe_queries", 16},
        {"timing", false},
        {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 8}, {"radius", 1.5}}}}},
        {"sketches", sketches}};
    const RunConfig config = parse_run_config(doc, "");
    std::vector<std::vector<MetricRow>> runs;
    for (int threads : {1, 2, 3}) {
        Session s(config, builtin_sketches(), StreamStorage::Discard);
        s.set_threads(threads);
        s.run_to_end();
        runs.push_back(s.history().to_vector());
    }
    ASSERT_EQ(runs[0].size(), 2 * builtin_sketches().all().size());
    for (std::size_t t = 1; t < runs.size(); ++t) {
        ASSERT_EQ(runs[t].size(), runs[0].size());
        for (std::size_t i = 0; i < runs[0].size(); ++i) {
            const MetricRow &a = runs[0][i], &b = runs[t][i];
            SCOPED_TRACE(a.label + " at " + std::to_string(a.tokens_seen) + ", " +
                         std::to_string(t + 1) + " threads");
            EXPECT_EQ(a.instance, b.instance);
            EXPECT_EQ(a.retained_tokens, b.retained_tokens);
            EXPECT_TRUE(same(a.memory_floats, b.memory_floats));
            EXPECT_TRUE(same(a.errors.eps_fro, b.errors.eps_fro));
            EXPECT_TRUE(same(a.errors.rel_err_max, b.errors.rel_err_max));
            EXPECT_TRUE(same(a.mass_recall, b.mass_recall));
        }
    }
}

}  // namespace
}  // namespace kvscope
