// The contract every registered sketch must keep, instantiated for each registry entry so no
// sketch lands without it: parameter limits, empty behaviour, one token, exact mode, retained <=
// budget, NaN rejection, reset, and same seed -> same result.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_support.hpp"

namespace kvscope {
namespace {

constexpr int kDim = 4;
constexpr int kValueDim = 3;
constexpr double kBeta = 0.5;

class SketchContract : public ::testing::TestWithParam<std::string> {
  protected:
    const SketchInfo& info() const { return builtin_sketches().at(GetParam(), "sketch"); }
    std::unique_ptr<Sketch> make(const nlohmann::json& params = nlohmann::json::object(),
                                 std::uint64_t seed = 11) const {
        return test::make_sketch(GetParam(), params, kDim, kValueDim, kBeta, seed);
    }
};

TEST_P(SketchContract, ParameterLimitsAreEnforced) {
    for (const ParamSpec& spec : info().params) {
        EXPECT_FALSE(spec.label.empty()) << spec.key;
        EXPECT_FALSE(spec.help.empty()) << spec.key;
        if (spec.kind == ParamKind::Int || spec.kind == ParamKind::Float) {
            EXPECT_LE(spec.min, spec.default_number) << spec.key;
            EXPECT_LE(spec.default_number, spec.max) << spec.key;
            const double above = spec.max + std::max(1.0, std::abs(spec.max));
            const double below = spec.min - std::max(1.0, std::abs(spec.min));
            EXPECT_THROW(ParamSet::from_json(info().params, {{spec.key, above}}, GetParam()),
                         std::invalid_argument)
                << spec.key;
            EXPECT_THROW(ParamSet::from_json(info().params, {{spec.key, below}}, GetParam()),
                         std::invalid_argument)
                << spec.key;
        }
        if (spec.kind == ParamKind::Choice || spec.kind == ParamKind::Sketch) {
            EXPECT_THROW(
                ParamSet::from_json(info().params, {{spec.key, "not_a_choice"}}, GetParam()),
                std::invalid_argument);
        }
    }
    EXPECT_THROW(ParamSet::from_json(info().params, {{"no_such_key", 1}}, GetParam()),
                 std::invalid_argument);
}

TEST_P(SketchContract, EmptySketchEstimatesZeroWithZeroDenominator) {
    auto sketch = make();
    Matrix q = Matrix::Random(5, kDim);
    const EstimateBatch e = sketch->estimate_many(q);
    ASSERT_EQ(e.den.size(), 5);
    for (Index p = 0; p < 5; ++p) {
        EXPECT_EQ(e.den[p], 0.0);
        EXPECT_TRUE(e.num.row(p).isZero(0.0));
        EXPECT_TRUE(std::isnan(e.output()(p, 0)));
    }
    EXPECT_EQ(sketch->stats().seen, 0);
}

TEST_P(SketchContract, OneTokenGivesItsValue) {
    auto sketch = make();
    const TokenBatch b = test::random_batch(1, kDim, kValueDim, 3);
    sketch->append(b.view());
    EXPECT_EQ(sketch->stats().seen, 1);
    Matrix q = test::random_batch(4, kDim, kValueDim, 4).queries;
    const Eigen::MatrixXd z = sketch->estimate_many(q).output();
    for (Index p = 0; p < 4; ++p) {
        EXPECT_TRUE(z.row(p).allFinite()) << "query " << p;
        // Attention over one token is that token's value whatever the weights.
        if (info().exact_params) {
            EXPECT_NEAR((z.row(p).transpose() - b.values.row(0).cast<double>().transpose()).norm(),
                        0.0, 1e-5);
        }
    }
}

TEST_P(SketchContract, ExactModeMatchesExactAttention) {
    if (!info().exact_params) GTEST_SKIP() << GetParam() << " declares no exact mode";
    const Index n = 300;
    auto sketch = make(info().exact_params(n));
    const TokenBatch b = test::random_batch(n, kDim, kValueDim, 5);
    sketch->append(b.view());
    const Matrix q = test::random_batch(16, kDim, kValueDim, 6).queries;
    EXPECT_LT(test::mean_relative_error(*sketch, b.keys, b.values, q), 1e-6);
}

TEST_P(SketchContract, RetainedNeverExceedsBudget) {
    if (!find_spec(info().params, "budget")) GTEST_SKIP() << GetParam() << " has no budget";
    for (int budget : {1, 7, 32}) {
        auto sketch = make({{"budget", budget}});
        const TokenBatch b = test::random_batch(400, kDim, kValueDim, 7);
        for (Index i = 0; i < b.size(); i += 13) {
            const Index c = std::min<Index>(13, b.size() - i);
            sketch->append(TokenBlock(b.queries.middleRows(i, c), b.keys.middleRows(i, c),
                                      b.values.middleRows(i, c), i));
            EXPECT_LE(sketch->stats().retained, budget);
        }
        EXPECT_EQ(sketch->stats().seen, 400);
    }
}

TEST_P(SketchContract, NonFiniteInputIsRejectedAndStateKept) {
    auto sketch = make();
    const TokenBatch good = test::random_batch(20, kDim, kValueDim, 8);
    sketch->append(good.view());
    TokenBatch bad = test::random_batch(5, kDim, kValueDim, 9, 1.0, 20);
    bad.keys(2, 1) = std::numeric_limits<float>::quiet_NaN();
    bad.values(3, 0) = std::numeric_limits<float>::infinity();
    const Matrix q = test::random_batch(4, kDim, kValueDim, 10).queries;
    const EstimateBatch before = sketch->estimate_many(q);
    try {
        sketch->append(bad.view());
        FAIL() << "NaN key accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("token 22"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sketch->stats().seen, 20);
    const EstimateBatch after = sketch->estimate_many(q);
    EXPECT_EQ(before.output(), after.output());
    // Wrong shapes too.
    const TokenBatch wide = test::random_batch(3, kDim + 1, kValueDim, 12);
    EXPECT_THROW(sketch->append(wide.view()), std::invalid_argument);
    EXPECT_THROW(sketch->estimate_many(Matrix::Zero(2, kDim + 1)), std::invalid_argument);
}

TEST_P(SketchContract, SameSeedSameResultAndResetReplays) {
    const TokenBatch b = test::random_batch(500, kDim, kValueDim, 13);
    const Matrix q = test::random_batch(8, kDim, kValueDim, 14).queries;
    auto a = make({}, 99);
    auto c = make({}, 99);
    a->append(b.view());
    c->append(b.view());
    const Eigen::MatrixXd za = a->estimate_many(q).output();
    EXPECT_EQ(za, c->estimate_many(q).output());
    a->reset();
    EXPECT_EQ(a->stats().seen, 0);
    EXPECT_EQ(a->stats().retained, 0);
    a->append(b.view());
    EXPECT_EQ(za, a->estimate_many(q).output());
    EXPECT_GT(a->stats().memory_floats, 0.0);
    EXPECT_GE(a->stats().memory_bits, a->stats().memory_floats);  // bits >= floats always
    const SketchView v = a->view();
    if (v.subset_of_stream) {
        EXPECT_EQ(static_cast<Index>(v.retained.size()), a->stats().retained);
        for (const auto& t : v.retained) {
            EXPECT_GE(t.position, 0);
            EXPECT_LT(t.position, 500);
        }
    }
}

std::vector<std::string> all_sketch_ids() {
    std::vector<std::string> ids;
    for (const auto& s : builtin_sketches().all())
        ids.push_back(s.id);
    return ids;
}

INSTANTIATE_TEST_SUITE_P(AllRegistered, SketchContract, ::testing::ValuesIn(all_sketch_ids()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace kvscope
