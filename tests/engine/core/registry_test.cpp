// The registry's composition helpers: a composite sketch's parts get seeds derived from the
// parent's.
#include <gtest/gtest.h>

#include "core/random.hpp"
#include "core/registry.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

constexpr int kDim = 4;
constexpr int kValueDim = 3;

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
