// Unit tests of the practice baselines: window contents, sink handling, H2O eviction order,
// SnapKV's observation window, key-norm selection, the quantizer's round-trip bound, QJL
// unbiasedness over seeds, and the sinks + window + inner composition.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>

#include "core/random.hpp"
#include "sketches/kivi.hpp"
#include "sketches/qjl.hpp"
#include "sketches/sinks_window.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

constexpr int kDim = 4;
constexpr int kValueDim = 3;

std::set<Index> positions(const Sketch& s) {
    std::set<Index> out;
    for (const auto& t : s.view().retained)
        out.insert(t.position);
    return out;
}

std::set<Index> range(Index begin, Index end) {
    std::set<Index> out;
    for (Index i = begin; i < end; ++i)
        out.insert(i);
    return out;
}

/// Appends a batch in blocks of `block` tokens.
void feed(Sketch& s, const TokenBatch& b, Index block) {
    for (Index i = 0; i < b.size(); i += block) {
        const Index c = std::min(block, b.size() - i);
        s.append(TokenBlock(b.queries.middleRows(i, c), b.keys.middleRows(i, c),
                            b.values.middleRows(i, c), b.first_position + i));
    }
}

TEST(SlidingWindow, KeepsExactlyTheLastBudgetTokens) {
    const TokenBatch b = test::random_batch(103, kDim, kValueDim, 1);
    for (Index block : {1, 7, 103}) {
        auto s = test::make_sketch("sliding_window", {{"budget", 10}}, kDim, kValueDim, 0.5, 1);
        feed(*s, b, block);
        EXPECT_EQ(positions(*s), range(93, 103)) << "block " << block;
        const Matrix q = test::random_batch(5, kDim, kValueDim, 2).queries;
        EXPECT_LT(test::mean_relative_error(*s, b.keys.bottomRows(10), b.values.bottomRows(10), q),
                  1e-6);
    }
}

TEST(StreamingLlm, KeepsSinksAndTheRecentWindowWithinBudget) {
    const TokenBatch b = test::random_batch(50, kDim, kValueDim, 3);
    auto s =
        test::make_sketch("streaming_llm", {{"budget", 10}, {"sinks", 4}}, kDim, kValueDim, 0.5, 1);
    feed(*s, b, 9);
    std::set<Index> want = range(0, 4);
    for (Index i : range(44, 50))
        want.insert(i);
    EXPECT_EQ(positions(*s), want);
    auto small =
        test::make_sketch("streaming_llm", {{"budget", 2}, {"sinks", 4}}, kDim, kValueDim, 0.5, 1);
    feed(*small, b, 50);
    EXPECT_EQ(positions(*small), range(0, 2));
}

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

TEST(SnapKv, KeepsTheObservationWindowAndStaysWithinBudget) {
    const TokenBatch b = test::random_batch(500, kDim, kValueDim, 5);
    auto s = test::make_sketch("snapkv", {{"budget", 40}, {"window", 8}, {"eval_every", 10}}, kDim,
                               kValueDim, 0.5, 1);
    for (Index i = 0; i < b.size(); i += 17) {
        const Index c = std::min<Index>(17, b.size() - i);
        s->append(TokenBlock(b.queries.middleRows(i, c), b.keys.middleRows(i, c),
                             b.values.middleRows(i, c), i));
        EXPECT_LE(s->stats().retained, 40);
    }
    const std::set<Index> kept = positions(*s);
    for (Index p = 492; p < 500; ++p)
        EXPECT_TRUE(kept.count(p)) << p;
}

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

TEST(Kivi, QuantizerRoundTripIsWithinHalfAStep) {
    Rng rng(7);
    for (int bits : {1, 2, 4, 8}) {
        std::vector<float> x(64), orig;
        for (float& e : x)
            e = static_cast<float>(3.0 * rng.normal());
        orig = x;
        quantize_asymmetric(x.data(), 64, 1, bits);
        const auto [lo, hi] = std::minmax_element(orig.begin(), orig.end());
        const double step = (*hi - *lo) / (std::ldexp(1.0, bits) - 1.0);
        std::set<float> levels(x.begin(), x.end());
        EXPECT_LE(levels.size(), static_cast<std::size_t>(1) << bits);
        for (std::size_t i = 0; i < x.size(); ++i)
            EXPECT_LE(std::abs(x[i] - orig[i]), 0.5 * step + 1e-5) << bits << " bits";
    }
}

