// The hybrid's acceptance run (issue 4): on isotropic_ball with d = 8 and B = 0.5, at equal memory
// in floats (moments included), `hybrid`'s rel_err_mean is at least 5x lower than `balance_kv`'s.
// Runs the shipped sweep config through the Session; the i-th hybrid point of the sweep is paired
// with the i-th balance_kv point and must not use more memory.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "session/session.hpp"

namespace kvscope {
namespace {

RunConfig shipped(const std::string& name) {
    return load_run_config(std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/" + name);
}

TEST(HybridAcceptance, FiveTimesLowerErrorThanBalanceKvAtEqualMemory) {
    const RunConfig c = shipped("hybrid_vs_balance_kv.json");
    EXPECT_EQ(c.source_id, "isotropic_ball");
    EXPECT_EQ(c.source_params.at("dim").get<int>(), 8);
    Session s(c);
    s.run_to_end();
    std::map<std::string, std::vector<const MetricRow*>> final_rows;
    for (const auto& r : s.history()) {
        if (r.tokens_seen == s.tokens_seen()) final_rows[r.sketch].push_back(&r);
    }
    const auto& bkv = final_rows["balance_kv"];
    const auto& hyb = final_rows["hybrid"];
    ASSERT_GE(bkv.size(), 3u);
    ASSERT_EQ(bkv.size(), hyb.size());
    for (std::size_t i = 0; i < bkv.size(); ++i) {
        const double ratio = bkv[i]->errors.rel_err_mean / hyb[i]->errors.rel_err_mean;
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "balance_kv %.0f floats rel_err %.4g | hybrid %.0f floats rel_err %.4g | "
                      "ratio %.1f",
                      bkv[i]->memory_floats, bkv[i]->errors.rel_err_mean, hyb[i]->memory_floats,
                      hyb[i]->errors.rel_err_mean, ratio);
        std::printf("%s\n", buf);
        RecordProperty("point" + std::to_string(i), buf);
        EXPECT_LE(hyb[i]->memory_floats, bkv[i]->memory_floats) << buf;
        EXPECT_GE(ratio, 5.0) << buf;
    }
}

}  // namespace
}  // namespace kvscope
