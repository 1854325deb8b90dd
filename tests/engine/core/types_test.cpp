// EstimateBatch: adding two batches rescales to the larger shift without overflow.
#include "core/types.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace kvscope {
namespace {

TEST(EstimateBatch, AddRescalesToTheLargerShift) {
    EstimateBatch a = EstimateBatch::zeros(1, 1), b = EstimateBatch::zeros(1, 1);
    a.num << 1;
    a.den << 1;
    a.shift << 800;  // e^800 overflows a double; the sum must not
    b.num << 1;
    b.den << -0.5;  // negative terms (a Taylor residual) are allowed
    b.shift << 799;
    a.add(b);
    EXPECT_DOUBLE_EQ(a.shift[0], 800);
    EXPECT_NEAR(a.num(0, 0), 1 + std::exp(-1.0), 1e-15);
    EXPECT_NEAR(a.den[0], 1 - 0.5 * std::exp(-1.0), 1e-15);
}

}  // namespace
}  // namespace kvscope
