// The shipped real-attention example (assets/real/ppocr_v4_line, made by
// scripts/real_attention/make_real_attention.sh): its files match SHA256SUMS, the engine's npy
// reader and `file` source load every head, the attention-output digest and the per-head
// statistics in provenance.json recompute from the arrays, the README's description of the heads
// (one sharp, fifteen broad, no sink) holds. `kvscope run` on the two shipped configs is
// tests/cli/real_attention_cli_test.cpp (this binary links the engine alone).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "engine/support/io_test_util.hpp"
#include "io/npy.hpp"
#include "io/sha256.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const fs::path kAsset = fs::path(KVSCOPE_SOURCE_DIR) / "assets" / "real" / "ppocr_v4_line";

// Both sides compute in float64 from the same half-precision inputs (exact in float and double);
// they differ only in summation order, a relative 1e-13 at n = 1,024. 1e-9 leaves a wide margin
// and still fails on a wrong head, a wrong row or beta rounded to float (a relative 1e-8).
constexpr double kRelTol = 1e-9;

json provenance() {
    std::ifstream in(kAsset / "provenance.json");
    return json::parse(in);
}

struct Asset {
    NdArray keys, values, queries;
    Index layers = 0, heads = 0, tokens = 0, dim = 0;
};

const Asset& asset() {
    static const Asset a = [] {
        Asset r;
        r.keys = read_npy((kAsset / "keys.npy").string());
        r.values = read_npy((kAsset / "values.npy").string());
        r.queries = read_npy((kAsset / "queries.npy").string());
        r.layers = r.keys.shape.at(0);
        r.heads = r.keys.shape.at(1);
        r.tokens = r.keys.shape.at(2);
        r.dim = r.keys.shape.at(3);
        return r;
    }();
    return a;
}

// The [tokens x dim] slice of one head as double.
MatrixD head_of(const NdArray& a, Index layer, Index head) {
    const Index n = a.shape[2], d = a.shape[3];
    const float* p = a.data.data() + (layer * a.shape[1] + head) * n * d;
    return Eigen::Map<const Matrix>(p, n, d).cast<double>();
}

double beta() {
    return 1.0 / std::sqrt(static_cast<double>(asset().dim));
}

// Softmax weights p_ij of every query row j (rows of the result) over the keys (columns), and
// each row's log-normaliser log sum_i exp(beta <k_i, q_j>).
struct Softmax {
    MatrixD logits, p;
    Eigen::VectorXd log_z;
};

Softmax softmax_of(const MatrixD& keys, const MatrixD& queries) {
    Softmax s;
    s.logits = beta() * queries * keys.transpose();
    s.p.resize(s.logits.rows(), s.logits.cols());
    s.log_z.resize(s.logits.rows());
    for (Index j = 0; j < s.logits.rows(); ++j) {
        const double m = s.logits.row(j).maxCoeff();
        s.p.row(j) = (s.logits.row(j).array() - m).exp().matrix();
        const double z = s.p.row(j).sum();
        s.p.row(j) /= z;
        s.log_z(j) = m + std::log(z);
    }
    return s;
}

void expect_near_rel(double actual, double expected, const std::string& what) {
    EXPECT_NEAR(actual, expected, kRelTol * std::max(1.0, std::abs(expected))) << what;
}

std::map<std::string, std::string> checksums() {
    std::map<std::string, std::string> sums;
    std::ifstream in(kAsset / "SHA256SUMS");
    for (std::string line; std::getline(in, line);) {
        const auto gap = line.find("  ");
        if (gap != std::string::npos) sums[line.substr(gap + 2)] = line.substr(0, gap);
    }
    return sums;
}

TEST(RealAttentionAsset, FilesMatchTheirChecksums) {
    const auto sums = checksums();
    for (const char* name : {"keys.npy", "values.npy", "queries.npy", "provenance.json"})
        EXPECT_EQ(sums.count(name), 1u) << name << " is not listed in SHA256SUMS";
    for (const auto& [name, sha] : sums)
        EXPECT_EQ(sha256_file((kAsset / name).string()).sha256, sha) << name;
}

