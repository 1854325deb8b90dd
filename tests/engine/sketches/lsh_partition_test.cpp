// Tests of `lsh_partition`: deterministic bucket assignment, the Gray-code order, each family's
// rule, exactness with exact summaries, Taylor summaries on offset clusters, refusals.
#include "sketches/lsh_partition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/random.hpp"
#include "engine/support/poly_eval_util.hpp"

namespace kvscope {
namespace {

constexpr int kD = 8;
const double kBeta = 1.0 / std::sqrt(8.0);

nlohmann::json ball(double r = 2.0) {
    return {{"dim", kD}, {"radius", r}};
}

// Four tight clouds (radius 0.3) at offsets of norm 3 in different directions.
polytest::Stream four_clouds(Index n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<Eigen::VectorXf> centres;
    for (int c = 0; c < 4; ++c)
        centres.push_back(rng.on_sphere(kD, 3.0));
    polytest::Stream st{Matrix(n, kD), Matrix(n, kD)};
    for (Index i = 0; i < n; ++i) {
        st.keys.row(i) =
            (centres[rng.below(4)] + rng.on_sphere(kD, 0.3 * rng.uniform())).transpose();
        st.values.row(i) = rng.normal_vector(kD).transpose();
    }
    return st;
}

TEST(LshPartition, AssignmentIsDeterministicForASeed) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 500, 1);
    for (const char* family : {"simhash", "spherical_caps", "norm_shells"}) {
        const nlohmann::json p = {{"family", family}, {"summary", "exact"}};
        auto a = polytest::make_sketch("lsh_partition", kD, kD, kBeta, p, 42);
        auto b = polytest::make_sketch("lsh_partition", kD, kD, kBeta, p, 42);
        polytest::feed(*a, st, 64);
        polytest::feed(*b, st, 100);  // different blocking, same assignment
        EXPECT_EQ(a->view().buckets->bucket_of_token, b->view().buckets->bucket_of_token) << family;
        EXPECT_EQ(a->view().buckets->bucket_of_token.size(), 500u);
        a->reset();
        polytest::feed(*a, st, 64);
        EXPECT_EQ(a->view().buckets->bucket_of_token, b->view().buckets->bucket_of_token);
    }
    auto c = polytest::make_sketch("lsh_partition", kD, kD, kBeta, {{"summary", "exact"}}, 43);
    auto d = polytest::make_sketch("lsh_partition", kD, kD, kBeta, {{"summary", "exact"}}, 42);
    polytest::feed(*c, st);
    polytest::feed(*d, st);
    EXPECT_NE(c->view().buckets->bucket_of_token, d->view().buckets->bucket_of_token);
}

TEST(LshPartition, SimHashUsesTheGrayCodeOrder) {
    auto s = polytest::make_sketch("lsh_partition", kD, kD, kBeta,
                                   {{"family", "simhash"}, {"bits", 4}, {"summary", "exact"}});
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 300, 2);
    polytest::feed(*s, st);
    const BucketView b = *s->view().buckets;
    ASSERT_EQ(b.hyperplanes.rows(), 4);
    for (Index i = 0; i < st.keys.rows(); ++i) {
        unsigned code = 0;
        for (int j = 0; j < 4; ++j) {
            if (b.hyperplanes.row(j).dot(st.keys.row(i)) >= 0.0f) code |= 1u << j;
        }
        const unsigned id = static_cast<unsigned>(b.bucket_of_token[i]);
        EXPECT_EQ(id ^ (id >> 1), code);  // Gray code of the id is the sign pattern
    }
    // Adjacent ids differ in exactly one hyperplane.
    for (unsigned id = 0; id + 1 < 16; ++id) {
        EXPECT_EQ(__builtin_popcount((id ^ (id >> 1)) ^ ((id + 1) ^ ((id + 1) >> 1))), 1);
    }
}

