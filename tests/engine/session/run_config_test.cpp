// Run-config limits (issue 15): sweeps are counted before they are expanded, and command-line
// overrides follow the config's rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "engine/support/io_test_util.hpp"
#include "session/run_config.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;

template <class F>
std::string message_of(F&& f) {
    return test::error_of(std::forward<F>(f));
}

TEST(RunConfigLimits, SweepsAreCountedBeforeTheyAreExpanded) {
    RunConfig c;
    SketchEntry e;
    e.id = "uniform";
    e.sweep = {{"budget", nlohmann::json::array()}};
    for (int i = 1; i <= 100; ++i)
        e.sweep["budget"].push_back(i);
    c.sketches = {e, e, e};
    EXPECT_EQ(sketch_instance_count(c), 300u);
    c.sketches[0].sweep["seed_like"] = e.sweep["budget"];  // 100 x 100
    EXPECT_EQ(sketch_instance_count(c), 10200u);
    EXPECT_THAT(
        message_of([&] { expand_sketches(c); }),
        HasSubstr("expand into 10200 instances (sweeps multiply), above the limit of 1024"));
}

TEST(RunConfigLimits, CommandLineOverridesUseTheConfigRules) {
    RunConfig c;
    override_tokens(c, "1e3", "--tokens");
    EXPECT_EQ(c.tokens, 1000);
    override_seed(c, "18446744073709551615", "--seed");
    EXPECT_EQ(c.seed, 18446744073709551615u);
    EXPECT_THAT(message_of([&] { override_tokens(c, "100000001", "--tokens"); }),
                HasSubstr("--tokens = 100000001 is out of range [1, 100000000]"));
    EXPECT_THAT(message_of([&] { override_tokens(c, "ten", "--tokens"); }),
                HasSubstr("--tokens ten is not a number"));
    EXPECT_THAT(message_of([&] { override_seed(c, "1.5", "--seed"); }),
                HasSubstr("--seed must be a whole number"));
}

}  // namespace
}  // namespace kvscope
