// `kvscope run` on a config with a source sweep (issue 13): every sketch on every source
// instance, one metrics.csv whose rows equal the unswept runs of each instance (but for the
// source_params column), byte-identical reruns with timing off, the manifest's
// source_instances, the ranking printed per instance, `kvscope plot` on the swept CSV, and the
// all-heads preset on the shipped real-attention example.
#include "cli/cli.hpp"
#include "cli/cli_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/support/io_test_util.hpp"
#include "figure/run_table.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
namespace fs = std::filesystem;
using test::cli;
using test::CliResult;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

// Two sketch instances on isotropic_ball, timing off; `source` replaces the source entry.
json ball_run(const json& source) {
    return {
        {"schema_version", 1},
        {"seed", 5},
        {"tokens", 600},
        {"eval_every", 250},
        {"probe_queries", 8},
        {"timing", false},
        {"source", source},
        {"sketches", {{{"id", "exact"}}, {{"id", "uniform"}, {"sweep", {{"budget", {16, 64}}}}}}}};
}

CliResult run_config(const fs::path& dir, const std::string& name, const json& config) {
    std::ofstream(dir / (name + ".json")) << config.dump(2);
    return cli({"run", "-q", "--config", (dir / (name + ".json")).string(), "--out",
                (dir / name).string()});
}

const json kSweptSource = {
    {"id", "isotropic_ball"}, {"params", {{"dim", 4}}}, {"sweep", {{"radius", {0.5, 2}}}}};

TEST(SourceSweepRun, RowsEqualTheUnsweptRunsOfEachInstance) {
    const test::TempDir tmp;  // removed with the test
    const fs::path dir = tmp.file("");
    ASSERT_EQ(run_config(dir, "swept", ball_run(kSweptSource)).code, 0);
    std::vector<std::string> expected;
    for (const char* radius : {"0.5", "2"}) {
        const json fixed = {{"id", "isotropic_ball"},
                            {"params", {{"dim", 4}, {"radius", json::parse(radius)}}}};
        const CliResult r = run_config(dir, std::string("r") + radius, ball_run(fixed));
        ASSERT_EQ(r.code, 0) << r.err;
        const auto lines =
            lines_of(test::read_text(dir / (std::string("r") + radius) / "metrics.csv"));
        if (expected.empty()) expected.push_back(lines[0]);  // the header, once
        for (std::size_t i = 1; i < lines.size(); ++i) {
            // Fill the empty source_params (the fifth column) with the instance's label.
            auto fields = figure::split_csv_line(lines[i]);
            ASSERT_EQ(fields[4], "");
            fields[4] = std::string("radius=") + radius;
            std::string line;
            for (std::size_t f = 0; f < fields.size(); ++f)
                line += (f ? "," : "") + fields[f];
            expected.push_back(line);
        }
    }
    const auto swept = lines_of(test::read_text(dir / "swept" / "metrics.csv"));
    EXPECT_EQ(swept.size(), 1 + 2 * 3 * 3u);  // 2 radii x 3 sketches x evaluations 250, 500, 600
    EXPECT_EQ(swept, expected);
}

TEST(SourceSweepRun, TwoRunsAreByteIdentical) {
    const test::TempDir tmp;  // removed with the test
    const fs::path dir = tmp.file("");
    ASSERT_EQ(run_config(dir, "a", ball_run(kSweptSource)).code, 0);
    ASSERT_EQ(run_config(dir, "b", ball_run(kSweptSource)).code, 0);
    const std::string a = test::read_text(dir / "a" / "metrics.csv");
    EXPECT_GT(a.size(), 500u);
    EXPECT_EQ(a, test::read_text(dir / "b" / "metrics.csv"));
}

TEST(SourceSweepRun, ManifestListsTheSourceInstances) {
    const test::TempDir tmp;  // removed with the test
    const fs::path dir = tmp.file("");
    ASSERT_EQ(run_config(dir, "swept", ball_run(kSweptSource)).code, 0);
    const json m = json::parse(test::read_text(dir / "swept" / "manifest.json"));
    EXPECT_EQ(m.at("config").at("source").at("sweep"), kSweptSource.at("sweep"));
    EXPECT_FALSE(m.at("interrupted").get<bool>());
    EXPECT_EQ(m.at("source_instance_count"), 2);
    const json& inst = m.at("source_instances");
    ASSERT_EQ(inst.size(), 2u);
    EXPECT_EQ(inst[1].at("index"), 1);
    EXPECT_EQ(inst[1].at("label"), "radius=2");
    EXPECT_EQ(inst[1].at("source_params_resolved").at("radius"), 2.0);
    EXPECT_EQ(inst[0].at("source_params_resolved").at("radius"), 0.5);
    EXPECT_EQ(inst[1].at("dim"), 4);
    EXPECT_EQ(inst[1].at("tokens_seen"), 600);
    EXPECT_TRUE(inst[1].at("input_files").is_array());
    EXPECT_TRUE(inst[1].at("warnings").is_array());
    EXPECT_EQ(m.at("sketch_instances").size(), 3u);
    // An unswept run keeps its manifest as it was: no source_instances.
    const json fixed = {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}};
    ASSERT_EQ(run_config(dir, "fixed", ball_run(fixed)).code, 0);
    const json u = json::parse(test::read_text(dir / "fixed" / "manifest.json"));
    EXPECT_FALSE(u.contains("source_instances"));
    EXPECT_TRUE(u.contains("source_params_resolved"));
}

