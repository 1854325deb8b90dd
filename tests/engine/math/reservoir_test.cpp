// engine/math/reservoir: Algorithm R's decisions, its use of randomness, and its uniformity.
#include "math/reservoir.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "core/random.hpp"

namespace kvscope {
namespace {

// Regression for the merge of the three reservoirs (uniform, the hybrid's residual, taylor's
// diagnostic sample, plus subgen's clusters): each consumed exactly one below(seen + 1) per
// offer once full, and nothing while filling. The shared one must draw the same numbers.
TEST(Reservoir, SameDecisionsAndDrawsAsAlgorithmRWrittenOut) {
    for (std::int64_t capacity : {1, 7, 64}) {
        Rng a(42), b(42);
        std::vector<std::int64_t> slots_a, slots_b;
        for (std::int64_t seen = 0; seen < 5000; ++seen) {
            const ReservoirSlot s = reservoir_slot(seen, capacity, a);
            slots_a.push_back(s.kept() ? s.slot : -1);
            EXPECT_EQ(s.append, seen < capacity);
            // Algorithm R as the sketches wrote it.
            if (seen < capacity) {
                slots_b.push_back(seen);
            } else {
                const Index j = b.below(seen + 1);
                slots_b.push_back(j < capacity ? j : -1);
            }
        }
        EXPECT_EQ(slots_a, slots_b) << capacity;
        EXPECT_EQ(a.below(1000000), b.below(1000000)) << "random streams diverged";
    }
}

TEST(Reservoir, NoRandomnessWhileFilling) {
    Rng a(9), fresh(9);
    for (std::int64_t seen = 0; seen < 16; ++seen)
        EXPECT_EQ(reservoir_slot(seen, 16, a).slot, seen);
    EXPECT_EQ(a.below(1 << 30), fresh.below(1 << 30));
}

TEST(Reservoir, EveryItemIsKeptWithProbabilityCapacityOverN) {
    // 20 items into 5 slots, 4,000 seeded runs: each item is kept 1,000 times in expectation,
    // binomial sd ~27; the margin is six sd.
    constexpr int kItems = 20, kCapacity = 5, kRuns = 4000;
    std::vector<int> kept(kItems, 0);
    Rng rng(2024);
    for (int run = 0; run < kRuns; ++run) {
        std::vector<int> slots(kCapacity, -1);
        for (int item = 0; item < kItems; ++item) {
            const ReservoirSlot s = reservoir_slot(item, kCapacity, rng);
            if (s.kept()) slots[static_cast<std::size_t>(s.slot)] = item;
        }
        for (int item : slots)
            ++kept[static_cast<std::size_t>(item)];
    }
    for (int item = 0; item < kItems; ++item) {
        EXPECT_GT(kept[static_cast<std::size_t>(item)], 1000 - 165) << item;
        EXPECT_LT(kept[static_cast<std::size_t>(item)], 1000 + 165) << item;
    }
}

}  // namespace
}  // namespace kvscope
