// Sketch::warnings (issue 14, item 5): a configuration that cannot meet its promise on the
// stream it sees says so, in the sketch, in the runner's snapshot (the status line) and in the
// run manifest; one that can stays silent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "session/run_output.hpp"
#include "session/runner.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;

// The shipped sharp head (layer 1, head 3: largest |logit| 43, B about 47) with Taylor at
// degrees 2 and 3, and balance_kv, which has nothing to warn about.
RunConfig sharp_head(int tokens) {
    const std::string dir = std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs";
    std::ifstream in(dir + "/real_attention_heads.json");
    nlohmann::json doc = nlohmann::json::parse(in);
    doc["tokens"] = tokens;
    doc["eval_every"] = tokens;
    doc["sketches"] = nlohmann::json::parse(R"([
      {"id": "exact"},
      {"id": "taylor", "params": {"degree": 2, "recenter": "mean"}},
      {"id": "taylor", "params": {"degree": 3, "recenter": "mean"}},
      {"id": "balance_kv", "params": {"batch": 32}}])");
    return parse_run_config(doc, dir);
}

// Regression (issue 14): Taylor at degree 3 on the sharp head was 30x worse than at degree 2
// and nothing said that its bound (B about 47) promises nothing.
TEST(SketchWarnings, RegressionTaylorOnTheSharpHeadWarnsInSnapshotAndManifest) {
    Session session(sharp_head(512));
    session.run_to_end();
    const auto& slots = session.sketches();
    ASSERT_EQ(slots.size(), 4u);
    for (std::size_t i : {std::size_t{1}, std::size_t{2}}) {
        const auto w = slots[i].sketch->warnings();
        ASSERT_EQ(w.size(), 1u) << i;
        EXPECT_THAT(w[0], HasSubstr("Lagrange bound"));
        EXPECT_THAT(w[0], HasSubstr("> 1 at degree " + std::to_string(i + 1)));
    }
    EXPECT_TRUE(slots[0].sketch->warnings().empty());
    EXPECT_TRUE(slots[3].sketch->warnings().empty());
    const nlohmann::json m = run_manifest(session);
    ASSERT_EQ(m.at("warnings").size(), 2u);
    EXPECT_EQ(m["warnings"][0]["instance"], 1);
    EXPECT_EQ(m["warnings"][1]["instance"], 2);
    EXPECT_THAT(m["warnings"][1]["message"].get<std::string>(), HasSubstr("degree 3"));

    Runner runner(sharp_head(512));
    runner.send(command::Step{512});
    runner.wait_idle();
    const auto snap = runner.snapshot();
    ASSERT_EQ(snap->sketches.size(), 4u);
    EXPECT_EQ(snap->sketches[2].warnings, slots[2].sketch->warnings());
    EXPECT_TRUE(snap->sketches[3].warnings.empty());
}

// Where the series converges (isotropic ball, r = 1, beta = 1/4, degree 8) Taylor stays silent, and
// the manifest carries an empty list.
TEST(SketchWarnings, TaylorWithinItsBoundIsSilent) {
    const RunConfig c = parse_run_config(nlohmann::json::parse(R"({
      "schema_version": 1, "seed": 3, "tokens": 2000, "eval_every": 1000, "probe_queries": 16,
      "beta": 0.25, "source": {"id": "isotropic_ball", "params": {"dim": 8, "radius": 1.0}},
      "sketches": [{"id": "exact"}, {"id": "taylor", "params": {"degree": 8}}]})"),
                                         "");
    Session session(c);
    session.run_to_end();
    const auto w = session.sketches()[1].sketch->warnings();
    EXPECT_TRUE(w.empty()) << w.front();
    EXPECT_TRUE(run_manifest(session).at("warnings").empty());
}

}  // namespace
}  // namespace kvscope
