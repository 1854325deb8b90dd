// Issue 14 acceptance: the streaming discrepancy sketches against uniform sampling at equal
// retained tokens, on the correlated AR(1) source and on every shipped real attention head, and
// the regression that the estimate can no longer blow up. Fixed seeds; every ratio is a mean
// over seeds and the margins are stated against the values measured on the seeds below
// (docs/discrepancy.md has the 8-seed tables from bench/discrepancy_study).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "engine/support/eval_util.hpp"

namespace kvscope::test {
namespace {

struct SeedMean {
    double rel = 0;       ///< mean over seeds of rel_err_mean
    double retained = 0;  ///< mean over seeds
    bool finite = true;
};

SeedMean run_mean(const std::string& id, const nlohmann::json& params, const TokenBatch& stream,
                  const Matrix& probes, const ExactAttention& exact, double beta, int seeds) {
    SeedMean r;
    const int d = static_cast<int>(stream.keys.cols());
    const int dv = static_cast<int>(stream.values.cols());
    for (int s = 0; s < seeds; ++s) {
        auto sk = make_sketch(id, params, d, dv, beta, 100 + s);
        feed(*sk, stream, stream.size());
        const EvalResult e = evaluate(*sk, exact, probes);
        r.finite = r.finite && std::isfinite(e.rel_err_mean);
        r.rel += e.rel_err_mean / seeds;
        r.retained += static_cast<double>(e.retained) / seeds;
    }
    return r;
}

// The sketch's mean error over uniform's at the sketch's (seed-mean) retained tokens.
double ratio_to_uniform(const std::string& id, const nlohmann::json& params,
                        const TokenBatch& stream, const Matrix& probes, double beta, int seeds) {
    const ExactAttention exact = exact_attention(stream, stream.size(), probes, beta);
    const SeedMean sk = run_mean(id, params, stream, probes, exact, beta, seeds);
    const Index budget = std::max<Index>(1, std::llround(sk.retained));
    const SeedMean uni =
        run_mean("uniform", {{"budget", budget}}, stream, probes, exact, beta, seeds);
    EXPECT_TRUE(sk.finite) << id << " " << params.dump();
    return sk.rel / uni.rel;
}

Matrix head_probes(int layer, int head) {
    const std::string dir = std::string(KVSCOPE_SOURCE_DIR) + "/assets/real/ppocr_v4_line/";
    auto src = make_source("file",
                           {{"keys", dir + "keys.npy"},
                            {"values", dir + "values.npy"},
                            {"queries", dir + "queries.npy"},
                            {"layer", layer},
                            {"head", head}},
                           7);
    return src->probe_queries(256, 7);
}

const double kHeadBeta = 1.0 / std::sqrt(15.0);

// AR(1) keys and values (rho = 0.95, d = 64, r = r_q = 8), 8,192 tokens, batch 2,048 (1,024
// retained): at most 0.6x uniform's error at 1,024 tokens. Measured 0.37 over these 3 seeds
// (0.38 over 8 in docs/discrepancy.md); random halving in the same tree (gamma = 0) measures
// about 1.0, so a broken walk fails the bound.
TEST(DiscrepancyVsUniform, BalanceKvOnAr1IsBelowSixTenthsOfUniform) {
    auto src =
        make_source("ar1", {{"dim", 64}, {"rho", 0.95}, {"radius", 8}, {"query_radius", 8}}, 11);
    const TokenBatch s = src->next(8192);
    const Matrix probes = src->probe_queries(256, 11);
    const double beta = 1.0 / 8.0;
    const double r = ratio_to_uniform("balance_kv", {{"batch", 2048}}, s, probes, beta, 3);
    std::printf("ar1 rho 0.95: balance_kv / uniform at 1024 tokens = %.3f\n", r);
    EXPECT_LE(r, 0.6);
    const double broken =
        ratio_to_uniform("balance_kv", {{"batch", 2048}, {"gamma", 0}}, s, probes, beta, 3);
    std::printf("  with gamma = 0 (random halving): %.3f\n", broken);
    EXPECT_GT(broken, 0.8);
}

// Every shipped real head (PP-OCRv4, n = 1,024, d = 15): balance_kv at batch 256 (128 tokens)
// against uniform at 128 tokens, 8 seeds. Each head at most 1.0x (measured 0.44-0.72). The sharp
// head L1H3 runs 32 seeds: its per-seed ratio spreads widely (median 0.84, worst 1.73 over 40
// seeds in docs/discrepancy.md), so 8 seeds measured 1.03 where 32 measure 0.92 (random halving
// 1.07 there). The geometric mean over heads at most 0.7 (measured 0.54). Random halving
// (gamma = 0) gives a geometric mean near 1 (measured 1.10).
TEST(DiscrepancyVsUniform, BalanceKvIsBelowUniformOnEveryRealHead) {
    double log_sum = 0, log_broken = 0;
    for (int layer = 0; layer < 2; ++layer) {
        for (int head = 0; head < 8; ++head) {
            const TokenBatch s = real_head(layer, head);
            const Matrix probes = head_probes(layer, head);
            const bool sharp = layer == 1 && head == 3;
            const int seeds = sharp ? 32 : 8;
            const double r =
                ratio_to_uniform("balance_kv", {{"batch", 256}}, s, probes, kHeadBeta, seeds);
            const double b = ratio_to_uniform("balance_kv", {{"batch", 256}, {"gamma", 0}}, s,
                                              probes, kHeadBeta, seeds);
            std::printf("L%dH%d: %.3f (gamma 0: %.3f)\n", layer, head, r, b);
            EXPECT_LE(r, 1.0) << "L" << layer << "H" << head;
            log_sum += std::log(r) / 16;
            log_broken += std::log(b) / 16;
        }
    }
    std::printf("geometric mean over heads %.3f (gamma 0: %.3f)\n", std::exp(log_sum),
                std::exp(log_broken));
    EXPECT_LE(std::exp(log_sum), 0.7);
    EXPECT_GT(std::exp(log_broken), 0.85);
}

// Regression (issue 14): the paper's separate numerator and denominator trees gave rel_err up to
// 1e16 on the sharp head at small batches (a denominator tree that lost the query's heavy keys).
// Every discrepancy and merge-and-reduce sketch in its default mode now stays within 3x uniform
// at equal retained tokens on every head at every batch from 4 to 256 (3 seeds; the worst
// measured is 2.67x, where both keep a handful of tokens), and every error is finite, the
// paper's estimator included.
TEST(DiscrepancyVsUniform, RegressionNoBlowUpOnRealHeadsAtAnyBatch) {
    const std::vector<std::pair<std::string, nlohmann::json>> sketches = {
        {"balance_kv", nlohmann::json::object()},
        {"balance_kv", {{"buckets", "value_norm"}}},
        {"merge_reduce", nlohmann::json::object()},
        {"weighted_merge_reduce", nlohmann::json::object()},
        {"weighted_merge_reduce", {{"weighting", "unit"}}},
    };
    double worst = 0;
    for (int layer = 0; layer < 2; ++layer) {
        for (int head = 0; head < 8; ++head) {
            const TokenBatch s = real_head(layer, head);
            const Matrix probes = head_probes(layer, head);
            for (const auto& [id, extra] : sketches) {
                for (int batch : {4, 16, 64, 256}) {
                    nlohmann::json p = extra;
                    p["batch"] = batch;
                    const double r = ratio_to_uniform(id, p, s, probes, kHeadBeta, 3);
                    worst = std::max(worst, r);
                    EXPECT_LE(r, 3.0) << id << " " << p.dump() << " L" << layer << "H" << head;
                }
            }
            const ExactAttention ex = exact_attention(s, s.size(), probes, kHeadBeta);
            for (int batch : {4, 8, 16}) {
                const SeedMean paper =
                    run_mean("balance_kv", {{"batch", batch}, {"algorithm", "paper"}}, s, probes,
                             ex, kHeadBeta, 2);
                EXPECT_TRUE(paper.finite) << "paper batch " << batch;
            }
        }
    }
    std::printf("worst ratio to uniform over heads, sketches and batches: %.3f\n", worst);
}

}  // namespace
}  // namespace kvscope::test
