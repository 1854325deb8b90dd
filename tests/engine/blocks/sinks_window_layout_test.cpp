// engine/blocks/sinks_window_layout: which tokens stay exact, which leave and in what order.
#include "blocks/sinks_window_layout.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_support.hpp"

namespace kvscope {
namespace {

struct Left {
    Index position;
    float key0;
    bool has_query;
};

std::vector<Left> push_all(SinksWindowLayout& layout, const TokenBatch& b, bool queries) {
    std::vector<Left> left;
    for (Index r = 0; r < b.size(); ++r) {
        layout.push(queries ? b.queries.row(r).data() : nullptr, b.keys.row(r).data(),
                    b.values.row(r).data(), b.first_position + r,
                    [&](const float* q, const float* k, const float*, Index pos) {
                        left.push_back({pos, k[0], q != nullptr});
                    });
    }
    return left;
}

TEST(SinksWindowLayout, KeepsSinksAndWindowAndHandsOverTheMiddleInOrder) {
    const TokenBatch b = test::random_batch(50, 3, 2, 1, 1.0, 100);
    SinksWindowLayout layout(3, 2, 4, 6);
    const std::vector<Left> left = push_all(layout, b, true);
    ASSERT_EQ(left.size(), 40u);  // 50 - 4 sinks - 6 in the window
    for (std::size_t i = 0; i < left.size(); ++i) {
        EXPECT_EQ(left[i].position, 104 + static_cast<Index>(i));
        EXPECT_EQ(left[i].key0, b.keys(4 + static_cast<Index>(i), 0));
        EXPECT_TRUE(left[i].has_query);
    }
    EXPECT_EQ(layout.seen(), 50);
    EXPECT_EQ(layout.size(), 10);
    for (Index s = 0; s < 4; ++s) {
        EXPECT_EQ(layout.sinks().position(s), 100 + s);
        EXPECT_EQ(layout.sinks().tag(s), SinksWindowLayout::kSinkTag);
    }
    // window_slot(i) walks the ring from the oldest: positions 144..149.
    for (Index i = 0; i < 6; ++i) {
        const Index slot = layout.window_slot(i);
        EXPECT_EQ(layout.window().position(slot), 144 + i);
        EXPECT_EQ(layout.window().tag(slot), SinksWindowLayout::kWindowTag);
        EXPECT_EQ(layout.window().key(slot)[0], b.keys(44 + i, 0));
    }
}

TEST(SinksWindowLayout, EmptyWindowHandsOverEveryTokenAfterTheSinks) {
    const TokenBatch b = test::random_batch(9, 2, 2, 2);
    SinksWindowLayout layout(2, 2, 3, 0);
    const std::vector<Left> left = push_all(layout, b, true);
    ASSERT_EQ(left.size(), 6u);
    EXPECT_EQ(left.front().position, 3);
    EXPECT_EQ(layout.window().size(), 0);
}

TEST(SinksWindowLayout, QueriesStopOnceATokenCameWithoutOne) {
    const TokenBatch b = test::random_batch(20, 2, 2, 3);
    SinksWindowLayout layout(2, 2, 0, 4);
    push_all(layout, b, true);
    EXPECT_TRUE(layout.has_queries());
    const TokenBatch c = test::random_batch(5, 2, 2, 4, 1.0, 20);
    const std::vector<Left> left = push_all(layout, c, false);
    ASSERT_EQ(left.size(), 5u);
    for (const Left& l : left)
        EXPECT_FALSE(l.has_query);
    EXPECT_FALSE(layout.has_queries());
    layout.clear();
    EXPECT_TRUE(layout.has_queries());
    EXPECT_EQ(layout.size(), 0);
    EXPECT_EQ(layout.seen(), 0);
}

TEST(SinksWindowLayout, ShorterStreamThanTheSinksLeavesNothing) {
    const TokenBatch b = test::random_batch(3, 2, 2, 5);
    SinksWindowLayout layout(2, 2, 8, 8);
    EXPECT_TRUE(push_all(layout, b, false).empty());
    EXPECT_EQ(layout.sinks().size(), 3);
    EXPECT_EQ(layout.window().size(), 0);
}

}  // namespace
}  // namespace kvscope
