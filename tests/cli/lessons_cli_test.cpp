// `kvscope lessons` in-process: the list with steps, --json, --check (0 when every claim holds;
// 1 naming the lesson and step when one fails; 2 for a bad lesson file), and the gui's
// --lesson/--step validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using nlohmann::json;

struct CliResult {
    int code;
    std::string out;
    std::string err;
};

CliResult cli(std::vector<std::string> args, const GuiLauncher& launcher = {}) {
    args.insert(args.begin(), "kvscope");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    std::ostringstream out, err;
    const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err, launcher);
    return {code, out.str(), err.str()};
}

fs::path temp_dir() {
    const fs::path dir =
        fs::temp_directory_path() / ("kvscope_lessons_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir;
}

/// A tiny lesson whose first step holds and whose second step's claim `holds` or not.
json tiny_lesson(bool second_holds) {
    json doc = json::parse(R"({
      "schema_version": 1, "title": "Tiny", "summary": "A tiny lesson for the command line tests.",
      "session": { "schema_version": 1, "seed": 3, "tokens": 256, "eval_every": 128,
                   "probe_queries": 8,
                   "source": { "id": "isotropic_ball", "params": { "dim": 4 } },
                   "sketches": [ { "id": "exact" }, { "id": "uniform", "params": { "budget": 32 } } ] },
      "steps": [
        { "title": "Holds", "narration": "n.", "position": 128,
          "claims": [ { "says": "exact is exact", "type": "value",
                        "a": { "sketch": "exact", "metric": "eps_fro" }, "op": "<", "value": 1e-9 } ] },
        { "title": "Second", "narration": "n.", "position": 256,
          "claims": [ { "says": "uniform keeps 32 tokens", "type": "value",
                        "a": { "sketch": "uniform", "metric": "retained_tokens" }, "op": "<=", "value": 32 } ] }
      ] })");
    if (!second_holds) doc["steps"][1]["claims"][0]["value"] = 16;
    return doc;
}

fs::path write_lesson(const json& doc, const std::string& name) {
    const fs::path file = temp_dir() / (name + ".json");
    std::ofstream(file) << doc.dump(2);
    return file;
}

TEST(LessonsCli, ListsEveryLessonWithItsSteps) {
    const CliResult r = cli({"lessons"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("01_problem"));
    EXPECT_THAT(r.out, HasSubstr("03_walk"));
    EXPECT_THAT(r.out, HasSubstr("    1. "));
    EXPECT_THAT(r.out, HasSubstr("gui --lesson"));
}

TEST(LessonsCli, JsonHasTwelveLessonsWithStepsAndClaims) {
    const CliResult r = cli({"lessons", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_TRUE(doc.is_array());
    EXPECT_GE(doc.size(), 12u);
    for (const auto& l : doc) {
        EXPECT_FALSE(l.at("title").get<std::string>().empty());
        ASSERT_FALSE(l.at("steps").empty()) << l.at("name");
        for (const auto& s : l.at("steps")) {
            EXPECT_GT(s.at("position").get<long long>(), 0);
            EXPECT_FALSE(s.at("claims").empty()) << l.at("name") << " " << s.at("title");
        }
    }
    const CliResult one = cli({"lessons", "--json", "12_practice"});
    ASSERT_EQ(one.code, 0) << one.err;
    const json practice = json::parse(one.out);
    ASSERT_EQ(practice.size(), 1u);
    EXPECT_THAT(practice[0].at("description").get<std::string>(), HasSubstr("sink"));
}

TEST(LessonsCli, CheckExitsZeroWhenEveryClaimHolds) {
    const fs::path file = write_lesson(tiny_lesson(true), "01_tiny");
    const CliResult r = cli({"lessons", "--check", file.string(), "--verbose"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("01_tiny step 2"));
    EXPECT_THAT(r.out, HasSubstr("every claim holds"));
    EXPECT_THAT(r.out, HasSubstr("[ok "));  // --verbose prints each claim with its margin
    EXPECT_EQ(r.err, "");
}

TEST(LessonsCli, CheckExitsOneNamingLessonAndStep) {
    const fs::path file = write_lesson(tiny_lesson(false), "02_broken");
    const CliResult r = cli({"lessons", "--check", file.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("lesson 02_broken step 2 ('Second')"));
    EXPECT_THAT(r.err, HasSubstr("uniform keeps 32 tokens"));
    EXPECT_THAT(r.err, Not(HasSubstr("step 1")));
    EXPECT_THAT(r.out, HasSubstr("FAILED"));
}

TEST(LessonsCli, CheckOfAShippedLessonHolds) {
    const CliResult r = cli({"lessons", "--check", "02_metrics"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("02_metrics: every claim holds"));
}

TEST(LessonsCli, BadLessonFileExitsTwoNamingFileStepAndKey) {
    json doc = tiny_lesson(true);
    doc["steps"][1]["claims"][0]["a"]["metric"] = "error";
    const fs::path file = write_lesson(doc, "03_bad");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"lessons", file.string()}, {"lessons", "--check", file.string()}}) {
        const CliResult r = cli(args);
        EXPECT_EQ(r.code, 2);
        EXPECT_THAT(r.err, HasSubstr("03_bad.json: step 2.claims[0].a.metric: 'error'"));
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

TEST(LessonsCli, UnknownLessonAndBadOptionsExitTwo) {
    EXPECT_EQ(cli({"lessons", "nope"}).code, 2);
    EXPECT_THAT(cli({"lessons", "nope"}).err, HasSubstr("01_problem"));  // lists what there is
    EXPECT_EQ(cli({"lessons", "--check", "--json"}).code, 2);
    EXPECT_EQ(cli({"lessons", "--dir", temp_dir().string() + "/empty_dir_that_is_not"}).code, 2);
}

TEST(LessonsCli, GuiValidatesLessonAndStep) {
    GuiRequest seen;
    auto launcher = [&seen](const GuiRequest& r, std::ostream&, std::ostream&) {
        seen = r;
        return 0;
    };
    CliResult r = cli({"gui", "--lesson", "walk", "--step", "2"}, launcher);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(seen.lesson, HasSubstr("03_walk.json"));
    EXPECT_EQ(seen.lesson_step, 2);
    r = cli({"gui", "--lesson", "3", "--frames", "2", "--screenshot", "x.png"}, launcher);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(seen.lesson_step, 0);  // the first step
    EXPECT_EQ(seen.frames, 2);
    EXPECT_EQ(cli({"gui", "--lesson", "walk", "--step", "99"}, launcher).code, 2);
    EXPECT_THAT(cli({"gui", "--lesson", "walk", "--step", "99"}, launcher).err,
                HasSubstr("steps 1 to"));
    EXPECT_EQ(cli({"gui", "--lesson", "nope"}, launcher).code, 2);
    EXPECT_EQ(cli({"gui", "--step", "2"}, launcher).code, 2);
    EXPECT_EQ(cli({"gui", "--lesson", "walk", "--step", "0"}, launcher).code, 2);
}

}  // namespace
}  // namespace kvscope
