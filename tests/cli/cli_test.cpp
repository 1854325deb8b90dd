// The command line in-process: run writes metrics.csv and manifest.json; list prints every
// source and sketch; bad input exits with code 2 and one line naming the problem.
#include "cli/cli.hpp"
#include "cli/cli_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "engine/support/io_test_util.hpp"
#include "session/session.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

using test::cli;
using test::CliResult;

fs::path temp_dir(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("kvscope_cli_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

TEST(Cli, RunWritesCsvAndManifest) {
    const fs::path dir = temp_dir("run");
    write(dir / "c.json", R"({"schema_version": 1, "seed": 9, "tokens": 1200, "eval_every": 500,
        "probe_queries": 8, "source": {"id": "isotropic_ball", "params": {"dim": 4}},
        "sketches": [{"id": "exact"}, {"id": "uniform", "sweep": {"budget": [8, 16]}}]})");
    const CliResult r =
        cli({"run", "--config", (dir / "c.json").string(), "--out", (dir / "out").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("rel_err"));
    EXPECT_THAT(r.out, HasSubstr("metrics.csv"));
    const std::string csv = test::read_text(dir / "out" / "metrics.csv");
    std::istringstream lines(csv);
    std::string header;
    std::getline(lines, header);
    EXPECT_EQ(header,
              "instance,sketch,label,params,source_params,seed,tokens_seen,retained_tokens,"
              "memory_floats,"
              "memory_bytes,compression,rel_err_mean,rel_err_max,eps_fro,eps_op,num_err,den_err,"
              "mass_recall,update_us,query_us");
    int rows = 0;
    for (std::string line; std::getline(lines, line);)
        ++rows;
    EXPECT_EQ(rows, 3 * 3);  // evaluations at 500, 1000, 1200
    const auto manifest = nlohmann::json::parse(test::read_text(dir / "out" / "manifest.json"));
    EXPECT_EQ(manifest["seed"], 9);
    EXPECT_EQ(manifest["config"]["tokens"], 1200);
    EXPECT_EQ(manifest["sketch_instances"].size(), 3u);
    EXPECT_TRUE(manifest["input_files"].is_array());
    EXPECT_EQ(manifest["columns"].size(), metric_columns().size());
}

TEST(Cli, BadInputExitsTwoWithOneLine) {
    const fs::path dir = temp_dir("bad");
    write(dir / "bad.json", R"({"schema_version": 1, "source": {"id": "isotropic_ball"},
        "sketches": [{"id": "uniform", "params": {"budget": 0}}]})");
    write(dir / "broken.json", "{ not json");
    const std::string out = (dir / "o").string();
    for (const auto& [file, needle] : std::vector<std::pair<std::string, std::string>>{
             {"bad.json", "'budget' = 0 is out of range"},
             {"broken.json", "not valid JSON"},
             {"missing.json", "cannot open config file"}}) {
        const CliResult r = cli({"run", "--config", (dir / file).string(), "--out", out});
        EXPECT_EQ(r.code, 2) << file;
        EXPECT_THAT(r.err, HasSubstr(needle)) << file;
        EXPECT_THAT(r.err, HasSubstr(file)) << "the message names the file";
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    // The Taylor refusal: exit 2 with the count and a lower degree suggested.
    const CliResult refusal = cli(
        {"run", "--config", std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/taylor_refusal.json",
         "--out", out});
    EXPECT_EQ(refusal.code, 2);
    EXPECT_THAT(refusal.err, HasSubstr("largest degree that fits is 3"));
    EXPECT_EQ(cli({"run", "--config"}).code, 2);
    EXPECT_EQ(cli({"frobnicate"}).code, 2);
}

TEST(Cli, ListShowsEverySourceAndSketch) {
    const CliResult text = cli({"list"});
    ASSERT_EQ(text.code, 0);
    const CliResult js = cli({"list", "--json"});
    ASSERT_EQ(js.code, 0);
    const auto doc = nlohmann::json::parse(js.out);
    EXPECT_EQ(doc["sketches"].size(), builtin_sketches().all().size());
    EXPECT_EQ(doc["sources"].size(), builtin_sources().all().size());
    for (const auto& s : builtin_sketches().all()) {
        EXPECT_THAT(text.out, HasSubstr(s.id));
        for (const auto& p : s.params)
            EXPECT_THAT(text.out, HasSubstr(p.key));
    }
    EXPECT_EQ(doc["sketches"][1]["params"][0]["key"], "budget");
}

TEST(Cli, VersionAndHelp) {
    EXPECT_THAT(cli({"--version"}).out, HasSubstr("kvscope"));
    EXPECT_THAT(cli({"--help"}).out, HasSubstr("run"));
}

}  // namespace
}  // namespace kvscope
