// streaming_llm: the attention sinks and the recent window, within the budget.
#include <gtest/gtest.h>

#include <set>

#include "engine/support/sketch_feed.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

using test::feed;
using test::positions;
using test::range;

constexpr int kDim = 4;
constexpr int kValueDim = 3;

TEST(StreamingLlm, KeepsSinksAndTheRecentWindowWithinBudget) {
    const TokenBatch b = test::random_batch(50, kDim, kValueDim, 3);
    auto s =
        test::make_sketch("streaming_llm", {{"budget", 10}, {"sinks", 4}}, kDim, kValueDim, 0.5, 1);
    feed(*s, b, 9);
    std::set<Index> want = range(0, 4);
    for (Index i : range(44, 50))
        want.insert(i);
    EXPECT_EQ(positions(*s), want);
    auto small =
        test::make_sketch("streaming_llm", {{"budget", 2}, {"sinks", 4}}, kDim, kValueDim, 0.5, 1);
    feed(*small, b, 50);
    EXPECT_EQ(positions(*small), range(0, 2));
}

}  // namespace
}  // namespace kvscope
