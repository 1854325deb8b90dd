// Acceptance statistics of the discrepancy sketches (issue 3): on isotropic_ball with d = 16 and
// B = beta r^2 = 1, balance_kv's error falls faster with retained tokens than uniform's, and is
// well below it at ~1000-2000 retained tokens. Fixed seeds; margins far from the measured values.
#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include <fstream>

#include "engine/support/eval_util.hpp"
#include "sketches/balance_kv.hpp"

namespace kvscope::test {
namespace {

struct Curve {
    std::vector<double> retained, rel, fro;
};

Curve sweep(const std::string& id, const std::string& knob, const std::vector<int>& values,
            const nlohmann::json& extra, const TokenBatch& stream, Index n, const Matrix& probes,
            const ExactAttention& exact, int seeds) {
    Curve c;
    const double beta = 0.25;
    for (int v : values) {
        double rel = 0, fro = 0, ret = 0;
        for (int s = 0; s < seeds; ++s) {
            nlohmann::json p = extra;
            p[knob] = v;
            auto sk = make_sketch(id, p, 16, 16, beta, 1000 + s);
            feed(*sk, stream, n);
            const EvalResult r = evaluate(*sk, exact, probes);
            rel += r.rel_err_mean / seeds;
            fro += r.eps_fro_mean / seeds;
            ret += static_cast<double>(r.retained) / seeds;
        }
        c.retained.push_back(ret);
        c.rel.push_back(rel);
        c.fro.push_back(fro);
        std::printf("%-22s %s=%-5d retained=%7.0f rel_err=%.5f eps_fro=%.3e\n", id.c_str(),
                    knob.c_str(), v, ret, rel, fro);
    }
    return c;
}

void run_acceptance(Index n, const std::vector<int>& batches, int seeds, bool strict) {
    const TokenBatch stream = ball_stream(16, 2.0, n, 7);
    const Matrix probes = ball_probes(16, 2.0, 256, 7);
    const ExactAttention exact = exact_attention(stream, n, probes, 0.25);
    const Curve uni = sweep("uniform", "budget", {256, 512, 1024, 2048}, nlohmann::json::object(),
                            stream, n, probes, exact, seeds);
    const Curve bkv = sweep("balance_kv", "batch", batches, nlohmann::json::object(), stream, n,
                            probes, exact, seeds);
    const double su = loglog_slope(uni.retained, uni.rel);
    const double sb = loglog_slope(bkv.retained, bkv.rel);
    const double fu = loglog_slope(uni.retained, uni.fro);
    const double fb = loglog_slope(bkv.retained, bkv.fro);
    std::printf(
        "slopes rel_err: uniform %.3f balance_kv %.3f; eps_fro: uniform %.3f "
        "balance_kv %.3f\n",
        su, sb, fu, fb);
    // Error ratio at matched retained tokens in [1000, 2000] (uniform interpolated log-log).
    auto interp = [&](double x) {
        for (std::size_t i = 0; i + 1 < uni.retained.size(); ++i) {
            if (x <= uni.retained[i + 1] || i + 2 == uni.retained.size()) {
                const double t =
                    std::log(x / uni.retained[i]) / std::log(uni.retained[i + 1] / uni.retained[i]);
                return std::exp(std::log(uni.rel[i]) +
                                t * (std::log(uni.rel[i + 1]) - std::log(uni.rel[i])));
            }
        }
        return uni.rel.back();
    };
    double worst_ratio = 0;
    for (std::size_t i = 0; i < bkv.retained.size(); ++i) {
        if (bkv.retained[i] < 900 || bkv.retained[i] > 2300) continue;
        const double ratio = bkv.rel[i] / interp(bkv.retained[i]);
        std::printf("ratio at %.0f retained: %.3f\n", bkv.retained[i], ratio);
        worst_ratio = std::max(worst_ratio, ratio);
    }
    if (strict) {
        EXPECT_LE(sb, su - 0.2);
        EXPECT_LE(fb, fu - 0.2);
        EXPECT_GT(worst_ratio, 0.0);
        EXPECT_LE(worst_ratio, 0.7);
    }
}

// The acceptance run itself (32768 tokens, 3 seeds per point). Since issue 14 the default
// balance_kv is one exact-half tree: 32768 / t is a power of two, so batch t keeps t / 2 tokens
// and batches 512..4096 span 256..2048 retained, as uniform's budgets do.
TEST(DiscrepancyAcceptance, BalanceKvBeatsUniformOnIsotropicBall) {
    run_acceptance(32768, {512, 1024, 2048, 4096}, 3, true);
}

// The theory-constant walk never FAILs on the shipped walk-modes config's stream and batches.
TEST(DiscrepancyAcceptance, TheoryConstantsNeverFailOnTheShippedStream) {
    const TokenBatch stream = ball_stream(16, 2.0, 32768, 7);
    for (int batch : {64, 128, 256, 512}) {
        auto sk = make_sketch("balance_kv", {{"batch", batch}, {"mode", "theory"}}, 16, 16, 0.25,
                              derive_seed(7, "balance_kv"));
        feed(*sk, stream, 32768);
        const auto& bkv = dynamic_cast<const BalanceKvSketch&>(*sk);
        EXPECT_GT(bkv.numerator().halvings(), 0);
        EXPECT_EQ(bkv.numerator().fail_events() + bkv.denominator().fail_events(), 0)
            << "batch " << batch;
    }
}

// The shipped configs name registered sketches with valid parameters (every swept value too),
// and the acceptance config leaves everything but `batch` / `budget` at its default.
TEST(DiscrepancyAcceptance, ShippedConfigsAreValid) {
    for (const char* name : {"discrepancy_vs_uniform.json", "discrepancy_walk_modes.json"}) {
        std::ifstream in(std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/" + name);
        ASSERT_TRUE(in) << name;
        const nlohmann::json cfg = nlohmann::json::parse(in);
        EXPECT_EQ(cfg.at("schema_version"), 1);
        for (const auto& sk : cfg.at("sketches")) {
            const SketchInfo& info = builtin_sketches().at(sk.at("id"), "sketch");
            const nlohmann::json base = sk.value("params", nlohmann::json::object());
            if (sk.contains("sweep")) {
                for (const auto& [key, values] : sk.at("sweep").items()) {
                    for (const auto& v : values) {
                        nlohmann::json p = base;
                        p[key] = v;
                        EXPECT_NO_THROW(ParamSet::from_json(info.params, p, name)) << p.dump();
                    }
                }
            } else {
                EXPECT_NO_THROW(ParamSet::from_json(info.params, base, name));
            }
            if (std::string(name) == "discrepancy_vs_uniform.json") {
                EXPECT_TRUE(base.empty());
            }
        }
    }
}

}  // namespace
}  // namespace kvscope::test

namespace kvscope::test {
namespace {
// Exploration helper: KV_EXPLORE='id|knob|v1,v2|{"json":1}|tokens|seeds'.
TEST(DiscrepancyAcceptance, DISABLED_Explore) {
    const char* env = std::getenv("KV_EXPLORE");
    if (!env) GTEST_SKIP();
    std::string s(env);
    std::vector<std::string> f;
    std::size_t a = 0, b;
    while ((b = s.find('|', a)) != std::string::npos) {
        f.push_back(s.substr(a, b - a));
        a = b + 1;
    }
    f.push_back(s.substr(a));
    std::vector<int> vals;
    std::size_t c = 0, e;
    while ((e = f[2].find(',', c)) != std::string::npos) {
        vals.push_back(std::stoi(f[2].substr(c, e - c)));
        c = e + 1;
    }
    vals.push_back(std::stoi(f[2].substr(c)));
    const Index n = std::stoll(f[4]);
    const TokenBatch stream = ball_stream(16, 2.0, n, 7);
    const Matrix probes = ball_probes(16, 2.0, 256, 7);
    const ExactAttention exact = exact_attention(stream, n, probes, 0.25);
    const Curve cv = sweep(f[0], f[1], vals, nlohmann::json::parse(f[3]), stream, n, probes, exact,
                           std::stoi(f[5]));
    std::printf("slope rel %.3f fro %.3f\n", loglog_slope(cv.retained, cv.rel),
                loglog_slope(cv.retained, cv.fro));
}
}  // namespace
}  // namespace kvscope::test

namespace kvscope::test {
namespace {

// Every discrepancy sketch with default parameters on odd shapes (d = 1, d_v = 1; d = 3, d_v = 5):
// append, estimate, view, stats, reset, NaN rejection.
TEST(DiscrepancySketches, ContractSmokeOnOddShapes) {
    for (const char* id :
         {"merge_reduce", "weighted_merge_reduce", "balance_kv", "balance_kv_reference"}) {
        for (auto [d, dv] : {std::pair{1, 1}, std::pair{3, 5}}) {
            auto sk = make_sketch(id, nlohmann::json::object(), d, dv, 0.5, 3);
            Rng rng(1);
            const Index n = 5000;
            Matrix q(n, d), k(n, d), v(n, dv);
            for (Index i = 0; i < n; ++i) {
                for (int c = 0; c < d; ++c) {
                    q(i, c) = static_cast<float>(rng.normal());
                    k(i, c) = static_cast<float>(rng.normal());
                }
                for (int c = 0; c < dv; ++c)
                    v(i, c) = static_cast<float>(rng.normal());
            }
            sk->append(TokenBlock(q, k, v, 0));
            const Matrix probes = q.topRows(4);
            const Eigen::MatrixXd z = sk->estimate_many(probes).output();
            EXPECT_TRUE(z.allFinite()) << id;
            EXPECT_EQ(sk->stats().seen, n) << id;
            EXPECT_GT(sk->stats().retained, 0) << id;
            EXPECT_LT(sk->stats().retained, n) << id;
            EXPECT_FALSE(sk->view().retained.empty()) << id;
            Matrix bad = k.topRows(2);
            bad(1, 0) = std::numeric_limits<float>::quiet_NaN();
            const Index before = sk->stats().seen;
            EXPECT_THROW(sk->append(TokenBlock(q.topRows(2), bad, v.topRows(2), n)),
                         std::invalid_argument);
            EXPECT_EQ(sk->stats().seen, before) << id;
            sk->reset();
            EXPECT_EQ(sk->stats().retained, 0) << id;
            EXPECT_TRUE(sk->estimate_many(probes).den.isZero()) << id;
        }
    }
}

}  // namespace
}  // namespace kvscope::test