TEST(RealAttentionAsset, ArraysHaveTheShapesTheProvenanceRecords) {
    const json p = provenance();
    const json& att = p["attention"];
    EXPECT_TRUE(p["verification"]["passed"].get<bool>());
    EXPECT_LE(p["verification"]["float32_max_rel_err"].get<double>(), 1e-4);
    EXPECT_TRUE(p["decoded_matches_rendered"].get<bool>());
    EXPECT_DOUBLE_EQ(att["beta"].get<double>(), beta());
    for (const auto* a : {&asset().keys, &asset().values, &asset().queries}) {
        EXPECT_EQ(a->shape, (std::vector<Index>{att["layers"], att["heads"], att["tokens"],
                                                att["head_dim"]}));
        EXPECT_EQ(a->dtype, "<f2");
        EXPECT_TRUE(
            std::all_of(a->data.begin(), a->data.end(), [](float x) { return std::isfinite(x); }));
    }
    EXPECT_EQ(p["arrays"]["keys"]["shape"].get<std::vector<Index>>(), asset().keys.shape);
}

TEST(RealAttentionAsset, FileSourceStreamsEveryHeadAsStored) {
    const Asset& a = asset();
    for (Index layer = 0; layer < a.layers; ++layer) {
        for (Index head = 0; head < a.heads; ++head) {
            auto src = make_source("file",
                                   {{"keys", (kAsset / "keys.npy").string()},
                                    {"values", (kAsset / "values.npy").string()},
                                    {"queries", (kAsset / "queries.npy").string()},
                                    {"layer", layer},
                                    {"head", head}},
                                   7);
            ASSERT_EQ(src->length().value_or(0), a.tokens);
            ASSERT_EQ(src->dim(), a.dim);
            const TokenBatch b = src->next(a.tokens);
            ASSERT_EQ(b.size(), a.tokens);
            EXPECT_EQ(b.keys.cast<double>(), head_of(a.keys, layer, head));
            EXPECT_EQ(b.values.cast<double>(), head_of(a.values, layer, head));
            EXPECT_EQ(b.queries.cast<double>(), head_of(a.queries, layer, head));
        }
    }
}

TEST(RealAttentionAsset, AttentionOutputDigestRecomputes) {
    const json p = provenance();
    const json& entries = p["digest"]["entries"];
    const auto rows = p["digest"]["rows"].get<std::vector<Index>>();
    const Asset& a = asset();
    ASSERT_EQ(entries.size(), static_cast<std::size_t>(a.layers * a.heads) * rows.size());
    for (const json& e : entries) {
        const Index layer = e["layer"], head = e["head"], row = e["row"];
        const MatrixD k = head_of(a.keys, layer, head), v = head_of(a.values, layer, head);
        const MatrixD q = head_of(a.queries, layer, head).row(row);
        const Softmax s = softmax_of(k, q);
        const Eigen::RowVectorXd out = s.p.row(0) * v;
        const std::string where = "layer " + std::to_string(layer) + " head " +
                                  std::to_string(head) + " row " + std::to_string(row);
        expect_near_rel(s.log_z(0), e["log_normalizer"], where);
        // Output coordinates can be near 0: compare against the scale of the values.
        const double scale = v.rowwise().norm().maxCoeff();
        const auto stored = e["output"].get<std::vector<double>>();
        ASSERT_EQ(static_cast<Index>(stored.size()), out.size()) << where;
        for (Index c = 0; c < out.size(); ++c)
            EXPECT_NEAR(out(c), stored[static_cast<std::size_t>(c)], kRelTol * scale) << where;
    }
}

struct HeadStats {
    double logit_std = 0, ess = 0, ess_min = 1, top16 = 0, max_share = 0;
    Index max_share_token = 0;
};

