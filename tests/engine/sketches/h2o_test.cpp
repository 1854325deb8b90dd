// h2o: the heavy hitter is kept, and after every token the evicted one had the lowest score
// outside the protected recent window.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
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

TEST(H2o, KeepsTheHeavyHitterAndEvictsTheLeastAttended) {
    // Token 0's key is aligned with every query; all other keys are zero. With budget 4 and two
    // recent slots, the heavy slots end up holding token 0 and the oldest survivor.
    const Index n = 40;
    TokenBatch b = test::random_batch(n, 2, 1, 4);
    b.keys.setZero();
    b.keys(0, 0) = 5.0f;
    b.queries.setZero();
    b.queries.col(0).setOnes();
    auto s = test::make_sketch("h2o", {{"budget", 4}, {"recent_fraction", 0.5}}, 2, 1, 1.0, 1);
    feed(*s, b, 5);
    const std::set<Index> kept = positions(*s);
    EXPECT_EQ(kept.size(), 4u);
    EXPECT_TRUE(kept.count(0));
    EXPECT_TRUE(kept.count(n - 1) && kept.count(n - 2));  // the protected recent window
    const SketchView v = s->view();
    ASSERT_EQ(v.token_scores.size(), v.retained.size());
    double heavy = 0, other = 0;
    for (std::size_t i = 0; i < v.retained.size(); ++i) {
        if (v.retained[i].position == 0)
            heavy = v.token_scores[i];
        else
            other = std::max(other, v.token_scores[i]);
    }
    EXPECT_GT(heavy, 10 * other);
    bool has_evictions = false;
    for (const auto& [name, value] : v.scalars)
        if (name == "evictions") has_evictions = value == n - 4;
    EXPECT_TRUE(has_evictions);
}

// After every token: the last round(recent_fraction * budget) arrivals are kept, and the token
// just evicted had the lowest score among those outside that window (ties to the older one),
// for the edge splits too (no window, and a window the size of the budget).
TEST(H2o, EvictsTheLowestUnprotectedScoreAfterEveryToken) {
    const Index n = 300, budget = 16;
    const TokenBatch b = test::random_batch(n, kDim, kValueDim, 12);
    for (double fraction : {0.0, 0.25, 0.5, 1.0}) {
        SCOPED_TRACE(fraction);
        const Index recent = std::llround(fraction * budget);
        auto s = test::make_sketch("h2o", {{"budget", budget}, {"recent_fraction", fraction}}, kDim,
                                   kValueDim, 1.0, 1);
        for (int pass = 0; pass < 2; ++pass) {  // the second pass checks reset()
            s->reset();
            for (Index t = 0; t < n; ++t) {
                s->append(TokenBlock(b.queries.middleRows(t, 1), b.keys.middleRows(t, 1),
                                     b.values.middleRows(t, 1), t));
                const SketchView v = s->view();
                ASSERT_EQ(static_cast<Index>(v.retained.size()), std::min(t + 1, budget));
                std::map<Index, double> score_of;
                for (std::size_t i = 0; i < v.retained.size(); ++i)
                    score_of[v.retained[i].position] = v.token_scores[i];
                for (Index p = std::max<Index>(0, t - recent + 1); p <= t; ++p)
                    ASSERT_TRUE(score_of.count(p)) << "recent token " << p << " lost at " << t;
                if (t < budget) continue;
                double evicted_pos = -1, evicted_score = 0;
                for (const auto& [name, value] : v.scalars) {
                    if (name == "evicted[0].position") evicted_pos = value;
                    if (name == "evicted[0].score") evicted_score = value;
                }
                ASSERT_GE(evicted_pos, 0);
                ASSERT_FALSE(score_of.count(static_cast<Index>(evicted_pos)));
                for (const auto& [p, score] : score_of) {
                    if (p > t - recent) continue;  // protected
                    ASSERT_TRUE(evicted_score < score ||
                                (evicted_score == score && evicted_pos < static_cast<double>(p)))
                        << "at token " << t << " evicted " << evicted_pos << " (" << evicted_score
                        << ") over " << p << " (" << score << ")";
                }
            }
        }
    }
}

}  // namespace
}  // namespace kvscope