TEST(Kivi, MemoryIsCountedInBitsAndMoreBitsAreMoreAccurate) {
    const TokenBatch b = test::random_batch(256, 16, 16, 8);
    const Matrix q = test::random_batch(16, 16, 16, 9).queries;
    double prev_err = INFINITY;
    for (int bits : {2, 4, 8}) {
        auto s = test::make_sketch("kivi", {{"bits", bits}, {"group", 32}, {"residual", 32}}, 16,
                                   16, 0.25, 1);
        feed(*s, b, 64);
        const SketchStats st = s->stats();
        EXPECT_EQ(st.retained, 256);
        // 224 tokens quantized (7 groups), 32 in full precision.
        const double want = 224.0 * 32 * bits + 7 * 16 * 64 + 224.0 * 64 + 32.0 * 32 * 32;
        EXPECT_DOUBLE_EQ(st.memory_bits, want);
        const double err = test::mean_relative_error(*s, b.keys, b.values, q);
        EXPECT_LT(err, prev_err);
        prev_err = err;
        const SketchView v = s->view();
        ASSERT_TRUE(v.quant.has_value());
        EXPECT_EQ(v.quant->reconstruction_error.size(), 224u);
        EXPECT_EQ(v.quant->logit_distortion.size(), 224u);
        EXPECT_EQ(v.quant->channel_magnitude.size(), 16u);
    }
    EXPECT_LT(prev_err, 0.01);
}

TEST(Qjl, InnerProductEstimatorIsUnbiasedOverSeeds) {
    const int d = 16, m = 16, seeds = 600;
    TokenBatch b = test::random_batch(3, d, 2, 10);
    const Matrix q = test::random_batch(2, d, 2, 11).queries;
    Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(2, 3);
    for (int seed = 0; seed < seeds; ++seed) {
        QjlSketch s([&] {
            SketchContext c;
            c.dim = d;
            c.value_dim = 2;
            c.beta = 1.0;
            c.seed = static_cast<std::uint64_t>(seed);
            c.params = ParamSet::from_json(qjl_sketch_info().params, {{"bits", m}}, "qjl");
            return c;
        }());
        s.append(b.view());
        mean += s.inner_products(q) / seeds;
    }
    const Eigen::MatrixXd exact = (q * b.keys.transpose()).cast<double>();
    for (Index p = 0; p < 2; ++p) {
        for (Index i = 0; i < 3; ++i) {
            // Standard error <= sqrt(pi/2 / m / seeds) ||q|| ||k||; allow 5 of them.
            const double se = std::sqrt(std::numbers::pi / 2 / m / seeds) * q.row(p).norm() *
                              b.keys.row(i).norm();
            EXPECT_NEAR(mean(p, i), exact(p, i), 5 * se) << p << "," << i;
        }
    }
}

TEST(SinksWindow, ComposesSinksWindowAndInnerSketch) {
    const TokenBatch b = test::random_batch(300, kDim, kValueDim, 12);
    auto s = test::make_sketch(
        "sinks_window",
        {{"sinks", 4}, {"window", 8}, {"inner", {{"id", "uniform"}, {"params", {{"budget", 20}}}}}},
        kDim, kValueDim, 0.5, 1);
    feed(*s, b, 13);
    const auto& sw = dynamic_cast<const SinksWindowSketch&>(*s);
    EXPECT_EQ(sw.inner().stats().seen, 300 - 4 - 8);
    EXPECT_EQ(sw.inner().stats().retained, 20);
    EXPECT_EQ(s->stats().retained, 32);
    const std::set<Index> kept = positions(*s);
    for (Index p : range(0, 4))
        EXPECT_TRUE(kept.count(p));
    for (Index p : range(292, 300))
        EXPECT_TRUE(kept.count(p));
    // With an exact middle the composition is exact.
    auto ex = test::make_sketch("sinks_window", {{"sinks", 4}, {"window", 8}, {"inner", "exact"}},
                                kDim, kValueDim, 0.5, 1);
    feed(*ex, b, 13);
    const Matrix q = test::random_batch(8, kDim, kValueDim, 13).queries;
    EXPECT_LT(test::mean_relative_error(*ex, b.keys, b.values, q), 1e-6);
    // Inner params pass through and are validated.
    auto kv =
        test::make_sketch("sinks_window", {{"inner", {{"id", "kivi"}, {"params", {{"bits", 4}}}}}},
                          kDim, kValueDim, 0.5, 1);
    feed(*kv, b, 50);
    ASSERT_TRUE(kv->view().quant.has_value());
    EXPECT_EQ(kv->view().quant->bits, 4);
    EXPECT_THROW(test::make_sketch("sinks_window",
                                   {{"inner", {{"id", "uniform"}, {"params", {{"bogus", 1}}}}}},
                                   kDim, kValueDim, 0.5, 1),
                 std::invalid_argument);
}

