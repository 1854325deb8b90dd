// key_norm: keeps the smallest (or largest) key norms.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "engine/support/sketch_feed.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

using test::feed;
using test::positions;
using test::range;

constexpr int kDim = 4;
constexpr int kValueDim = 3;

TEST(KeyNorm, KeepsTheSmallestOrLargestNorms) {
    const TokenBatch b = test::random_batch(200, kDim, kValueDim, 6);
    std::vector<std::pair<double, Index>> norms;
    for (Index i = 0; i < b.size(); ++i)
        norms.push_back({b.keys.row(i).norm(), i});
    std::sort(norms.begin(), norms.end());
    std::set<Index> smallest, largest;
    for (int i = 0; i < 15; ++i) {
        smallest.insert(norms[static_cast<std::size_t>(i)].second);
        largest.insert(norms[norms.size() - 1 - static_cast<std::size_t>(i)].second);
    }
    auto lo = test::make_sketch("key_norm", {{"budget", 15}}, kDim, kValueDim, 0.5, 1);
    auto hi = test::make_sketch("key_norm", {{"budget", 15}, {"keep", "largest"}}, kDim, kValueDim,
                                0.5, 1);
    feed(*lo, b, 11);
    feed(*hi, b, 11);
    EXPECT_EQ(positions(*lo), smallest);
    EXPECT_EQ(positions(*hi), largest);
}

}  // namespace
}  // namespace kvscope
