// The results table `kvscope run` prints (cli/results_table.cpp). Regression for issue 12: the
// params column was cut at 27 characters, so the rows of a hybrid budget sweep could not be
// told apart; every instance is now named by the parameters that tell it from the others.
#include "cli/results_table.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kvscope {
namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

TEST(ResultsTable, HybridSweepRowsNameTheirDistinguishingParameters) {
    // As assets/configs/hybrid_vs_uniform.json, small: two labelled hybrid sweeps over budget
    // beside a uniform sweep.
    Session session(parse_run_config(nlohmann::json::parse(R"({
        "schema_version": 1, "seed": 7, "tokens": 512, "eval_every": 256, "probe_queries": 8,
        "source": {"id": "isotropic_ball", "params": {"dim": 4}},
        "sketches": [
          {"id": "exact"},
          {"id": "uniform", "sweep": {"budget": [64, 128]}},
          {"id": "hybrid", "label": "hybrid_t1", "params": {"degree": 1},
           "sweep": {"budget": [55, 115]}},
          {"id": "hybrid", "label": "hybrid_t2", "params": {"degree": 2},
           "sweep": {"budget": [36, 96]}}]})"),
                                     ""));
    session.run_to_end();
    const std::vector<std::string> rows = lines(results_table(session));
    ASSERT_EQ(rows.size(), 2u + 7u + 1u);  // header, rule, 7 instances, footnote
    std::set<std::string> names;
    for (std::size_t i = 2; i < 9; ++i) {
        const std::string name = rows[i].substr(0, rows[i].find("  "));
        EXPECT_TRUE(names.insert(name).second) << "two rows named " << name;
    }
    for (const char* part : {"hybrid_t1", "hybrid_t2", "budget=55", "budget=115", "budget=36",
                             "budget=96", "budget=64", "budget=128"}) {
        bool found = false;
        for (const std::string& n : names)
            found = found || n.find(part) != std::string::npos;
        EXPECT_TRUE(found) << part << " missing from the names";
    }
    // The columns stay aligned: every row is as long as the header up to its last column.
    for (std::size_t i = 2; i < 9; ++i)
        EXPECT_EQ(rows[i].size(), rows[0].size()) << rows[i];
}

}  // namespace
}  // namespace kvscope
