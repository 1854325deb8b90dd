// Sharding (issue 17): the I/N syntax, the cost partition (disjoint, covering, balanced within
// the LPT bound, deterministic), the run instances of a config, the config hash, the subset
// config a shard runs, and the CSV record splitting the merge relies on.
#include "session/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

#include "session/run_output.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

using nlohmann::json;

RunConfig small_config() {
    return parse_run_config(
        json::parse(R"({"schema_version": 1, "seed": 3, "tokens": 700, "eval_every": 256,
            "probe_queries": 8, "timing": false,
            "source": {"id": "isotropic_ball", "params": {"dim": 8},
                       "sweep": {"radius": [0.5, 1]}},
            "sketches": [{"id": "exact"}, {"id": "uniform", "sweep": {"budget": [16, 64]}},
                         {"id": "sliding_window", "label": "win", "params": {"budget": 32}}]})"),
        {});
}

TEST(Shard, ParsesOneBasedIndexOfCount) {
    EXPECT_EQ(parse_shard("1/1").index, 1);
    EXPECT_EQ(parse_shard("3/7").index, 3);
    EXPECT_EQ(parse_shard("3/7").count, 7);
    for (const char* bad : {"0/3", "4/3", "1/0", "-1/3", "1/", "/3", "a/b", "1/3x", "13", ""})
        EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
}

// A known cost vector: every item in exactly one bin, and the largest load within Graham's
// bound for LPT (4/3 of the lower bound on the optimum) and within mean + largest item.
TEST(Shard, PartitionIsDisjointCoveringAndBalanced) {
    std::vector<double> costs;
    for (int i = 0; i < 41; ++i)
        costs.push_back(1 + (i * 37) % 23 + (i % 5 == 0 ? 40 : 0));
    const double total = std::accumulate(costs.begin(), costs.end(), 0.0);
    const double largest = *std::max_element(costs.begin(), costs.end());
    for (const int bins : {1, 2, 3, 7, 50}) {
        const std::vector<int> bin = partition_by_cost(costs, bins);
        ASSERT_EQ(bin.size(), costs.size());
        std::vector<double> load(static_cast<std::size_t>(bins), 0.0);
        for (std::size_t i = 0; i < costs.size(); ++i) {
            ASSERT_GE(bin[i], 0);
            ASSERT_LT(bin[i], bins);
            load[static_cast<std::size_t>(bin[i])] += costs[i];
        }
        const double sum = std::accumulate(load.begin(), load.end(), 0.0);
        EXPECT_DOUBLE_EQ(sum, total) << "every item counted once";
        const double max_load = *std::max_element(load.begin(), load.end());
        const double lower = std::max(total / bins, largest);
        EXPECT_LE(max_load, 4.0 / 3.0 * lower + 1e-9) << bins << " bins";
        EXPECT_LE(max_load, total / bins + largest + 1e-9) << bins << " bins";
        EXPECT_EQ(partition_by_cost(costs, bins), bin) << "deterministic";
    }
    // Balanced by cost, not count: one heavy item alone, the light ones together.
    const std::vector<double> skewed = {10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const std::vector<int> two = partition_by_cost(skewed, 2);
    EXPECT_EQ(std::count(two.begin(), two.end(), two[0]), 1);
    EXPECT_THROW(partition_by_cost(skewed, 0), std::invalid_argument);
}

TEST(Shard, RunInstancesAreSketchBySourceWithIdsInExpansionOrder) {
    const RunConfig c = small_config();
    const std::vector<RunInstance> all = run_instances(c);
    ASSERT_EQ(all.size(), 2u * 4u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].id, i);
        EXPECT_EQ(all[i].source, i / 4);
        EXPECT_EQ(all[i].sketch, i % 4);
        EXPECT_GT(all[i].cost, 0);
    }
    EXPECT_EQ(all[5].source_label, "radius=1");
    EXPECT_EQ(all[3].sketch_label.rfind("win ", 0), 0u) << all[3].sketch_label;
    // A growing sketch (exact) and a larger budget are estimated to cost more.
    EXPECT_GT(all[0].cost, all[2].cost);
    EXPECT_GT(all[2].cost, all[1].cost);
}

TEST(Shard, ShardsAreDisjointAndCoverEveryInstanceIncludingEmptyShards) {
    const std::vector<RunInstance> all = run_instances(small_config());
    for (const int n : {1, 2, 3, 7, 11}) {
        std::set<std::size_t> seen;
        std::size_t total = 0;
        for (int i = 1; i <= n; ++i) {
            const auto mine = shard_instances(all, {i, n});
            for (std::size_t k = 1; k < mine.size(); ++k)
                EXPECT_LT(mine[k - 1].id, mine[k].id) << "id order";
            for (const RunInstance& r : mine)
                seen.insert(r.id);
            total += mine.size();
        }
        EXPECT_EQ(total, all.size()) << n;
        EXPECT_EQ(seen.size(), all.size()) << n;
    }
    EXPECT_TRUE(shard_instances(all, {11, 11}).empty());
}

TEST(Shard, ConfigHashIsCanonicalAndChangesWithTheRun) {
    const RunConfig a = small_config();
    RunConfig b = parse_run_config(to_json(a), {});
    EXPECT_EQ(config_sha256(a), config_sha256(b));
    EXPECT_EQ(config_sha256(a).size(), 64u);
    b.seed = 4;
    EXPECT_NE(config_sha256(a), config_sha256(b));
}

// The subset config runs its sketch instances with the full run's seeds, labels and params, so
// their rows equal the full run's but for the instance column.
TEST(Shard, SubsetConfigRowsEqualTheFullRunsRows) {
    const RunConfig c = small_config();
    Session full(config_for_source(c, 1), builtin_sketches(), StreamStorage::Discard);
    full.run_to_end();
    Session part(config_for_instances(c, 1, {1, 3}), builtin_sketches(), StreamStorage::Discard);
    part.run_to_end();
    std::vector<std::string> want, got;
    for (const MetricRow& r : full.history().span()) {
        if (r.instance == 1 || r.instance == 3) want.push_back(metric_csv_line(r, false));
    }
    for (MetricRow r : part.history().span()) {
        r.instance = r.instance == 0 ? 1 : 3;
        got.push_back(metric_csv_line(r, false));
    }
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(got, want);
}

TEST(Shard, CsvRecordsKeepQuotedNewlinesAndDropACutLastLine) {
    const std::string text = "a,b\n1,\"x\ny\"\n2,\"p,\"\"q\"\"\"\n3,cut";
    const std::vector<std::string> records = csv_records(text, true);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0], "1,\"x\ny\"");
    EXPECT_EQ(csv_fields(records[0]), (std::vector<std::string>{"1", "x\ny"}));
    EXPECT_EQ(csv_fields(records[1]), (std::vector<std::string>{"2", "p,\"q\""}));
    EXPECT_EQ(csv_records(text, false).size(), 3u);
}

}  // namespace
}  // namespace kvscope