TEST(SourceSweepRun, PrintsOneRankingLinePerSourceInstance) {
    const test::TempDir tmp;  // removed with the test
    const fs::path dir = tmp.file("");
    std::ofstream(dir / "c.json") << ball_run(kSweptSource).dump();
    const CliResult r =
        cli({"run", "--config", (dir / "c.json").string(), "--out", (dir / "out").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Final rel_err_mean per source instance, sketches best first"));
    // uniform with budget 64 is more accurate than with 16 on 600 tokens at both radii.
    EXPECT_THAT(r.out, HasSubstr("radius=0.5: uniform budget=64 "));
    EXPECT_THAT(r.out, HasSubstr("radius=2: uniform budget=64 "));
    const auto line = r.out.substr(r.out.find("radius=2: "));
    EXPECT_LT(line.find("budget=64"), line.find("budget=16"));
    EXPECT_EQ(line.find("exact"), std::string::npos);
}

TEST(SourceSweepRun, PlotReadsASweptCsvWithOneSeriesPerSourceAndSketch) {
    const test::TempDir tmp;  // removed with the test
    const fs::path dir = tmp.file("");
    ASSERT_EQ(run_config(dir, "swept", ball_run(kSweptSource)).code, 0);
    const std::string csv = test::read_text(dir / "swept" / "metrics.csv");
    const figure::RunTable t = figure::table_from_csv(csv, "metrics.csv", "swept", 0);
    EXPECT_GE(t.text_column("source_params"), 0);
    EXPECT_LT(t.numeric_column("source_params"), 0);
    EXPECT_EQ(std::set<int>(t.instance.begin(), t.instance.end()).size(), 2 * 3u);
    const CliResult p =
        cli({"plot", "--run", (dir / "swept").string(), "--out", (dir / "swept.svg").string()});
    EXPECT_EQ(p.code, 0) << p.err;
    EXPECT_THAT(test::read_text(dir / "swept.svg"), HasSubstr("radius=2"));
}

TEST(SourceSweepRun, AllHeadsPresetRanksEverySketchOnEveryShippedHead) {
    const test::TempDir tmp;  // removed with the test
    const fs::path dir = tmp.file("");
    const fs::path preset =
        fs::path(KVSCOPE_SOURCE_DIR) / "assets" / "configs" / "real_attention_all_heads.json";
    const CliResult r = cli({"run", "--config", preset.string(), "--out", (dir / "out").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* label : {"layer=0;head=0: ", "layer=1;head=3: ", "layer=1;head=7: "})
        EXPECT_THAT(r.out, HasSubstr(label));
    const json m = json::parse(test::read_text(dir / "out" / "manifest.json"));
    EXPECT_EQ(m.at("config").at("source").at("sweep").at("head"), "all");
    ASSERT_EQ(m.at("source_instances").size(), 16u);
    for (const json& inst : m.at("source_instances")) {
        ASSERT_EQ(inst.at("input_files").size(), 3u);
        EXPECT_EQ(inst.at("input_files")[0].at("sha256").get<std::string>().size(), 64u);
        EXPECT_TRUE(inst.at("failed_sketches").empty());
    }
    const auto lines = lines_of(test::read_text(dir / "out" / "metrics.csv"));
    const std::size_t sketches = m.at("sketch_instances").size();
    EXPECT_EQ(lines.size(), 1 + 16 * sketches);  // eval_every = tokens: one row per instance
    // Error per head, one line per sketch, one plot per layer: source_params keys are columns.
    const fs::path svg = dir / "heads.svg";
    const CliResult p = cli({"plot", (dir / "out").string(), "--x", "head", "--by", "sketch",
                             "--facet", "layer", "--out", svg.string()});
    ASSERT_EQ(p.code, 0) << p.err;
    EXPECT_THAT(p.out, HasSubstr("eps_fro against head, 2 facets by layer"));
    const std::string doc = test::read_text(svg);
    EXPECT_THAT(doc, HasSubstr(">layer = 0<"));
    EXPECT_THAT(doc, HasSubstr(">layer = 1<"));
    EXPECT_THAT(doc, HasSubstr(">head<"));
}

}  // namespace
}  // namespace kvscope
