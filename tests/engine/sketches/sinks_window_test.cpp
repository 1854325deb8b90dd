// sinks_window: sinks + window + an inner sketch, and the nested-sketch parameter that names
// the inner one.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "engine/support/sketch_feed.hpp"
#include "sketches/sinks_window.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

using test::feed;
using test::positions;
using test::range;

constexpr int kDim = 4;
constexpr int kValueDim = 3;

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

}  // namespace
}  // namespace kvscope