// The definitions of provenance.json's "statistics_definitions", over every query row.
HeadStats head_stats(const MatrixD& k, const MatrixD& q) {
    const Softmax s = softmax_of(k, q);
    const Index n = k.rows();
    HeadStats h;
    std::vector<double> row(static_cast<std::size_t>(n));
    for (Index j = 0; j < q.rows(); ++j) {
        const double mean = s.logits.row(j).mean();
        h.logit_std += std::sqrt((s.logits.row(j).array() - mean).square().mean());
        const double ess = 1.0 / s.p.row(j).squaredNorm() / static_cast<double>(n);
        h.ess += ess;
        h.ess_min = std::min(h.ess_min, ess);
        Eigen::Map<Eigen::RowVectorXd>(row.data(), n) = s.p.row(j);
        std::nth_element(row.begin(), row.end() - 16, row.end());
        for (auto it = row.end() - 16; it != row.end(); ++it)
            h.top16 += *it;
    }
    const double m = static_cast<double>(q.rows());
    h.logit_std /= m;
    h.ess /= m;
    h.top16 /= m;
    const Eigen::RowVectorXd share = s.p.colwise().mean();
    h.max_share = share.maxCoeff(&h.max_share_token);
    return h;
}

void expect_norms(const json& stored, const MatrixD& rows, const std::string& what) {
    const Eigen::VectorXd norms = rows.rowwise().norm();
    expect_near_rel(norms.mean(), stored["mean"], what + " mean");
    expect_near_rel(norms.minCoeff(), stored["min"], what + " min");
    expect_near_rel(norms.maxCoeff(), stored["max"], what + " max");
}

TEST(RealAttentionAsset, PerHeadStatisticsRecomputeAndDescribeTheHeads) {
    const json p = provenance();
    const Asset& a = asset();
    ASSERT_EQ(p["heads"].size(), static_cast<std::size_t>(a.layers * a.heads));
    int sharp = 0;
    for (const json& stored : p["heads"]) {
        const Index layer = stored["layer"], head = stored["head"];
        const std::string where =
            "layer " + std::to_string(layer) + " head " + std::to_string(head);
        const MatrixD k = head_of(a.keys, layer, head), q = head_of(a.queries, layer, head);
        const HeadStats h = head_stats(k, q);
        expect_near_rel(h.logit_std, stored["logit_std"], where + " logit_std");
        expect_near_rel(h.ess, stored["ess_fraction"], where + " ess_fraction");
        expect_near_rel(h.ess_min, stored["ess_fraction_min"], where + " ess_fraction_min");
        expect_near_rel(h.top16, stored["top16_mass"], where + " top16_mass");
        expect_near_rel(h.max_share, stored["max_mean_key_share"], where + " max share");
        EXPECT_EQ(h.max_share_token, stored["max_mean_key_share_token"].get<Index>()) << where;
        EXPECT_EQ(h.max_share >= 0.1, stored["sink"].get<bool>()) << where;
        expect_norms(stored["key_norm"], k, where + " key_norm");
        expect_norms(stored["query_norm"], q, where + " query_norm");
        expect_norms(stored["value_norm"], head_of(a.values, layer, head), where + " value_norm");

        // What the README says about these heads: one sharp head, the others broad, no sink.
        EXPECT_LT(h.max_share, 0.1) << where << " has an attention sink";
        if (stored["regime"] == "sharp") {
            ++sharp;
            EXPECT_LT(h.ess, 0.1) << where;
            EXPECT_GT(h.top16, 0.4) << where;
            EXPECT_GT(h.logit_std, 5.0) << where;
        } else {
            EXPECT_EQ(stored["regime"], "broad") << where;
            EXPECT_GE(h.ess, 0.3) << where;
            EXPECT_LT(h.logit_std, 1.2) << where;
        }
    }
    EXPECT_EQ(sharp, 1);
}

}  // namespace
}  // namespace kvscope
