// The embedding hover's "when and why it left" (issue 12 item 7): the tracker brackets an
// eviction between the snapshots it saw, and every subset sketch that evicts says its rule.
#include "ui/eviction_tracker.hpp"

#include <gtest/gtest.h>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

RunConfig with_sketch(const nlohmann::json& sketch, Index tokens) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", tokens},
                       {"eval_every", 64},
                       {"probe_queries", 4},
                       {"seed", 3},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}}},
                       {"sketches", {sketch}}},
        "");
}

TEST(EvictionTracker, SlidingWindowTokenLeftInTheStepItWasPushedOut) {
    Runner runner(with_sketch({{"id", "sliding_window"}, {"params", {{"budget", 64}}}}, 1024));
    ui::EvictionTracker tracker;
    Snapshot snap;
    for (int step = 0; step < 8; ++step) {
        runner.send(command::Step{32});
        runner.wait_idle();
        snap = *runner.snapshot();
        tracker.observe(snap);
    }
    ASSERT_EQ(snap.tokens_seen, 256);
    // Token 100 leaves when token 164 arrives (tokens seen 165): between the views at 160 and 192.
    const std::string why = tracker.why_evicted(snap, 0, 100);
    EXPECT_EQ(why.rfind("evicted between token 160 and 192: ", 0), 0u) << why;
    EXPECT_NE(why.find("left the window"), std::string::npos) << why;
    EXPECT_EQ(tracker.why_evicted(snap, 0, 250), "");  // kept
    EXPECT_EQ(tracker.why_evicted(snap, 5, 100), "");  // no such sketch
}

TEST(EvictionTracker, ATokenNeverSeenKeptAndARewindStartOver) {
    Runner runner(with_sketch({{"id", "sliding_window"}, {"params", {{"budget", 16}}}}, 1024));
    ui::EvictionTracker tracker;
    runner.send(command::Step{256});
    runner.wait_idle();
    const Snapshot late = *runner.snapshot();
    tracker.observe(late);
    const std::string why = tracker.why_evicted(late, 0, 10);
    EXPECT_EQ(why.rfind("evicted by token 256 (never seen kept", 0), 0u) << why;
    // A snapshot with fewer tokens (a rewind, a restart) forgets what was seen after it.
    Runner fresh(with_sketch({{"id", "sliding_window"}, {"params", {{"budget", 16}}}}, 1024));
    fresh.send(command::Step{32});
    fresh.wait_idle();
    Snapshot early = *fresh.snapshot();
    early.version = late.version + 1;
    tracker.observe(early);
    const std::string again = tracker.why_evicted(early, 0, 10);
    EXPECT_EQ(again.rfind("evicted by token 32 ", 0), 0u) << again;
}

TEST(EvictionTracker, H2oSaysTheTokenOfItsOwnLog) {
    Runner runner(with_sketch({{"id", "h2o"}, {"params", {{"budget", 32}}}}, 1024));
    runner.send(command::Step{512});
    runner.wait_idle();
    const Snapshot snap = *runner.snapshot();
    ui::EvictionTracker tracker;
    tracker.observe(snap);
    const ScoreRankView& r = *snap.sketches[0].view->score_rank;
    ASSERT_FALSE(r.kept.back());
    const std::string why = tracker.why_evicted(snap, 0, r.positions.back());
    EXPECT_EQ(why, "evicted at token " + std::to_string(r.left_at.back()) + ": " +
                       snap.sketches[0].view->eviction_rule);
}

// Every registered subset sketch that can evict says how, in words.
TEST(EvictionTracker, EverySubsetSketchStatesItsEvictionRule) {
    int subset = 0;
    for (const SketchInfo& info : builtin_sketches().all()) {
        if (!info.subset_of_stream || info.id == "exact") continue;
        const Snapshot snap = test::runner_snapshot(with_sketch({{"id", info.id}}, 600), 600);
        ASSERT_EQ(snap.sketches.size(), 1u) << info.id;
        const SketchView& view = *snap.sketches[0].view;
        if (!view.subset_of_stream) continue;  // a wrapper over a summary
        ++subset;
        EXPECT_GT(view.eviction_rule.size(), 20u) << info.id;
    }
    EXPECT_GE(subset, 10);
}

}  // namespace
}  // namespace kvscope
