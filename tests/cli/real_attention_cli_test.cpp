// `kvscope run` on the two shipped real-attention configs (assets/real/ppocr_v4_line): it runs,
// the exact sketch is exact on the final rows, and the manifest records the three input files
// with the checksums of SHA256SUMS. The asset's own checks are
// tests/engine/acceptance/real_attention_asset_test.cpp.
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

#include "cli/cli.hpp"
#include "cli/cli_runner.hpp"
#include "engine/support/io_test_util.hpp"
#include "io/npy.hpp"

namespace kvscope {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const fs::path kAsset = fs::path(KVSCOPE_SOURCE_DIR) / "assets" / "real" / "ppocr_v4_line";

struct Asset {
    Index tokens = 0;
};

const Asset& asset() {
    static const Asset a = [] {
        Asset r;
        r.tokens = read_npy((kAsset / "keys.npy").string()).shape.at(2);
        return r;
    }();
    return a;
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

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::size_t column(const std::string& name) const {
        const auto it = std::find(header.begin(), header.end(), name);
        EXPECT_NE(it, header.end()) << name;
        return static_cast<std::size_t>(it - header.begin());
    }
};

CsvTable read_csv(const fs::path& path) {
    CsvTable t;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::stringstream ss(line);
        for (std::string f; std::getline(ss, f, ',');)
            fields.push_back(f);
        if (t.header.empty())
            t.header = std::move(fields);
        else
            t.rows.push_back(std::move(fields));
    }
    return t;
}

class RealAttentionConfig : public ::testing::TestWithParam<const char*> {};

TEST_P(RealAttentionConfig, KvscopeRunWorksOnTheShippedHeads) {
    test::TempDir dir;
    const std::string config =
        (fs::path(KVSCOPE_SOURCE_DIR) / "assets" / "configs" / GetParam()).string();
    std::vector<std::string> args = {"kvscope", "run",           "--config", config,
                                     "--out",   dir.file("out"), "--quiet"};
    std::vector<char*> argv;
    for (auto& s : args)
        argv.push_back(s.data());
    std::ostringstream out, err;
    ASSERT_EQ(run_cli(static_cast<int>(argv.size()), argv.data(), out, err), 0) << err.str();

    const CsvTable csv = read_csv(fs::path(dir.file("out")) / "metrics.csv");
    const std::size_t sketch = csv.column("sketch"), seen = csv.column("tokens_seen"),
                      rel = csv.column("rel_err_mean");
    int final_rows = 0;
    bool saw_exact = false;
    for (const auto& row : csv.rows) {
        if (std::stol(row[seen]) != asset().tokens) continue;
        ++final_rows;
        const double err_mean = std::stod(row[rel]);
        EXPECT_TRUE(std::isfinite(err_mean)) << row[sketch];
        if (row[sketch] == "exact") {
            saw_exact = true;
            EXPECT_LT(err_mean, 1e-5);
        }
    }
    EXPECT_TRUE(saw_exact);
    EXPECT_GE(final_rows, 2);

    std::ifstream in(fs::path(dir.file("out")) / "manifest.json");
    const json manifest = json::parse(in);
    const auto sums = checksums();
    for (const json& f : manifest["input_files"]) {
        const std::string name = fs::path(f["path"].get<std::string>()).filename().string();
        EXPECT_EQ(f["sha256"], sums.at(name)) << name;
    }
    EXPECT_EQ(manifest["input_files"].size(), 3u);
}

// Issue 13: a probe set of m queries (m != n, as published benchmark data comes) is used as the
// probe queries exactly; a probe set of the wrong width is bad input (exit 2, one line).
TEST(RealAttentionProbeSet, ProbeSetOfAnyLengthRunsAndIsCounted) {
    test::TempDir dir;
    const NdArray q = read_npy((kAsset / "queries.npy").string());  // [2, 8, n, 15]
    const Index n = q.shape[2], d = q.shape[3];
    const Index m = 200;
    std::vector<float> probes;
    const Index head_offset = (1 * q.shape[1] + 3) * n * d;  // layer 1, head 3
    for (Index i = 0; i < m * d; ++i)
        probes.push_back(q.data[static_cast<std::size_t>(head_offset + i)]);
    write_npy(dir.file("probes.npy"), {m, d}, probes);
    write_npy(dir.file("narrow.npy"), {m, d - 1},
              std::vector<float>(probes.begin(), probes.begin() + m * (d - 1)));

    auto config_with = [&](const std::string& probe_file, int probe_queries) {
        json c = {{"schema_version", 1},
                  {"seed", 3},
                  {"tokens", n},
                  {"eval_every", n},
                  {"probe_queries", probe_queries},
                  {"timing", false},
                  {"source",
                   {{"id", "file"},
                    {"params",
                     {{"keys", (kAsset / "keys.npy").string()},
                      {"values", (kAsset / "values.npy").string()},
                      {"queries", probe_file},
                      {"layer", 1},
                      {"head", 3}}}}},
                  {"sketches", {{{"id", "exact"}}, {{"id", "uniform"}}}}};
        const std::string path = dir.file("c" + std::to_string(probe_queries) + ".json");
        test::write_text(path, c.dump());
        return path;
    };
    for (const int asked : {256, 64}) {
        const std::string out = dir.file("out" + std::to_string(asked));
        const auto r = test::cli({"run", "--config", config_with(dir.file("probes.npy"), asked),
                                  "--out", out, "--quiet"});
        ASSERT_EQ(r.code, 0) << r.err;
        std::ifstream in(fs::path(out) / "manifest.json");
        const json manifest = json::parse(in);
        EXPECT_EQ(manifest["probe_count"], std::min<Index>(asked, m)) << asked;
        const CsvTable csv = read_csv(fs::path(out) / "metrics.csv");
        for (const auto& row : csv.rows) {
            const double err = std::stod(row[csv.column("rel_err_mean")]);
            EXPECT_TRUE(std::isfinite(err));
            if (row[csv.column("sketch")] == "exact") {
                EXPECT_LT(err, 1e-5);
            }
        }
    }
    const auto bad = test::cli({"run", "--config", config_with(dir.file("narrow.npy"), 256),
                                "--out", dir.file("bad"), "--quiet"});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("narrow.npy"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("dimension"), std::string::npos) << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

INSTANTIATE_TEST_SUITE_P(Configs, RealAttentionConfig,
                         ::testing::Values("real_attention_heads.json",
                                           "real_attention_broad_head.json"));

}  // namespace
}  // namespace kvscope
