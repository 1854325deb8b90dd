#include "session/runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kvscope {
namespace {

RunConfig tiny() {
    return parse_run_config(nlohmann::json::parse(R"({
      "schema_version": 1, "seed": 5, "tokens": 2000, "eval_every": 500, "probe_queries": 8,
      "source": {"id": "isotropic_ball", "params": {"dim": 4}},
      "sketches": [{"id": "exact"}, {"id": "uniform", "params": {"budget": 32}}]})"),
                            "");
}

TEST(Runner, StepPlayPauseAndSnapshots) {
    Runner runner(tiny());
    auto s0 = runner.snapshot();
    ASSERT_TRUE(s0);
    EXPECT_EQ(s0->tokens_seen, 0);
    EXPECT_EQ(s0->sketches.size(), 2u);
    runner.send(command::Step{100});
    runner.wait_idle();
    auto s1 = runner.snapshot();
    EXPECT_EQ(s1->tokens_seen, 100);
    EXPECT_GT(s1->version, s0->version);
    EXPECT_EQ(s0->tokens_seen, 0);  // old snapshots are immutable
    runner.send(command::SetSpeed{250});
    runner.send(command::Play{});
    runner.wait_idle();  // plays to the end, then idles
    auto s2 = runner.snapshot();
    EXPECT_TRUE(s2->finished);
    EXPECT_FALSE(s2->playing);
    EXPECT_EQ(s2->tokens_seen, 2000);
    EXPECT_EQ(s2->history.size(), 2u * 4u + 2u);  // 4 evals + the step's evaluation
    EXPECT_EQ(s2->sketches[1].stats.retained, 32);
}

TEST(Runner, BadCommandsReportErrorsAndKeepTheSession) {
    Runner runner(tiny());
    runner.send(command::Step{300});
    nlohmann::json bad_doc = to_json(tiny());
    bad_doc["source"]["params"]["dim"] = 0;
    RunConfig bad = tiny();
    bad.source_params = {{"dim", 0}};
    runner.send(command::Configure{bad});
    runner.wait_idle();
    auto s = runner.snapshot();
    EXPECT_THAT(s->error, ::testing::HasSubstr("'dim' = 0 is out of range"));
    EXPECT_EQ(s->tokens_seen, 300);  // nothing already loaded is lost
    runner.send(command::SetSketchParams{1, {{"budget", 64}}});
    runner.wait_idle();
    s = runner.snapshot();
    EXPECT_TRUE(s->error.empty());
    EXPECT_EQ(s->sketches[1].spec.params_text, "budget=64");
    EXPECT_EQ(s->sketches[1].stats.seen, 300);
    runner.send(command::Reset{});
    runner.wait_idle();
    EXPECT_EQ(runner.snapshot()->tokens_seen, 0);
}

}  // namespace
}  // namespace kvscope
