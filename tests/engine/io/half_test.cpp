#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "io/half.hpp"

namespace kvscope {
namespace {

TEST(IoHalf, KnownValues) {
    EXPECT_EQ(half_to_float(0x3c00), 1.0f);
    EXPECT_EQ(half_to_float(0xc000), -2.0f);
    EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
    EXPECT_EQ(half_to_float(0x3555), 0.25f * (1.0f + 341.0f / 1024.0f));
    EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));  // smallest normal
}

TEST(IoHalf, Subnormals) {
    EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(half_to_float(0x03ff), std::ldexp(1023.0f, -24));
    EXPECT_EQ(half_to_float(0x8001), -std::ldexp(1.0f, -24));
    EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);
    EXPECT_EQ(float_to_half(std::ldexp(5.0f, -24)), 0x0005);
}

TEST(IoHalf, ZerosInfinitiesAndNaN) {
    EXPECT_EQ(half_to_float(0x0000), 0.0f);
    EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
    EXPECT_EQ(half_to_float(0x7c00), std::numeric_limits<float>::infinity());
    EXPECT_EQ(half_to_float(0xfc00), -std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
    EXPECT_TRUE(std::isnan(half_to_float(0x7c01)));  // signalling NaN stays NaN
    EXPECT_TRUE(std::isnan(half_to_float(0xfe00)));
    EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7c00);
    EXPECT_EQ(float_to_half(-std::numeric_limits<float>::infinity()), 0xfc00);
    EXPECT_EQ(float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x7e00, 0x7e00);
    EXPECT_EQ(float_to_half(-0.0f), 0x8000);
}

TEST(IoHalf, EveryHalfRoundTrips) {
    for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const auto h = static_cast<std::uint16_t>(bits);
        const float f = half_to_float(h);
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(half_to_float(float_to_half(f)))) << bits;
        } else {
            ASSERT_EQ(float_to_half(f), h) << bits;
        }
    }
}

TEST(IoHalf, RoundsToNearestEven) {
    EXPECT_EQ(float_to_half(65519.0f), 0x7bff);
    EXPECT_EQ(float_to_half(65520.0f), 0x7c00);  // tie with odd 65504: goes to infinity
    EXPECT_EQ(float_to_half(1e9f), 0x7c00);
    EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie, even below
    EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie, even above
    EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.1f, -11)), 0x3c01);
    EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);     // tie with zero
    EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);     // above the tie
    EXPECT_EQ(float_to_half(std::ldexp(3.0f, -25)), 0x0002);     // 1.5 units: even
    EXPECT_EQ(float_to_half(std::ldexp(2047.0f, -25)), 0x0400);  // rounds up into normals
    EXPECT_EQ(float_to_half(std::ldexp(1.0f, -30)), 0x0000);
}

TEST(IoHalf, Bfloat16KnownValues) {
    EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
    EXPECT_EQ(bfloat16_to_float(0xc040), -3.0f);
    EXPECT_EQ(bfloat16_to_float(0x7f80), std::numeric_limits<float>::infinity());
    EXPECT_EQ(bfloat16_to_float(0xff80), -std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(bfloat16_to_float(0x7fc0)));
    EXPECT_TRUE(std::isnan(bfloat16_to_float(0x7f81)));
    EXPECT_EQ(bfloat16_to_float(0x0001), std::ldexp(1.0f, -133));  // smallest subnormal
    EXPECT_TRUE(std::signbit(bfloat16_to_float(0x8000)));
}

TEST(IoHalf, EveryBfloat16RoundTripsAndRoundsToEven) {
    for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const auto h = static_cast<std::uint16_t>(bits);
        const float f = bfloat16_to_float(h);
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(f)))) << bits;
        } else {
            ASSERT_EQ(float_to_bfloat16(f), h) << bits;
        }
    }
    EXPECT_EQ(float_to_bfloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
    EXPECT_EQ(float_to_bfloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
    EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(std::nanf("0x1")))));
}

}  // namespace
}  // namespace kvscope
