// snapkv: the observation window is kept and the cache stays within the budget.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(SnapKv, KeepsTheObservationWindowAndStaysWithinBudget) {
    const TokenBatch b = test::random_batch(500, kDim, kValueDim, 5);
    auto s = test::make_sketch("snapkv", {{"budget", 40}, {"window", 8}, {"eval_every", 10}}, kDim,
                               kValueDim, 0.5, 1);
    for (Index i = 0; i < b.size(); i += 17) {
        const Index c = std::min<Index>(17, b.size() - i);
        s->append(TokenBlock(b.queries.middleRows(i, c), b.keys.middleRows(i, c),
                             b.values.middleRows(i, c), i));
        EXPECT_LE(s->stats().retained, 40);
    }
    const std::set<Index> kept = positions(*s);
    for (Index p = 492; p < 500; ++p)
        EXPECT_TRUE(kept.count(p)) << p;
}

}  // namespace
}  // namespace kvscope
