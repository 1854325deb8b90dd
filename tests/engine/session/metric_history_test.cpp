// The append-only metric history shared with snapshots (session/metric_history.hpp).
#include "session/metric_history.hpp"

#include <gtest/gtest.h>

namespace kvscope {
namespace {

MetricRow row(int instance, Index tokens) {
    MetricRow r;
    r.instance = instance;
    r.tokens_seen = tokens;
    r.sketch = "s" + std::to_string(instance);
    return r;
}

TEST(MetricHistory, AppendsInPlaceUntilFullThenMovesToALargerBuffer) {
    MetricHistory h;
    EXPECT_TRUE(h.rows().empty());
    h.append(row(0, 1));
    const MetricRows first = h.rows();
    const std::uint64_t id = first.buffer_id();
    ASSERT_NE(id, 0u);
    std::size_t appended_in_place = 0;
    while (h.rows().buffer_id() == id) {
        h.append(row(0, static_cast<Index>(h.size() + 1)));
        ++appended_in_place;
    }
    EXPECT_GE(appended_in_place, 100u);  // a buffer holds many rows before it moves
    // The published prefix still reads the rows it saw, from the old buffer.
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].tokens_seen, 1);
    const MetricRows all = h.rows();
    ASSERT_EQ(all.size(), appended_in_place + 1);
    for (std::size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i].tokens_seen, static_cast<Index>(i + 1));
}

TEST(MetricHistory, AssignStartsANewBufferAndLeavesPublishedRowsAsTheyWere) {
    MetricHistory h;
    h.append(row(0, 10));
    h.append(row(1, 10));
    const MetricRows before = h.rows();
    std::vector<MetricRow> rewritten = h.to_vector();
    rewritten[0].sketch = "edited";
    h.assign(rewritten);
    EXPECT_NE(h.rows().buffer_id(), before.buffer_id());
    EXPECT_EQ(h[0].sketch, "edited");
    EXPECT_EQ(before[0].sketch, "s0");
    h.clear();
    EXPECT_TRUE(h.empty());
    EXPECT_EQ(before.size(), 2u);
    const MetricRows own(std::vector<MetricRow>{row(3, 5)});
    EXPECT_EQ(own.back().instance, 3);
    EXPECT_EQ(own.span().size(), 1u);
}

}  // namespace
}  // namespace kvscope
