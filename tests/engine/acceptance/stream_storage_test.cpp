// Issue 15, memory flat on endless streams: a session with StreamStorage::Discard (what
// `kvscope run` uses) keeps only what its sketches, the exact sums and mass recall need, and
// writes the same metric rows as one that keeps the whole stream.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

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
    return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b));
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
        // Mass recall: one pass with masks against one GEMM over the kept keys.
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

}  // namespace
}  // namespace kvscope
