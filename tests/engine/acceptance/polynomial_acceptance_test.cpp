// The polynomial issue's acceptance runs, through the Session on the shipped configs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "session/session.hpp"

namespace kvscope {
namespace {

RunConfig shipped(const std::string& name) {
    return load_run_config(std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/" + name);
}

TEST(PolynomialAcceptance, RecenteringLowersDegreeTwoErrorHundredfold) {
    const RunConfig c = shipped("taylor_recenter.json");
    const auto& p = c.source_params;
    ASSERT_GE(p.at("offset").get<double>(), 5.0 * p.at("radius").get<double>());
    Session s(c);
    s.run_to_end();
    std::map<std::string, double> err;
    for (const auto& r : s.history()) {
        if (r.tokens_seen == s.tokens_seen()) err[r.label] = r.errors.rel_err_mean;
    }
    ASSERT_TRUE(err.count("taylor_none") && err.count("taylor_mean"));
    EXPECT_GE(err["taylor_none"] / err["taylor_mean"], 100.0)
        << "none " << err["taylor_none"] << " mean " << err["taylor_mean"];
}

TEST(PolynomialAcceptance, OversizedTaylorIsRefusedBeforeAllocationUnlessTheLimitIsRaised) {
    RunConfig c = shipped("taylor_refusal.json");
    try {
        Session s(c);
        FAIL() << "d = 128, degree 4 was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("1558679265 floats"));
        EXPECT_THAT(e.what(), ::testing::HasSubstr("largest degree that fits is 3"));
    }
    c.sketches[1].params["max_floats"] = 2e9;
    Session raised(c);  // validates and builds; the moments are allocated lazily
    EXPECT_EQ(raised.sketches().size(), 2u);
    EXPECT_NEAR(raised.sketches()[1].sketch->stats().memory_floats, 1558679265.0, 0.5);
}

}  // namespace
}  // namespace kvscope
