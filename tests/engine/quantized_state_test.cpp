// State as small as reported (issue 15): qjl keeps its sign bits packed and kivi its codes and
// group ranges, so the bytes they hold stay within 2x of memory_bytes plus a fixed allowance
// (qjl held 32-bit floats per sign bit and cast the whole n x m matrix to double to evaluate:
// 1.29 GB against 76 MB reported at 10^6 tokens; kivi held dequantized floats). Their blocked
// evaluation must give the single-pass answer.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "blocks/packed_store.hpp"
#include "core/weighted_cache.hpp"
#include "sketches/kivi.hpp"
#include "sketches/qjl.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

// One partly filled chunk per chunked array and the panels' sample buffers: a fixed allowance.
constexpr double kFixedAllowance = 4 << 20;

void feed(Sketch& s, const TokenBatch& b, Index block) {
    for (Index i = 0; i < b.size(); i += block) {
        const Index c = std::min(block, b.size() - i);
        s.append(TokenBlock(b.queries.middleRows(i, c), b.keys.middleRows(i, c),
                            b.values.middleRows(i, c), b.first_position + i));
    }
}

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

TEST(QjlState, HeldBytesFollowMemoryBytes) {
    const TokenBatch b = test::random_batch(100000, 16, 16, 3);
    for (int bits : {1, 64, 100}) {
        auto s = test::make_sketch("qjl", {{"bits", bits}}, 16, 16, 0.25, 1);
        feed(*s, b, 4096);
        const double held = static_cast<double>(dynamic_cast<QjlSketch&>(*s).held_bytes());
        const double reported = s->stats().memory_bytes();
        EXPECT_LE(held, 2 * reported + kFixedAllowance) << bits << " bits";
        EXPECT_GE(held, reported) << "holds less than it reports? " << bits << " bits";
    }
}

TEST(QjlState, BlockedEvaluationEqualsTheSinglePass) {
    // 4,096 probes make a key block of 1,024 tokens (2^22 doubles of logits): 5 blocks here.
    const TokenBatch b = test::random_batch(5000, 8, 4, 5);
    const Matrix q = test::random_batch(4096, 8, 4, 6).queries;
    auto s = test::make_sketch("qjl", {{"bits", 32}}, 8, 4, 0.5, 2);
    feed(*s, b, 700);
    const auto& qjl = dynamic_cast<const QjlSketch&>(*s);
    const EstimateBatch e = s->estimate_many(q);
    const Eigen::MatrixXd logits = 0.5 * qjl.inner_products(q);  // [P x n] at once
    for (Index p = 0; p < q.rows(); p += 97) {
        const double mx = logits.row(p).maxCoeff();
        const Eigen::RowVectorXd w = (logits.row(p).array() - mx).exp().matrix();
        const Eigen::RowVectorXd want = w * b.values.cast<double>() / w.sum();
        const Eigen::RowVectorXd got = e.num.row(p) / e.den[p];
        EXPECT_LE((got - want).norm(), 1e-12 * (1 + want.norm())) << "probe " << p;
    }
}

TEST(KiviState, HeldBytesFollowMemoryBytes) {
    const TokenBatch b = test::random_batch(100000, 16, 16, 4);
    for (const char* mode : {"per_channel", "per_token"}) {
        for (int bits : {1, 2, 8}) {
            auto s =
                test::make_sketch("kivi", {{"bits", bits}, {"key_mode", mode}}, 16, 16, 0.25, 1);
            feed(*s, b, 4096);
            const double held = static_cast<double>(dynamic_cast<KiviSketch&>(*s).held_bytes());
            const double reported = s->stats().memory_bytes();
            EXPECT_LE(held, 2 * reported + kFixedAllowance) << mode << ", " << bits << " bits";
        }
    }
}

TEST(KiviState, PackedCodesGiveTheEstimateOfTheDequantizedCache) {
    // The straightforward simulation: every flushed group quantized in place and kept as floats.
    const int d = 16, dv = 16, group = 32, residual = 32;
    const Index n = 5000, quantized = (n - residual) / group * group;  // 4,960: flushed groups
    const TokenBatch b = test::random_batch(n, d, dv, 9);
    const Matrix q = test::random_batch(64, d, dv, 10).queries;
    for (const char* mode : {"per_channel", "per_token"}) {
        auto s = test::make_sketch(
            "kivi", {{"bits", 2}, {"group", group}, {"residual", residual}, {"key_mode", mode}}, d,
            dv, 0.25, 1);
        feed(*s, b, 333);
        WeightedCache simulated(d, dv);
        for (Index g = 0; g < quantized; g += group) {
            Matrix k = b.keys.middleRows(g, group), v = b.values.middleRows(g, group);
            for (int c = 0; c < d; ++c) {
                if (std::string(mode) == "per_channel") {
                    quantize_asymmetric(k.data() + c, group, d, 2);
                } else if (c == 0) {
                    for (Index i = 0; i < group; ++i)
                        quantize_asymmetric(k.row(i).data(), d, 1, 2);  // d <= group
                }
            }
            for (Index i = 0; i < group; ++i) {
                quantize_asymmetric(v.row(i).data(), dv, 1, 2);
                simulated.push(k.row(i).data(), v.row(i).data(), 1, 1, g + i);
            }
        }
        for (Index i = quantized; i < n; ++i)
            simulated.push(b.keys.row(i).data(), b.values.row(i).data(), 1, 1, i);
        const EstimateBatch got = s->estimate_many(q), want = simulated.estimate(q, 0.25);
        for (Index p = 0; p < q.rows(); ++p) {
            const Eigen::RowVectorXd a = got.num.row(p) / got.den[p];
            const Eigen::RowVectorXd w = want.num.row(p) / want.den[p];
            EXPECT_LE((a - w).norm(), 1e-12 * (1 + w.norm())) << mode << ", probe " << p;
        }
        EXPECT_EQ(s->stats().retained, n);
    }
}

TEST(KiviState, AGroupOfEqualValuesDequantizesToThatValue) {
    const float same[] = {2.5f, 2.5f, 2.5f};
    const QuantRange flat = quant_range(same, 3, 1);
    EXPECT_EQ(quant_code(2.5f, flat, 2), 0u);
    EXPECT_EQ(dequantize(0, flat, 2), 2.5f);
}

}  // namespace
}  // namespace kvscope