// The former syntax (inner_budget, inner_params as a JSON string) is refused with an error that
// names the parameter that replaced it.
TEST(SinksWindow, FormerInnerKeysNameTheNestedParameter) {
    for (const char* key : {"inner_budget", "inner_params"}) {
        try {
            ParamSet::from_json(builtin_sketches().at("sinks_window", "sketch").params, {{key, 20}},
                                "sinks_window");
            ADD_FAILURE() << key << " was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(std::string("'") + key + "' was replaced by 'inner'"),
                      std::string::npos)
                << what;
        }
    }
}

// A nested sketch round-trips through JSON and prints as id{...} in the CSV params column.
TEST(SinksWindow, NestedSketchRoundTripsAndPrintsCompactly) {
    const auto& specs = builtin_sketches().at("sinks_window", "sketch").params;
    const ParamSet p = ParamSet::from_json(
        specs, {{"inner", {{"id", "uniform"}, {"params", {{"budget", 192}}}}}}, "sinks_window");
    EXPECT_EQ(p.text("inner"), "uniform");
    EXPECT_EQ(p.nested("inner").params.integer("budget"), 192);
    EXPECT_EQ(ParamSet::from_json(specs, p.to_json(specs), "sinks_window"), p);
    EXPECT_EQ(p.to_compact_string(specs), "sinks=32;window=32;inner=uniform{budget=192}");
    // A bare id means that sketch at its defaults.
    const ParamSet bare = ParamSet::from_json(specs, {{"inner", "h2o"}}, "sinks_window");
    EXPECT_EQ(bare.nested("inner"), default_sketch("h2o"));
    EXPECT_FALSE(bare == p);
    EXPECT_THROW(ParamSet::from_json(specs, {{"inner", "taylor"}}, "sinks_window"),
                 std::invalid_argument);
    EXPECT_THROW(
        ParamSet::from_json(specs, {{"inner", {{"id", "uniform"}, {"extra", 1}}}}, "sinks_window"),
        std::invalid_argument);
}

// make_child_sketch derives the part's seed from the parent's and the label, like the old
// hand-built inner contexts did, so composite sketches keep their streams of randomness.
TEST(ChildSketch, SeedIsDerivedFromParentAndLabel) {
    SketchContext parent;
    parent.dim = kDim;
    parent.value_dim = kValueDim;
    parent.beta = 0.5;
    parent.seed = 7;
    const NestedSketch child = default_sketch("uniform");
    const SketchContext c = child_context(parent, child.params, "inner");
    EXPECT_EQ(c.seed, derive_seed(7, "inner"));
    EXPECT_EQ(c.dim, kDim);
    EXPECT_EQ(c.params, child.params);
    auto a = make_child_sketch(parent, child, "inner");
    auto b = builtin_sketches().at("uniform", "sketch").make(c);
    const TokenBatch batch = test::random_batch(600, kDim, kValueDim, 3);
    a->append(batch.view());
    b->append(batch.view());
    EXPECT_EQ(a->view().retained.size(), b->view().retained.size());
    for (std::size_t i = 0; i < a->view().retained.size(); ++i)
        EXPECT_EQ(a->view().retained[i].position, b->view().retained[i].position);
}

}  // namespace
}  // namespace kvscope
