// Issue 15, memory flat on endless streams: a session with StreamStorage::Discard (what
// `kvscope run` uses) keeps only what its sketches, the exact sums and mass recall need, and
// writes the same metric rows as one that keeps the whole stream.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "session/run_config.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

using nlohmann::json;

RunConfig config_with(const json& sketches, int tokens, int eval_every) {
    json doc = {{"schema_version", 1},
                {"seed", 5},
                {"tokens", tokens},
                {"eval_every", eval_every},
                {"probe_queries", 24},
                {"timing", false},
                {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 6}, {"radius", 2.0}}}}},
                {"sketches", sketches}};
    return parse_run_config(doc, "");
}

bool same_number(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b;
}

TEST(StreamStorage, DiscardingTheStreamGivesTheSameRows) {
    // Subset sketches (mass recall defined) and summaries (not), an eval step that is not a
    // multiple of the reference's 2,048-token blocks.
    const json sketches =
        json::parse(R"([{"id": "exact"}, {"id": "uniform", "params": {"budget": 64}},
        {"id": "h2o", "params": {"budget": 48}}, {"id": "sliding_window", "params": {"budget": 40}},
        {"id": "balance_kv", "params": {"batch": 32}}, {"id": "taylor", "params": {"degree": 2}},
        {"id": "kivi", "params": {"bits": 2}}])");
    const RunConfig config = config_with(sketches, 9000, 3000);
    Session keep(config, builtin_sketches(), StreamStorage::Keep);
    Session discard(config, builtin_sketches(), StreamStorage::Discard);
    keep.run_to_end();
    discard.run_to_end();
    const auto a = keep.history().to_vector(), b = discard.history().to_vector();
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(a.size(), 3u * 7u);
    int recalls = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        SCOPED_TRACE(a[i].label + " at " + std::to_string(a[i].tokens_seen));
        EXPECT_EQ(a[i].tokens_seen, b[i].tokens_seen);
        EXPECT_EQ(a[i].memory_floats, b[i].memory_floats);
        // The errors come from the same exact sums (bit for bit) and the same sketches.
        EXPECT_EQ(a[i].errors.rel_err_mean, b[i].errors.rel_err_mean);
        EXPECT_EQ(a[i].errors.eps_fro, b[i].errors.eps_fro);
        EXPECT_EQ(a[i].errors.eps_op, b[i].errors.eps_op);
        // Mass recall: the same blocks over the same kept keys, from stored or kept keys.
        EXPECT_TRUE(same_number(a[i].mass_recall, b[i].mass_recall))
            << a[i].mass_recall << " vs " << b[i].mass_recall;
        recalls += std::isfinite(b[i].mass_recall) ? 1 : 0;
    }
    EXPECT_EQ(recalls, 3 * 5) << "exact, uniform, h2o, sliding_window and balance_kv are subsets";
}

TEST(StreamStorage, KeptKeysStayBoundedWhenNoSketchNeedsThePast) {
    const json sketches = json::parse(R"([{"id": "uniform", "params": {"budget": 64}},
        {"id": "sliding_window", "params": {"budget": 32}}, {"id": "taylor"}])");
    Session discard(config_with(sketches, 40000, 8192), builtin_sketches(), StreamStorage::Discard);
    Index most = 0;
    while (!discard.finished()) {
        discard.advance(4096);
        most = std::max(most, discard.kept_key_count());
    }
    // The union of a 64-token sample and a 32-token window: at most 96 keys whatever the length.
    EXPECT_LE(most, 96);
    EXPECT_GE(most, 64);
    EXPECT_EQ(discard.queries().rows(), 0) << "no stream queries kept";
    EXPECT_THROW(discard.reference().keys(), std::logic_error);

    Session keep(config_with(sketches, 40000, 8192));
    keep.run_to_end();
    EXPECT_EQ(keep.kept_key_count(), 0);
    EXPECT_EQ(keep.reference().keys().rows(), 40000);
}

