// sliding_window: the window holds exactly the last budget tokens, whatever the block size.
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

TEST(SlidingWindow, KeepsExactlyTheLastBudgetTokens) {
    const TokenBatch b = test::random_batch(103, kDim, kValueDim, 1);
    for (Index block : {1, 7, 103}) {
        auto s = test::make_sketch("sliding_window", {{"budget", 10}}, kDim, kValueDim, 0.5, 1);
        feed(*s, b, block);
        EXPECT_EQ(positions(*s), range(93, 103)) << "block " << block;
        const Matrix q = test::random_batch(5, kDim, kValueDim, 2).queries;
        EXPECT_LT(test::mean_relative_error(*s, b.keys.bottomRows(10), b.values.bottomRows(10), q),
                  1e-6);
    }
}

}  // namespace
}  // namespace kvscope