TEST(LshPartition, CapsAndShellsFollowTheirRules) {
    auto caps = polytest::make_sketch(
        "lsh_partition", kD, kD, kBeta,
        {{"family", "spherical_caps"}, {"caps", 4}, {"eta", 0.5}, {"summary", "exact"}});
    auto& lp = static_cast<LshPartitionSketch&>(*caps);
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 200, 3);
    polytest::feed(*caps, st);
    const BucketView b = *caps->view().buckets;
    for (Index i = 0; i < st.keys.rows(); ++i) {
        const int id = lp.bucket_of(st.keys.row(i).data());
        const Eigen::VectorXf k = st.keys.row(i).transpose().normalized();
        int expect = 4;
        for (int j = 0; j < 4; ++j) {
            if (b.hyperplanes.row(j).dot(k) >= 0.5f) {
                expect = j;
                break;
            }
        }
        EXPECT_EQ(id, expect);
    }
    auto shells = polytest::make_sketch("lsh_partition", kD, kD, kBeta,
                                        {{"family", "norm_shells"},
                                         {"shells", 4},
                                         {"shell_base", 1.0},
                                         {"shell_ratio", 2.0},
                                         {"summary", "exact"}});
    auto& sh = static_cast<LshPartitionSketch&>(*shells);
    const std::vector<std::pair<float, int>> cases = {{0.5f, 0}, {1.0f, 1}, {1.9f, 1},
                                                      {2.1f, 2}, {4.5f, 3}, {100.0f, 3}};
    for (const auto& [norm, id] : cases) {
        Eigen::VectorXf x = Eigen::VectorXf::Zero(kD);
        x[2] = norm;
        EXPECT_EQ(sh.bucket_of(x.data()), id) << norm;
    }
}

TEST(LshPartition, ExactSummariesGiveExactAttentionInLogSpace) {
    // Large logits (B = 8) check the log-space combination.
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(4.0), 600, 4);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(4.0), 32, 5);
    const MatrixD exact = polytest::exact_attention(st, Q, 0.5);
    for (const char* family : {"simhash", "spherical_caps", "norm_shells"}) {
        auto s = polytest::make_sketch("lsh_partition", kD, kD, 0.5,
                                       {{"family", family}, {"summary", "exact"}});
        polytest::feed(*s, st, 128);
        for (double e : polytest::rel_errors(*s, exact, Q))
            EXPECT_LT(e, 1e-9) << family;
        const SketchView v = s->view();
        const BucketView& b = *v.buckets;
        EXPECT_EQ(std::accumulate(b.counts.begin(), b.counts.end(), Index{0}), 600);
        const double share =
            std::accumulate(b.query_contribution.begin(), b.query_contribution.end(), 0.0);
        EXPECT_NEAR(share, 1.0, 1e-9);
        EXPECT_GE(b.collision_rate, 0.0);
        EXPECT_LE(b.collision_rate, 1.0);
        EXPECT_EQ(v.retained.size(), 600u);
    }
}

TEST(LshPartition, TaylorBucketsRecentreAndRescaleEachPart) {
    const polytest::Stream st = four_clouds(3000, 6);
    Rng rng(7);
    Matrix Q(128, kD);
    for (Index r = 0; r < Q.rows(); ++r)
        Q.row(r) = rng.on_sphere(kD, 2.0).transpose();
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    auto global =
        polytest::make_sketch("taylor", kD, kD, kBeta, {{"degree", 2}, {"recenter", "mean"}});
    auto parts = polytest::make_sketch(
        "lsh_partition", kD, kD, kBeta,
        {{"family", "simhash"}, {"bits", 6}, {"summary", "taylor"}, {"bucket_degree", 2}});
    polytest::feed(*global, st, 200);
    polytest::feed(*parts, st, 200);
    const double eg = polytest::mean_of(polytest::rel_errors(*global, exact, Q));
    const double ep = polytest::mean_of(polytest::rel_errors(*parts, exact, Q));
    RecordProperty("global_taylor_p2", std::to_string(eg));
    RecordProperty("lsh_taylor_p2", std::to_string(ep));
    EXPECT_LT(10.0 * ep, eg) << eg << " vs " << ep;
    const BucketView b = *parts->view().buckets;
    EXPECT_EQ(b.taylor_degree.size(), b.ids.size());
    for (double r : b.radii)
        EXPECT_LT(r, 2.0);  // parts are tight clouds or unions of few
}

TEST(LshPartition, SampledSummariesAreExactWhenTheBudgetCoversEachBucket) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 400, 8);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 16, 9);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    // reservoir: bucket_budget tokens per bucket; coreset: a merge-and-reduce tree of batch
    // bucket_batch per bucket (no halving before a bucket's buffer fills).
    const std::pair<const char*, const char*> knobs[] = {{"coreset", "bucket_batch"},
                                                         {"reservoir", "bucket_budget"}};
    for (const auto& [summary, knob] : knobs) {
        auto s = polytest::make_sketch("lsh_partition", kD, kD, kBeta,
                                       {{"summary", summary}, {knob, 401}});
        polytest::feed(*s, st);
        for (double e : polytest::rel_errors(*s, exact, Q))
            EXPECT_LT(e, 1e-9) << summary;
        auto small = polytest::make_sketch("lsh_partition", kD, kD, kBeta,
                                           {{"summary", summary}, {knob, 8}});
        polytest::feed(*small, st);
        // merge_reduce_retained(n_b, 8) <= 7 + 4 log2(n_b / 8) per bucket.
        EXPECT_LE(small->stats().retained, 8 * (std::string(summary) == "coreset" ? 7 + 4 * 6 : 8));
        EXPECT_LT(small->stats().retained, 400);
    }
}

