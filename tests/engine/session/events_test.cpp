// Stream events (session/events.hpp): source events from parameters, sketch events at the
// positions they happen, and the merge tree's record of each level first reached.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "session/events.hpp"
#include "session/run_output.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

using nlohmann::json;

RunConfig config(const std::string& source, json source_params, std::vector<SketchEntry> sketches,
                 Index tokens) {
    RunConfig c;
    c.seed = 5;
    c.tokens = tokens;
    c.eval_every = tokens;
    c.probe_queries = 8;
    c.timing = false;
    c.source_id = source;
    c.source_params = std::move(source_params);
    c.sketches = std::move(sketches);
    return c;
}

SketchEntry entry(const std::string& id, json params, const std::string& label = "") {
    SketchEntry e;
    e.id = id;
    e.params = std::move(params);
    e.label = label;
    return e;
}

std::vector<StreamEvent> of_kind(const std::vector<StreamEvent>& events, const std::string& kind) {
    std::vector<StreamEvent> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out),
                 [&](const StreamEvent& e) { return e.kind == kind; });
    return out;
}

TEST(Events, SourceEventsComeFromParameters) {
    auto shift = source_events("query_shift", {{"shift_at", 2048}}, 4096);
    ASSERT_EQ(shift.size(), 1u);
    EXPECT_EQ(shift[0].at, 2048);
    EXPECT_EQ(shift[0].kind, "query_shift");
    EXPECT_EQ(shift[0].instance, -1);
    EXPECT_TRUE(source_events("query_shift", {{"shift_at", 8192}}, 4096).empty());
    auto needle = source_events("needle", {{"needle_position", 1024}}, 4096);
    ASSERT_EQ(needle.size(), 1u);
    EXPECT_EQ(needle[0].at, 1024);
    auto sinks = source_events("attention_sinks", {{"sinks", 4}}, 4096);
    ASSERT_EQ(sinks.size(), 1u);
    EXPECT_EQ(sinks[0].at, 4);
    EXPECT_TRUE(source_events("isotropic_ball", {{"dim", 4}}, 4096).empty());
}

TEST(Events, BudgetFullOnlyOnceTheStreamGetsThere) {
    Session s(config("isotropic_ball", {{"dim", 4}},
                     {entry("uniform", {{"budget", 300}}), entry("taylor", {{"degree", 1}})},
                     1000));
    s.advance(299);
    EXPECT_TRUE(of_kind(session_events(s), "budget_full").empty());
    s.advance(1);
    const auto full = of_kind(session_events(s), "budget_full");
    ASSERT_EQ(full.size(), 1u);  // taylor has no budget
    EXPECT_EQ(full[0].at, 300);
    EXPECT_EQ(full[0].sketch, "uniform");
    EXPECT_EQ(full[0].instance, 0);
}

TEST(Events, MergeTreeLevelsAtTheTokensTheyWereReached) {
    // A binary counter: level L first holds a block after t 2^(L-1) tokens.
    Session s(
        config("isotropic_ball", {{"dim", 4}}, {entry("merge_reduce", {{"batch", 16}})}, 16 * 16));
    s.advance(100);  // chunking must not matter
    s.run_to_end();
    const auto levels = of_kind(session_events(s), "new_level");
    ASSERT_EQ(levels.size(), 5u);  // 16, 32, 64, 128, 256
    for (std::size_t l = 0; l < levels.size(); ++l) {
        EXPECT_EQ(levels[l].at, 16 << l) << "level " << l + 1;
        EXPECT_NE(levels[l].label.find("level " + std::to_string(l + 1)), std::string::npos);
    }
    // The same in a replay after an edit.
    Session edited(
        config("isotropic_ball", {{"dim", 4}}, {entry("merge_reduce", {{"batch", 8}})}, 16 * 16));
    edited.run_to_end();
    edited.reconfigure_sketch(0, {{"batch", 16}});
    const auto replayed = of_kind(session_events(edited), "new_level");
    ASSERT_EQ(replayed.size(), levels.size());
    for (std::size_t l = 0; l < levels.size(); ++l)
        EXPECT_EQ(replayed[l].at, levels[l].at);
}

TEST(Events, TreesBehindARecentWindowReportStreamPositions) {
    // balance_kv hands a token to its trees when it leaves the 32-token window.
    Session s(config("isotropic_ball", {{"dim", 4}},
                     {entry("balance_kv", {{"batch", 16}, {"window", 32}})}, 200));
    s.run_to_end();
    const auto levels = of_kind(session_events(s), "new_level");
    ASSERT_GE(levels.size(), 2u);
    EXPECT_EQ(levels[0].at, 32 + 16);
    EXPECT_EQ(levels[1].at, 32 + 32);
}

TEST(Events, SinksLeaveAWindowThatDoesNotKeepThem) {
    Session s(config("attention_sinks", {{"dim", 8}, {"sinks", 4}},
                     {entry("sliding_window", {{"budget", 64}}),
                      entry("streaming_llm", {{"budget", 64}, {"sinks", 4}})},
                     256));
    s.advance(67);
    EXPECT_TRUE(of_kind(session_events(s), "sinks_leave_window").empty());
    s.advance(1);
    const auto left = of_kind(session_events(s), "sinks_leave_window");
    ASSERT_EQ(left.size(), 1u);  // streaming_llm keeps its sinks
    EXPECT_EQ(left[0].at, 64 + 4);
    EXPECT_EQ(left[0].sketch, "sliding_window");
    EXPECT_EQ(of_kind(session_events(s), "sinks").size(), 1u);
}

TEST(Events, CompressAtAndManifest) {
    Session s(config("isotropic_ball", {{"dim", 4}},
                     {entry("balance_kv_reference", {{"compress_at", 128}})}, 256));
    s.run_to_end();
    const auto compress = of_kind(session_events(s), "compress");
    ASSERT_EQ(compress.size(), 1u);
    EXPECT_EQ(compress[0].at, 128);
    const json manifest = run_manifest(s);
    ASSERT_TRUE(manifest.contains("events"));
    EXPECT_EQ(manifest["events"][0]["kind"], "compress");
    EXPECT_EQ(manifest["events"][0]["at"], 128);
}

TEST(Events, KindsAreDocumentedOnce) {
    const auto& kinds = event_kinds();
    EXPECT_EQ(std::set<std::string>(kinds.begin(), kinds.end()).size(), kinds.size());
    EXPECT_TRUE(is_source_event_kind("needle"));
    EXPECT_FALSE(is_source_event_kind("new_level"));
}

}  // namespace
}  // namespace kvscope