TEST(StreamStorage, EditsNeedTheStream) {
    const json sketches = json::parse(R"([{"id": "uniform", "params": {"budget": 16}}])");
    Session discard(config_with(sketches, 2000, 1000), builtin_sketches(), StreamStorage::Discard);
    discard.run_to_end();
    EXPECT_THROW(discard.reconfigure_sketch(0, json{{"budget", 32}}), std::logic_error);
    SketchEntry more;
    more.id = "uniform";
    EXPECT_THROW(discard.add_sketch(more), std::logic_error);
    discard.reset();  // a reset needs no past: it streams again from the start
    discard.run_to_end();
    EXPECT_EQ(discard.history().size(), 2u);
}

RunConfig wide_config(const json& sketches, std::int64_t tokens) {
    json doc = {{"schema_version", 1},
                {"tokens", tokens},
                {"eval_every", tokens},
                {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 1024}}}}},
                {"sketches", sketches}};
    return parse_run_config(doc, "");
}

// Issue 15: `exact` at d = 1,024 over 10^8 tokens ran until memory was gone; now the growing
// states are estimated before anything is allocated and the run is refused with the estimate.
TEST(StreamStorage, GrowingStatesAreEstimatedAndRefusedUpFront) {
    const json exact = json::parse(R"([{"id": "exact"}, {"id": "uniform"}])");
    try {
        Session s(wide_config(exact, 100'000'000), builtin_sketches(), StreamStorage::Discard);
        FAIL() << "accepted";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'exact' alone"), std::string::npos) << msg;
        EXPECT_NE(msg.find("100000000 tokens"), std::string::npos) << msg;
        EXPECT_NE(msg.find("above the limit of 16 GiB"), std::string::npos) << msg;
    }
    // Bounded sketches alone need no such memory: the same stream is accepted.
    EXPECT_NO_THROW(
        Session(wide_config(json::parse(R"([{"id": "uniform"}, {"id": "h2o"}])"), 100'000'000),
                builtin_sketches(), StreamStorage::Discard));
    // So is exact on a stream it fits: 10^5 tokens at d = 1,024 is about 0.8 GB.
    EXPECT_NO_THROW(
        Session(wide_config(exact, 100'000), builtin_sketches(), StreamStorage::Discard));
}

TEST(StreamStorage, EstimatesCoverWhatTheGrowingSketchesReport) {
    int checked = 0;
    for (const SketchInfo& info : builtin_sketches().all()) {
        if (!info.state_bytes_at) continue;
        // Past balance_kv_reference's one-shot compression at 4,096 tokens.
        const RunConfig c = config_with(json::array({{{"id", info.id}}}), 6000, 6000);
        Session s(c, builtin_sketches(), StreamStorage::Discard);
        s.run_to_end();
        const SketchSlot& slot = s.sketches().front();
        SketchContext ctx;
        ctx.dim = s.dim();
        ctx.value_dim = s.value_dim();
        ctx.params = slot.spec.params;
        const double estimate = info.state_bytes_at(ctx, 6000);
        const double reported = slot.sketch->stats().memory_bytes();
        EXPECT_GE(estimate, reported) << info.id;
        EXPECT_LE(estimate, 2.5 * reported) << info.id;
        ++checked;
    }
    EXPECT_EQ(checked, 4) << "exact, kivi, qjl and balance_kv_reference keep every token";
}

// The explorer keeps the whole stream: it stops where kKeptStreamBytes is full and says so.
TEST(StreamStorage, TheKeptStreamIsCappedWithANote) {
    const json bounded = json::parse(R"([{"id": "uniform"}])");
    Session keep(wide_config(bounded, 100'000'000));
    const Index cap = static_cast<Index>(kKeptStreamBytes / (4.0 * (2 * 1024 + 1024)));
    EXPECT_EQ(keep.tokens_target(), cap);
    EXPECT_NE(keep.stream_cap_note().find("stops at " + std::to_string(cap) + " of 100000000"),
              std::string::npos)
        << keep.stream_cap_note();
    Session discard(wide_config(bounded, 100'000'000), builtin_sketches(), StreamStorage::Discard);
    EXPECT_EQ(discard.tokens_target(), 100'000'000);
    EXPECT_EQ(discard.stream_cap_note(), "");
    Session small(wide_config(bounded, 1000));
    EXPECT_EQ(small.stream_cap_note(), "");
}

}  // namespace
}  // namespace kvscope