// The coreset summary is the merge-and-reduce: one tree per bucket in view().merge_trees, the
// accuracy at equal memory against the uniform reservoir summary is recorded.
TEST(LshPartition, CoresetSummaryIsTheMergeAndReduce) {
    const polytest::Stream st = polytest::draw_stream("isotropic_ball", ball(), 8192, 81);
    const Matrix Q = polytest::draw_probes("isotropic_ball", ball(), 128, 82);
    const MatrixD exact = polytest::exact_attention(st, Q, kBeta);
    const nlohmann::json base = {{"family", "simhash"}, {"bits", 2}};
    double coreset_err = 0, reservoir_err = 0;
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        nlohmann::json pc = base;
        pc["summary"] = "coreset";
        pc["bucket_batch"] = 32;
        auto c = polytest::make_sketch("lsh_partition", kD, kD, kBeta, pc, seed);
        polytest::feed(*c, st);
        const SketchView v = c->view();
        ASSERT_TRUE(v.buckets.has_value());
        EXPECT_EQ(v.merge_trees.size(), v.buckets->ids.size());
        for (const auto& mt : v.merge_trees) {
            EXPECT_EQ(mt.buffer_capacity, 32);
            EXPECT_FALSE(mt.levels.empty()) << mt.label;
        }
        EXPECT_TRUE(v.merge_tree.has_value());
        // Equal memory: the reservoir's per-bucket budget from the coreset's floats
        // (coreset items cost d + d_v + 1 floats; reservoir tokens d + d_v plus one shared weight
        // per bucket; both add the 2 x d hyperplane floats).
        const double mem = c->stats().memory_floats;
        nlohmann::json pr = base;
        pr["summary"] = "reservoir";
        pr["bucket_budget"] = static_cast<int>((mem - 2 * kD - 4) / (4 * (kD + kD)));
        auto r = polytest::make_sketch("lsh_partition", kD, kD, kBeta, pr, seed);
        polytest::feed(*r, st);
        EXPECT_LE(r->stats().memory_floats, mem);
        coreset_err += polytest::mean_of(polytest::rel_errors(*c, exact, Q)) / 3;
        reservoir_err += polytest::mean_of(polytest::rel_errors(*r, exact, Q)) / 3;
    }
    std::printf("lsh coreset %.4g reservoir %.4g\n", coreset_err, reservoir_err);
    // Measured: coreset 18.8, reservoir 7.3 (rel_err is large because the values have zero
    // mean): per-bucket trees at 8192 tokens hold few items and do not beat the reservoir here.
    EXPECT_LT(coreset_err, 5.0 * reservoir_err);
}

TEST(LshPartition, RefusesOversizedTaylorSummariesAndBadParams) {
    try {
        polytest::make_sketch("lsh_partition", 64, 64, 0.125,
                              {{"summary", "taylor"}, {"bits", 8}, {"bucket_degree", 3}});
        FAIL();
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("lsh_partition"), std::string::npos) << msg;
        EXPECT_NE(msg.find("47905"), std::string::npos) << msg;
        EXPECT_NE(msg.find("256 summaries"), std::string::npos) << msg;
    }
    EXPECT_NO_THROW(polytest::make_sketch(
        "lsh_partition", 64, 64, 0.125,
        {{"summary", "taylor"}, {"bits", 8}, {"bucket_degree", 3}, {"max_floats", 1e10}}));
    EXPECT_THROW(polytest::make_sketch("lsh_partition", kD, kD, kBeta, {{"family", "minhash"}}),
                 std::invalid_argument);
    EXPECT_THROW(polytest::make_sketch("lsh_partition", kD, kD, kBeta, {{"bits", 17}}),
                 std::invalid_argument);
    EXPECT_THROW(polytest::make_sketch("lsh_partition", kD, kD, kBeta, {{"eta", 1.5}}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace kvscope
