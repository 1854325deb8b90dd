// `kvscope plot` end to end in-process (app/cli/plot_command.hpp): a shipped config's run drawn
// as SVG (a well-formed document whose text stays text) and PNG (its size, and every sweep
// member's marker in its family's ramp colour); bad input exits 2 with one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stb_image.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/cli_runner.hpp"
#include "engine/support/io_test_util.hpp"
#include "figure/families.hpp"
#include "figure/run_table.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
namespace fs = std::filesystem;

using test::cli;
using test::CliResult;

// One run of a shipped config (shortened), shared by the tests of this file and removed at exit.
struct RunDir {
    fs::path dir = fs::temp_directory_path() / ("kvscope_plot_" + std::to_string(::getpid()));
    RunDir() {
        fs::remove_all(dir);
        fs::create_directories(dir);
        const std::string config =
            std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/discrepancy_vs_uniform.json";
        const CliResult r = cli(
            {"run", "--config", config, "--out", (dir / "run").string(), "--tokens", "8192", "-q"});
        EXPECT_EQ(r.code, 0) << r.err;
    }
    ~RunDir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

const fs::path& run_dir() {
    static const RunDir run;
    return run.dir;
}

// Tag nesting of an XML document: every element closed in order, one root <svg>.
bool well_formed(const std::string& xml, std::string& why) {
    std::vector<std::string> stack;
    std::size_t i = 0, roots = 0;
    while ((i = xml.find('<', i)) != std::string::npos) {
        const std::size_t end = xml.find('>', i);
        if (end == std::string::npos) return why = "unterminated tag", false;
        const std::string tag = xml.substr(i + 1, end - i - 1);
        i = end + 1;
        if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
        if (tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (stack.empty() || stack.back() != name)
                return why = "</" + name + "> closes " + (stack.empty() ? "nothing" : stack.back()),
                       false;
            stack.pop_back();
            continue;
        }
        const std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
        if (stack.empty()) ++roots;
        if (tag.back() != '/') stack.push_back(name);
    }
    if (!stack.empty()) return why = "<" + stack.back() + "> never closed", false;
    if (roots != 1) return why = std::to_string(roots) + " root elements", false;
    return true;
}

TEST(PlotCommand, SvgIsWellFormedWithTextAsText) {
    const fs::path svg = run_dir() / "fig.svg";
    const CliResult r = cli({"plot", "--run", (run_dir() / "run").string(), "--out", svg.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("balance_kv batch=512…4096  slope"));
    const std::string doc = test::read_text(svg);
    std::string why;
    EXPECT_TRUE(well_formed(doc, why)) << why;
    EXPECT_THAT(doc, HasSubstr("<svg"));
    EXPECT_THAT(doc, HasSubstr("width=\"960\""));
    EXPECT_THAT(doc, HasSubstr("height=\"600\""));
    EXPECT_THAT(doc, HasSubstr(">uniform budget=256…2048"));
    EXPECT_THAT(doc, HasSubstr(">memory (floats kept)<"));
    EXPECT_THAT(doc, HasSubstr("slope −1 (discrepancy)"));
}

TEST(PlotCommand, PngHasTheSizeAndEveryMemberInItsFamilyColour) {
    const fs::path png = run_dir() / "fig.png";
    const CliResult r =
        cli({"plot", (run_dir() / "run").string(), "--out", png.string(), "--scale", "2"});
    ASSERT_EQ(r.code, 0) << r.err;
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(png.string().c_str(), &w, &h, &n, 4);
    ASSERT_NE(px, nullptr);
    EXPECT_EQ(w, 1920);
    EXPECT_EQ(h, 1200);
    // The colours the figure gives each sketch instance, from the CSV itself.
    const auto table =
        figure::table_from_csv(test::read_text(run_dir() / "run" / "metrics.csv"), "m", "r", 0);
    const figure::Families fams = figure::group_families(figure::table_instances(table));
    ASSERT_EQ(fams.families.size(), 2u);
    for (const auto& fam : fams.families) {
        ASSERT_EQ(fam.members.size(), 4u) << fam.name;
        for (int id : fam.members) {
            const figure::Rgba c = fams.colour(id, figure::rgba(255, 255, 255));
            int count = 0;
            for (int i = 0; i < w * h; ++i) {
                const unsigned char* p = px + 4 * i;
                if (std::abs(p[0] - figure::red(c)) <= 3 &&
                    std::abs(p[1] - figure::green(c)) <= 3 && std::abs(p[2] - figure::blue(c)) <= 3)
                    ++count;
            }
            // A marker of radius 6 px at scale 2 covers about 100 pixels of its own colour.
            EXPECT_GE(count, 40) << fams.label(id);
        }
    }
    stbi_image_free(px);
}

TEST(PlotCommand, ErrorAgainstTokensWritesAFigure) {
    const fs::path png = run_dir() / "tokens.png";
    const CliResult r = cli({"plot", "--run", (run_dir() / "run").string(), "--x", "tokens",
                             "--metric", "rel_err_mean", "--out", png.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("rel_err_mean against tokens seen"));
    EXPECT_TRUE(fs::file_size(png) > 1000);
}

// Issue 17 item 5: theory overlays where they apply, at the B the run's manifest records.
TEST(PlotCommand, TheoryCurvesComeFromTheManifestsLogitBoundAndOnlyWhereTheyApply) {
    const fs::path run = run_dir() / "run";
    const json manifest = json::parse(test::read_text(run / "manifest.json"));
    ASSERT_TRUE(manifest.contains("logit_bound"));
    EXPECT_GT(manifest["logit_bound"]["B"].get<double>(), 0);
    const fs::path svg = run_dir() / "theory.svg";
    const CliResult r = cli({"plot", run.string(), "--out", svg.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("theory curves at n = "));
    EXPECT_THAT(test::read_text(svg), HasSubstr("theory (constants 1)"));
    const CliResult off = cli({"plot", run.string(), "--no-theory", "--out", svg.string()});
    ASSERT_EQ(off.code, 0) << off.err;
    EXPECT_THAT(off.out, Not(HasSubstr("theory curves")));
    EXPECT_THAT(test::read_text(svg), Not(HasSubstr("theory (constants 1)")));
    // mass_recall is bounded by none of the curves: none drawn, each named as not drawn.
    const CliResult recall =
        cli({"plot", run.string(), "--metric", "mass_recall", "--out", svg.string()});
    ASSERT_EQ(recall.code, 0) << recall.err;
    EXPECT_THAT(recall.out, HasSubstr("theory not drawn: "));
    EXPECT_THAT(test::read_text(svg), Not(HasSubstr("theory (constants 1)")));
    // A lone CSV has no manifest beside it: no B, no theory.
    fs::create_directories(run_dir() / "lone");
    fs::copy_file(run / "metrics.csv", run_dir() / "lone" / "m.csv",
                  fs::copy_options::overwrite_existing);
    const CliResult lone =
        cli({"plot", (run_dir() / "lone" / "m.csv").string(), "--out", svg.string()});
    ASSERT_EQ(lone.code, 0) << lone.err;
    EXPECT_THAT(lone.out, Not(HasSubstr("theory curves")));
}

TEST(PlotCommand, ByAndFacetColumnsAreCheckedWithOneLine) {
    const std::string run = (run_dir() / "run").string();
    const CliResult by = cli({"plot", "--run", run, "--by", "nope", "--out", "/tmp/x.svg"});
    EXPECT_EQ(by.code, 2);
    EXPECT_THAT(by.err, HasSubstr("--by nope: no such column"));
    const CliResult facet = cli({"plot", "--run", run, "--facet", "nope", "--out", "/tmp/x.svg"});
    EXPECT_EQ(facet.code, 2);
    EXPECT_THAT(facet.err, HasSubstr("--facet nope: no such column"));
    // Facets by sketch: one titled plot per sketch in one well-formed SVG.
    const fs::path svg = run_dir() / "facets.svg";
    const CliResult ok = cli({"plot", "--run", run, "--facet", "sketch", "--out", svg.string()});
    ASSERT_EQ(ok.code, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr("facets by sketch"));
    const std::string doc = test::read_text(svg);
    std::string why;
    EXPECT_TRUE(well_formed(doc, why)) << why;
    EXPECT_THAT(doc, HasSubstr(">sketch = uniform<"));
    EXPECT_THAT(doc, HasSubstr(">sketch = balance_kv<"));
}

TEST(PlotCommand, BadInputExitsTwoWithOneLine) {
    const std::string run = (run_dir() / "run").string();
    const auto one_line = [](const CliResult& r) {
        EXPECT_EQ(r.code, 2);
        EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
        return r.err;
    };
    EXPECT_THAT(one_line(cli({"plot", "--run", "/nonexistent", "--out", "/tmp/x.svg"})),
                HasSubstr("no metrics.csv at /nonexistent"));
    EXPECT_THAT(one_line(cli({"plot", "--run", run, "--metric", "nope", "--out", "/tmp/x.svg"})),
                HasSubstr("nope"));
    EXPECT_THAT(one_line(cli({"plot", "--run", run, "--out", "/tmp/x.jpg"})),
                HasSubstr(".svg or .png"));
    const fs::path bad = run_dir() / "bad.csv";
    std::ofstream(bad) << "instance,sketch,label,params,tokens_seen,memory_floats,eps_fro\n"
                       << "1,uniform,uniform,budget=8,64,17,0.5\n"
                       << "1,uniform,uniform,budget=8,128,17,x\n";
    EXPECT_THAT(one_line(cli({"plot", "--run", bad.string(), "--out", "/tmp/x.svg"})),
                HasSubstr("bad.csv:3: column 7 'eps_fro': 'x' is not a number"));
}

}  // namespace
}  // namespace kvscope
