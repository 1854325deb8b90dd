// The packed stores behind qjl and kivi (issue 15): codes of any width back to back, and
// consecutive positions as one run.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "blocks/packed_store.hpp"

namespace kvscope {
namespace {

TEST(PackedCodes, StoresCodesOfAnyWidthBackToBack) {
    for (int bits : {1, 3, 8, 13, 32}) {
        PackedCodes codes(bits);
        const std::uint64_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
        for (std::uint32_t i = 0; i < 1000; ++i)
            codes.push(static_cast<std::uint32_t>((i * 2654435761u) & mask));
        for (std::uint32_t i = 0; i < 1000; ++i)
            ASSERT_EQ(codes.get(i), (i * 2654435761u) & mask) << bits << " bits, code " << i;
        // b bits per code, in whole 64-bit words.
        EXPECT_LE(codes.held_bytes(),
                  (1000 * static_cast<std::size_t>(bits) + 63) / 64 * 8 * 2 + 64);
    }
    EXPECT_THROW(PackedCodes(0), std::invalid_argument);
}

TEST(PositionRuns, ConsecutivePositionsTakeOneRun) {
    PositionRuns runs;
    for (Index p = 10; p < 100000; ++p)
        runs.push(p);
    runs.push(5);
    EXPECT_EQ(runs.size(), 99991);
    EXPECT_LE(runs.held_bytes(), 64u);
    std::vector<Index> seen;
    runs.for_each([&](Index p) { seen.push_back(p); });
    EXPECT_EQ(seen.front(), 10);
    EXPECT_EQ(seen[seen.size() - 2], 99999);
    EXPECT_EQ(seen.back(), 5);
}

}  // namespace
}  // namespace kvscope
