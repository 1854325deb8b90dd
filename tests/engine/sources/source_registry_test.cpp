// Tests of the synthetic sources: the shared contract (every registered source) and one property
// check per regime (docs/algorithms.md 4.1). Seeds are fixed; margins are several standard errors
// wide.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "sources/source_registry.hpp"
#include "sources/token_source.hpp"

namespace kvscope {
namespace {

using nlohmann::json;

constexpr std::uint64_t kSeed = 20260607;

std::unique_ptr<TokenSource> make(const std::string& id, const json& params = json::object(),
                                  std::uint64_t seed = kSeed) {
    return make_source(id, params, seed);
}

bool all_finite(const Matrix& m) {
    return m.allFinite();
}

/// Concatenates two batches' rows.
Matrix stack(const Matrix& a, const Matrix& b) {
    Matrix out(a.rows() + b.rows(), a.cols());
    out << a, b;
    return out;
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return a.dot(b) / (a.norm() * b.norm());
}

Eigen::VectorXd row(const Matrix& m, Index r) {
    return m.row(r).transpose().cast<double>();
}

/// Exact softmax row p(q) over keys[0, n) with weight exp(beta <k, q>), in double.
std::vector<double> softmax_row(const Matrix& keys, Index n, const Eigen::VectorXd& q,
                                double beta) {
    std::vector<double> logit(n);
    double top = -INFINITY;
    for (Index i = 0; i < n; ++i) {
        logit[i] = beta * row(keys, i).dot(q);
        top = std::max(top, logit[i]);
    }
    double z = 0;
    for (auto& l : logit) {
        l = std::exp(l - top);
        z += l;
    }
    for (auto& l : logit)
        l /= z;
    return logit;
}

double default_beta(int dim) {
    return 1.0 / std::sqrt(static_cast<double>(dim));
}

// The synthetic sources: every registered source except `file`, which needs files on disk and
// has its own tests (tests/engine/sources/file_source_test.cpp).
std::vector<std::string> source_ids() {
    std::vector<std::string> ids;
    for (const auto& info : builtin_sources().all()) {
        if (info.id != "file") ids.push_back(info.id);
    }
    return ids;
}

// ---- The contract, for every registered source ----

TEST(SourceRegistry, HasEveryRegime) {
    const std::vector<std::string> expected = {"isotropic_ball",
                                               "large_norm",
                                               "clustered_offset",
                                               "drifting_clusters",
                                               "value_norm_spread",
                                               "heavy_hitters",
                                               "attention_sinks",
                                               "needle",
                                               "rope_rotation",
                                               "outlier_channels",
                                               "incompressible",
                                               "query_shift",
                                               "ar1"};
    for (const auto& id : expected)
        EXPECT_NE(builtin_sources().find(id), nullptr) << id;
    EXPECT_NE(builtin_sources().find("file"), nullptr);
    EXPECT_EQ(builtin_sources().all().size(), expected.size() + 1);  // + file
}

TEST(SourceRegistry, RequiredKeysExist) {
    auto has = [](const std::string& id, const std::string& key, ParamKind kind) {
        const ParamSpec* s = find_spec(builtin_sources().at(id, "source").params, key);
        return s != nullptr && s->kind == kind;
    };
    EXPECT_TRUE(has("clustered_offset", "clusters", ParamKind::Int));
    EXPECT_TRUE(has("clustered_offset", "offset", ParamKind::Float));
    EXPECT_TRUE(has("clustered_offset", "radius", ParamKind::Float));
    EXPECT_TRUE(has("attention_sinks", "sinks", ParamKind::Int));
    EXPECT_TRUE(has("needle", "needle_position", ParamKind::Int));
    EXPECT_TRUE(has("query_shift", "shift_at", ParamKind::Int));
    EXPECT_TRUE(has("rope_rotation", "base", ParamKind::Float));
    EXPECT_TRUE(has("outlier_channels", "outlier_count", ParamKind::Int));
    EXPECT_TRUE(has("outlier_channels", "outlier_scale", ParamKind::Float));
    EXPECT_TRUE(has("drifting_clusters", "drift", ParamKind::Float));
    EXPECT_TRUE(has("value_norm_spread", "sigma", ParamKind::Float));
    EXPECT_TRUE(has("heavy_hitters", "hitters", ParamKind::Int));
}

class SourceContract : public ::testing::TestWithParam<std::string> {};

TEST_P(SourceContract, SpecsAreWellFormed) {
    const SourceInfo& info = builtin_sources().at(GetParam(), "source");
    EXPECT_FALSE(info.name.empty());
    EXPECT_FALSE(info.summary.empty());
    const ParamSpec* dim = find_spec(info.params, "dim");
    ASSERT_NE(dim, nullptr);
    EXPECT_EQ(dim->kind, ParamKind::Int);
    EXPECT_EQ(dim->min, 1);
    EXPECT_EQ(dim->max, 1024);
    EXPECT_EQ(dim->default_number, 16);
    for (const auto& s : info.params) {
        SCOPED_TRACE(s.key);
        EXPECT_FALSE(s.label.empty());
        EXPECT_FALSE(s.help.empty());
        ASSERT_TRUE(s.is_numeric());
        EXPECT_LE(s.min, s.default_number);
        EXPECT_LE(s.default_number, s.max);
        if (s.kind == ParamKind::Int) {
            EXPECT_EQ(s.default_number, std::floor(s.default_number));
        }
        if (s.log_scale) {
            EXPECT_GT(s.min, 0);
        }
    }
}

TEST_P(SourceContract, DimsAndFiniteValues) {
    for (int dim : {16, 5, 1}) {
        SCOPED_TRACE(dim);
        auto src = make(GetParam(), {{"dim", dim}});
        EXPECT_EQ(src->dim(), dim);
        EXPECT_EQ(src->value_dim(), dim);
        EXPECT_FALSE(src->length().has_value());
        const TokenBatch a = src->next(300);
        const TokenBatch b = src->next(200);
        EXPECT_EQ(a.first_position, 0);
        EXPECT_EQ(b.first_position, 300);
        for (const TokenBatch* t : {&a, &b}) {
            EXPECT_EQ(t->queries.cols(), dim);
            EXPECT_EQ(t->keys.cols(), dim);
            EXPECT_EQ(t->values.cols(), dim);
            EXPECT_TRUE(all_finite(t->queries));
            EXPECT_TRUE(all_finite(t->keys));
            EXPECT_TRUE(all_finite(t->values));
        }
        EXPECT_EQ(a.size(), 300);
        EXPECT_EQ(b.size(), 200);
        const Matrix p = src->probe_queries(40, 7);
        EXPECT_EQ(p.rows(), 40);
        EXPECT_EQ(p.cols(), dim);
        EXPECT_TRUE(all_finite(p));
    }
}

TEST_P(SourceContract, ExtremeParametersStayFinite) {
    const SourceInfo& info = builtin_sources().at(GetParam(), "source");
    for (bool at_max : {false, true}) {
        SCOPED_TRACE(at_max ? "max" : "min");
        json params = json::object();
        for (const auto& s : info.params) {
            double v = at_max ? s.max : s.min;
            if (s.key == "dim") v = at_max ? 64 : 1;  // 1024 works too, but keeps the suite fast
            if (s.kind == ParamKind::Int) {
                params[s.key] = static_cast<long long>(v);
            } else {
                params[s.key] = v;
            }
        }
        auto src = make(GetParam(), params);
        const TokenBatch t = src->next(64);
        EXPECT_TRUE(all_finite(t.queries));
        EXPECT_TRUE(all_finite(t.keys));
        EXPECT_TRUE(all_finite(t.values));
        EXPECT_TRUE(all_finite(src->probe_queries(16, 3)));
    }
}

TEST_P(SourceContract, SameSeedGivesIdenticalTokensAndProbes) {
    auto a = make(GetParam());
    auto b = make(GetParam());
    const TokenBatch ta = a->next(2000);
    const TokenBatch tb = b->next(2000);
    EXPECT_EQ(ta.queries, tb.queries);
    EXPECT_EQ(ta.keys, tb.keys);
    EXPECT_EQ(ta.values, tb.values);
    EXPECT_EQ(a->probe_queries(32, 11), b->probe_queries(32, 11));
    EXPECT_NE(a->probe_queries(32, 11), a->probe_queries(32, 12));
}

TEST_P(SourceContract, ResetReplaysIdentically) {
    auto src = make(GetParam());
    const TokenBatch a = src->next(1200);
    const TokenBatch b = src->next(900);
    src->reset();
    const TokenBatch c = src->next(2100);
    EXPECT_EQ(c.first_position, 0);
    EXPECT_EQ(stack(a.queries, b.queries), c.queries);
    EXPECT_EQ(stack(a.keys, b.keys), c.keys);
    EXPECT_EQ(stack(a.values, b.values), c.values);
}

TEST_P(SourceContract, DifferentSeedGivesDifferentTokens) {
    auto a = make(GetParam(), json::object(), kSeed);
    auto b = make(GetParam(), json::object(), kSeed + 1);
    const TokenBatch ta = a->next(500);
    const TokenBatch tb = b->next(500);
    EXPECT_NE(ta.keys, tb.keys);
    EXPECT_NE(ta.queries, tb.queries);
    EXPECT_NE(ta.values, tb.values);
}

TEST_P(SourceContract, ProbesDoNotAdvanceTheStream) {
    auto a = make(GetParam());
    auto b = make(GetParam());
    const TokenBatch a1 = a->next(1100);
    const Matrix probes = a->probe_queries(64, 5);
    const TokenBatch a2 = a->next(1000);
    const TokenBatch whole = b->next(2100);
    EXPECT_EQ(stack(a1.keys, a2.keys), whole.keys);
    EXPECT_EQ(stack(a1.queries, a2.queries), whole.queries);
    EXPECT_EQ(stack(a1.values, a2.values), whole.values);
    EXPECT_EQ(probes, b->probe_queries(64, 5));
}

INSTANTIATE_TEST_SUITE_P(SourceAll, SourceContract, ::testing::ValuesIn(source_ids()),
                         [](const auto& test_info) { return test_info.param; });

// ---- One property per regime ----

TEST(SourceRegime, IsotropicAndLargeNormHaveExactNorms) {
    for (const auto& [id, radius] : {std::pair<std::string, double>{"isotropic_ball", 2.0},
                                     {"large_norm", 8.0},
                                     {"large_norm", 3.5}}) {
        SCOPED_TRACE(id);
        auto src = make(id, {{"radius", radius}});
        const TokenBatch t = src->next(500);
        for (Index i = 0; i < t.size(); ++i) {
            ASSERT_NEAR(row(t.keys, i).norm(), radius, 1e-5 * radius);
            ASSERT_NEAR(row(t.queries, i).norm(), radius, 1e-5 * radius);
        }
    }
    // The large_norm default is low temperature: B = beta r^2 = 16 at d = 16.
    const ParamSpec* r = find_spec(builtin_sources().at("large_norm", "source").params, "radius");
    EXPECT_NEAR(default_beta(16) * r->default_number * r->default_number, 16.0, 1e-9);
}

/// Mean key and max distance of keys from it.
std::pair<Eigen::VectorXd, double> mean_and_spread(const Matrix& keys) {
    Eigen::VectorXd mean = keys.cast<double>().colwise().mean().transpose();
    double spread = 0;
    for (Index i = 0; i < keys.rows(); ++i)
        spread = std::max(spread, (row(keys, i) - mean).norm());
    return {mean, spread};
}

TEST(SourceRegime, ClusteredOffsetMeanIsOffsetAndSpreadIsRadius) {
    // Tolerances: ||mean|| within 3% of offset (sampling error of the mean is ~0.01 radius);
    // max ||k - mean|| in [0.6, 1.1] radius (the construction bounds ||k - o|| by radius; in
    // d = 16 the largest observed is about 0.9 radius).
    for (const json& p : {json::object(), json{{"clusters", 3}, {"offset", 5.0}, {"radius", 2.0}},
                          json{{"clusters", 1}, {"offset", 20.0}, {"radius", 0.5}}}) {
        SCOPED_TRACE(p.dump());
        auto src = make("clustered_offset", p);
        const double offset = p.value("offset", 10.0);
        const double radius = p.value("radius", 1.0);
        const TokenBatch t = src->next(4000);
        const auto [mean, spread] = mean_and_spread(t.keys);
        EXPECT_NEAR(mean.norm(), offset, 0.03 * offset);
        EXPECT_LE(spread, 1.1 * radius);
        EXPECT_GE(spread, 0.6 * radius);
        // Queries have the requested norm.
        EXPECT_NEAR(row(t.queries, 17).norm(), 4.0, 1e-4);
    }
}

TEST(SourceRegime, ClusteredOffsetHasClusters) {
    // With 4 clusters and noise 0.1 every key is within 0.15 of one of 4 points: greedy
    // clustering of the first keys finds exactly 4 centres.
    auto src = make("clustered_offset", {{"clusters", 4}, {"noise", 0.1}, {"radius", 1.0}});
    const TokenBatch t = src->next(1000);
    std::vector<Eigen::VectorXd> centres;
    for (Index i = 0; i < t.size(); ++i) {
        const Eigen::VectorXd k = row(t.keys, i);
        bool near = false;
        for (const auto& c : centres)
            near = near || (k - c).norm() < 0.25;
        if (!near) centres.push_back(k);
    }
    EXPECT_EQ(centres.size(), 4u);
}

TEST(SourceRegime, DriftingCentresMove) {
    // Drift 0.002 per token: after 3500 tokens every centre is 7 away from where it started, far
    // beyond the initial key cloud (radius 1), so no late key is near any early key.
    auto min_distance = [](const json& p) {
        auto src = make("drifting_clusters", p);
        const TokenBatch t = src->next(4000);
        double best = INFINITY;
        for (Index late = 3500; late < 4000; late += 5)
            for (Index early = 0; early < 500; ++early)
                best = std::min(best, (row(t.keys, late) - row(t.keys, early)).norm());
        return best;
    };
    EXPECT_GT(min_distance(json::object()), 4.0);
    // Without drift the same layout keeps late keys next to early ones.
    EXPECT_LT(min_distance({{"drift", 0.0}}), 0.5);
}

double log_norm_std(const Matrix& values) {
    std::vector<double> logs;
    for (Index i = 0; i < values.rows(); ++i)
        logs.push_back(std::log(row(values, i).norm()));
    const double mean = std::accumulate(logs.begin(), logs.end(), 0.0) / logs.size();
    double var = 0;
    for (double l : logs)
        var += (l - mean) * (l - mean);
    return std::sqrt(var / (logs.size() - 1));
}

TEST(SourceRegime, ValueNormSpreadGrowsWithSigma) {
    double previous = -1;
    for (double sigma : {0.0, 0.5, 1.5, 3.0}) {
        SCOPED_TRACE(sigma);
        auto src = make("value_norm_spread", {{"sigma", sigma}});
        const TokenBatch t = src->next(4000);
        const double spread = log_norm_std(t.values);
        // Standard error of a 4000-sample std is ~1.1%; allow 8%.
        EXPECT_NEAR(spread, sigma, 0.08 * sigma + 1e-5);
        EXPECT_GT(spread, previous);
        previous = spread;
    }
}

/// Mean softmax mass per token over stream queries at positions [from, to) against all keys up
/// to the last query position.
std::vector<double> mean_mass(const TokenBatch& t, Index from, Index to, Index step, double beta) {
    std::vector<double> mass(to, 0.0);
    int count = 0;
    for (Index j = from; j < to; j += step) {
        const auto p = softmax_row(t.keys, to, row(t.queries, j), beta);
        for (Index i = 0; i < to; ++i)
            mass[i] += p[i];
        ++count;
    }
    for (auto& m : mass)
        m /= count;
    return mass;
}

TEST(SourceRegime, HeavyHittersTakeALargeShare) {
    const double beta = default_beta(16);
    auto src = make("heavy_hitters");
    const TokenBatch t = src->next(4096);
    const auto mass = mean_mass(t, 4000, 4096, 2, beta);
    // The mean query direction, estimated from the stream.
    const Eigen::VectorXd mu = t.queries.cast<double>().colwise().mean().transpose().normalized();
    std::vector<Index> aligned;
    for (Index i = 0; i < t.size(); ++i) {
        if (cosine(row(t.keys, i), mu) > 0.85) aligned.push_back(i);
    }
    ASSERT_EQ(aligned.size(), 8u);  // hitters have cosine 0.95; random keys ~ N(0, 1/16)
    double share = 0;
    for (Index i : aligned)
        share += mass[i];
    // Expected about 0.25; 8 uniform tokens would hold 0.002.
    EXPECT_GT(share, 0.1);
    // They are the 8 heaviest tokens.
    std::vector<Index> order(mass.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 8, order.end(),
                      [&](Index a, Index b) { return mass[a] > mass[b]; });
    std::vector<Index> top(order.begin(), order.begin() + 8);
    std::sort(top.begin(), top.end());
    EXPECT_EQ(top, aligned);
}

TEST(SourceRegime, AttentionSinksTakeMostOfTheMass) {
    const double beta = default_beta(16);
    for (int sinks : {4, 1}) {
        SCOPED_TRACE(sinks);
        auto src = make("attention_sinks", {{"sinks", sinks}});
        const TokenBatch t = src->next(2000);
        double share = 0;
        int count = 0;
        for (Index j = 1000; j < 2000; j += 20) {
            const auto p = softmax_row(t.keys, j + 1, row(t.queries, j), beta);
            share += std::accumulate(p.begin(), p.begin() + sinks, 0.0);
            ++count;
        }
        share /= count;
        // Expected about 0.9 for 4 sinks, 0.7 for 1 at these lengths.
        EXPECT_GT(share, 0.5);
        for (int i = 0; i < sinks; ++i)
            EXPECT_LT(row(t.values, i).norm(), 0.2);  // near-zero values
        EXPECT_GT(row(t.values, sinks).norm(), 1.0);
    }
    // No sinks: the first 4 tokens are ordinary.
    auto src = make("attention_sinks", {{"sinks", 0}});
    const TokenBatch t = src->next(2000);
    const auto p = softmax_row(t.keys, 2000, row(t.queries, 1999), beta);
    EXPECT_LT(std::accumulate(p.begin(), p.begin() + 4, 0.0), 0.05);
}

TEST(SourceRegime, NeedleGetsTheAimedProbesMass) {
    const double beta = default_beta(16);
    for (int position : {1024, 3000}) {
        SCOPED_TRACE(position);
        auto src = make("needle", {{"needle_position", position}});
        const TokenBatch t = src->next(4096);
        EXPECT_NEAR(row(t.values, position).norm(), 10.0, 1e-4);  // distinctive value
        const Matrix probes = src->probe_queries(40, 3);
        for (int r = 0; r < probes.rows(); ++r) {
            const auto p = softmax_row(t.keys, t.size(), row(probes, r), beta);
            const double needle_share = p[position];
            const double top_other = [&] {
                double m = 0;
                for (Index i = 0; i < t.size(); ++i)
                    if (i != position) m = std::max(m, p[i]);
                return m;
            }();
            if (r % 2 == 0) {
                // Aimed probes: expected about 0.95.
                EXPECT_GT(needle_share, 0.5) << r;
            } else {
                // Haystack probes barely see it; no single haystack token dominates either.
                EXPECT_LT(needle_share, 0.2) << r;  // observed below 0.06
                EXPECT_LT(top_other, 0.5) << r;
            }
        }
    }
}

TEST(SourceRegime, NeedleRecallQueries) {
    auto src = make("needle", {{"needle_position", 100}, {"recall_every", 50}});
    const TokenBatch t = src->next(400);
    const Eigen::VectorXd needle = row(t.keys, 100);
    for (Index j = 0; j < 400; ++j) {
        const double c = cosine(row(t.queries, j), needle);
        if (j > 100 && (j - 100) % 50 == 0) {
            EXPECT_GT(c, 0.9) << j;
        } else {
            EXPECT_LT(c, 0.9) << j;
        }
    }
}

TEST(SourceRegime, RopeRotationPreservesNormsAndDecorrelatesPositions) {
    // Defaults: norms are exactly the radius.
    {
        auto src = make("rope_rotation");
        const TokenBatch t = src->next(1000);
        for (Index i = 0; i < t.size(); ++i) {
            ASSERT_NEAR(row(t.keys, i).norm(), 4.0, 1e-4);
            ASSERT_NEAR(row(t.queries, i).norm(), 4.0, 1e-4);
        }
    }
    // One content, no noise: all that varies is the rotation.
    auto src = make("rope_rotation", {{"clusters", 1}, {"noise", 0.0}});
    const TokenBatch t = src->next(1600);
    const Eigen::VectorXd k0 = row(t.keys, 0);
    EXPECT_GT(cosine(k0, row(t.keys, 1)), 0.8);  // neighbours stay correlated
    double far = 0;
    int count = 0;
    for (Index s = 500; s < 1500; ++s) {
        far += cosine(k0, row(t.keys, s));
        ++count;
    }
    EXPECT_LT(far / count, 0.5);  // expected about 0.2 (only the slow pairs keep structure)
    // Relative position: <q_t, k_s> depends on t - s only.
    for (Index t0 : {10, 200, 777}) {
        const double a = row(t.queries, t0 + 40).dot(row(t.keys, t0));
        const double b = row(t.queries, t0 + 540).dot(row(t.keys, t0 + 500));
        EXPECT_NEAR(a, b, 1e-3 * 16.0);
    }
    // Without rotation frequencies beyond a trivial base the keys would not move: base 1 makes
    // every pair rotate by 1 rad per token, so even neighbours decorrelate in every pair.
    auto fast = make("rope_rotation", {{"clusters", 1}, {"noise", 0.0}, {"base", 1.0}});
    const TokenBatch f = fast->next(3);
    EXPECT_NEAR(cosine(row(f.keys, 0), row(f.keys, 1)), std::cos(1.0), 1e-4);
}

TEST(SourceRegime, OutlierChannelsAreScaledUp) {
    for (const auto& [count, scale] : {std::pair{2, 10.0}, std::pair{3, 25.0}}) {
        SCOPED_TRACE(count);
        auto src = make("outlier_channels", {{"outlier_count", count}, {"outlier_scale", scale}});
        const TokenBatch t = src->next(4000);
        std::vector<double> rms(16);
        for (int c = 0; c < 16; ++c)
            rms[c] = std::sqrt(t.keys.col(c).cast<double>().squaredNorm() / t.size());
        std::vector<double> sorted = rms;
        std::sort(sorted.rbegin(), sorted.rend());
        const double ordinary = sorted[count + (16 - count) / 2];  // median of the rest
        for (int i = 0; i < count; ++i)
            EXPECT_NEAR(sorted[i] / ordinary, scale, 0.15 * scale);
        EXPECT_LT(sorted[count] / ordinary, 1.2);  // the rest are ordinary
        // The outlier channels are constant across tokens: the first and second halves agree.
        for (int c = 0; c < 16; ++c) {
            const double first =
                std::sqrt(t.keys.col(c).head(2000).cast<double>().squaredNorm() / 2000);
            EXPECT_NEAR(first / rms[c], 1.0, 0.1);
        }
        // Values and queries have no outliers.
        for (int c = 0; c < 16; ++c) {
            const double v = std::sqrt(t.values.col(c).cast<double>().squaredNorm() / t.size());
            const double q = std::sqrt(t.queries.col(c).cast<double>().squaredNorm() / t.size());
            EXPECT_NEAR(v, 1.0, 0.1);
            EXPECT_NEAR(q, 1.0, 0.1);
        }
    }
}

/// Mean over coordinates of the lag-1 autocorrelation of the rows of `m`.
double lag1_correlation(const Matrix& m) {
    double sum = 0;
    for (Index c = 0; c < m.cols(); ++c) {
        const Eigen::VectorXd x = m.col(c).cast<double>();
        const Eigen::VectorXd y = x.array() - x.mean();
        sum += y.head(y.size() - 1).dot(y.tail(y.size() - 1)) / y.squaredNorm();
    }
    return sum / static_cast<double>(m.cols());
}

TEST(SourceRegime, Ar1NeighboursCorrelateAtRhoAndTheLawIsStationary) {
    for (const double rho : {0.0, 0.5, 0.95}) {
        SCOPED_TRACE(rho);
        auto src = make("ar1", {{"rho", rho}, {"radius", 3.0}, {"value_scale", 2.0}});
        const TokenBatch t = src->next(40000);
        // With rho = 0.95 a coordinate has about 40000 * 0.05 / 1.95 ~ 1000 effective samples;
        // over 16 coordinates the standard error of the mean correlation is below 0.01.
        EXPECT_NEAR(lag1_correlation(t.keys), rho, 0.03);
        EXPECT_NEAR(lag1_correlation(t.values), rho, 0.03);
        EXPECT_NEAR(lag1_correlation(t.queries), 0.0, 0.03);  // queries are i.i.d.
        // Stationary: both halves have per-coordinate std r / sqrt(d) = 0.75 (values: 2).
        for (const Index start : {Index{0}, Index{20000}}) {
            const auto keys = t.keys.middleRows(start, 20000).cast<double>();
            const auto values = t.values.middleRows(start, 20000).cast<double>();
            EXPECT_NEAR(std::sqrt(keys.squaredNorm() / (20000.0 * 16)), 0.75, 0.75 * 0.1);
            EXPECT_NEAR(std::sqrt(values.squaredNorm() / (20000.0 * 16)), 2.0, 2.0 * 0.1);
        }
    }
}

TEST(SourceRegime, IncompressibleKeysAreNearOrthogonalAndQueriesCopyKeys) {
    for (int dim : {16, 64}) {
        SCOPED_TRACE(dim);
        auto src = make("incompressible", {{"dim", dim}});
        const TokenBatch t = src->next(600);
        double sum_cos2 = 0;
        double max_cos = 0;
        int pairs = 0;
        for (Index i = 0; i < t.size(); ++i) {
            ASSERT_NEAR(row(t.keys, i).norm(), 8.0, 1e-4);
            for (Index j = i + 1; j < t.size(); ++j) {
                const double c = cosine(row(t.keys, i), row(t.keys, j));
                sum_cos2 += c * c;
                max_cos = std::max(max_cos, std::abs(c));
                ++pairs;
            }
        }
        // Random unit vectors: E cos^2 = 1/d exactly.
        EXPECT_NEAR(sum_cos2 / pairs * dim, 1.0, 0.1);
        if (dim == 64) {
            EXPECT_LT(max_cos, 0.75);
        }
        // Every query is a scaled copy of a key at or before its position.
        for (Index j = 0; j < 200; ++j) {
            bool found = false;
            for (Index s = 0; s <= j && !found; ++s)
                found = (t.queries.row(j) - t.keys.row(s)).norm() < 1e-4;
            ASSERT_TRUE(found) << j;
        }
    }
    // Probes: three in four copy a key of [0, probe_span).
    auto src = make("incompressible", {{"probe_span", 300}, {"query_scale", 2.0}});
    const TokenBatch t = src->next(300);
    const Matrix probes = src->probe_queries(40, 9);
    for (int r = 0; r < probes.rows(); ++r) {
        bool found = false;
        for (Index s = 0; s < t.size() && !found; ++s)
            found = (probes.row(r) - 2.0f * t.keys.row(s)).norm() < 1e-3;
        EXPECT_EQ(found, r % 4 != 3) << r;
    }
}

TEST(SourceRegime, QueryShiftChangesRegionAtShiftAt) {
    const Index shift = 500;
    auto src = make("query_shift", {{"shift_at", shift}});
    const TokenBatch t = src->next(1000);
    const Eigen::VectorXd before =
        t.queries.topRows(shift).cast<double>().colwise().mean().transpose();
    const Eigen::VectorXd after =
        t.queries.bottomRows(1000 - shift).cast<double>().colwise().mean().transpose();
    EXPECT_LT(std::abs(cosine(before, after)), 0.3);
    for (Index j = 0; j < t.size(); ++j) {
        const Eigen::VectorXd q = row(t.queries, j);
        if (j < shift) {
            ASSERT_GT(cosine(q, before), cosine(q, after)) << j;
        } else {
            ASSERT_LT(cosine(q, before), cosine(q, after)) << j;
        }
    }
    // Keys live in both regions, about half each.
    int in_after = 0;
    for (Index i = 0; i < t.size(); ++i)
        in_after += cosine(row(t.keys, i), after) > cosine(row(t.keys, i), before);
    EXPECT_NEAR(in_after, 500, 80);
    // Probes target the post-shift region.
    const Matrix probes = src->probe_queries(32, 4);
    for (int r = 0; r < probes.rows(); ++r)
        EXPECT_GT(cosine(row(probes, r), after), cosine(row(probes, r), before) + 0.3);
}

}  // namespace
}  // namespace kvscope
