// The lesson parser and validator: a good lesson loads with its scenes, and every bad one gives
// one std::invalid_argument naming the file, the step and the key (docs/lessons.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>

#include "lessons/lesson_check.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

json good_lesson() {
    return json::parse(R"({
      "schema_version": 1, "title": "Tiny", "summary": "A tiny lesson for the parser tests.",
      "session": { "schema_version": 1, "seed": 3, "tokens": 512, "eval_every": 128,
                   "probe_queries": 16,
                   "source": { "id": "isotropic_ball", "params": { "dim": 4 } },
                   "sketches": [ { "id": "exact" }, { "id": "uniform", "params": { "budget": 64 } },
                                 { "id": "uniform", "label": "sweep",
                                   "sweep": { "budget": [16, 32, 128] } } ] },
      "steps": [
        { "title": "One", "narration": "First.", "position": 256,
          "view": { "sketch": "uniform", "metric": "eps_fro", "tab": "coreset" },
          "markers": [ { "event": "budget_full", "sketch": "uniform" }, { "at": 100, "label": "here" } ],
          "claims": [ { "says": "exact is exact", "type": "value",
                        "a": { "sketch": "exact", "metric": "eps_fro" }, "op": "<", "value": 1e-9 } ] },
        { "title": "Two", "narration": "Second.", "position": 512,
          "edits": [ { "sketch": "uniform", "params": { "budget": 32 } }, { "source": { "radius": 1 } } ],
          "claims": [ { "says": "sampling error falls with memory", "type": "slope",
                        "series": { "over": "sketches", "sketch": "sweep", "x": "memory_floats",
                                    "y": "eps_fro" }, "in": [-2, 0] },
                      { "says": "uniform's memory holds still", "type": "trend",
                        "series": { "over": "time", "sketch": "exact", "y": "retained_tokens",
                                    "from": 128, "to": 512 }, "direction": "increasing" } ] }
      ] })");
}

fs::path write_temp(const json& doc, const std::string& name, const std::string& sub = "") {
    const fs::path dir =
        fs::temp_directory_path() / ("kvscope_lessons_" + std::to_string(::getpid())) / sub;
    fs::create_directories(dir);
    const fs::path file = dir / (name + ".json");
    std::ofstream(file) << doc.dump(2);
    return file;
}

/// The message of loading `doc` as a file, or "" when it loads.
std::string load_error(const json& doc) {
    const fs::path file = write_temp(doc, "99_bad");
    try {
        load_lesson(file);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TEST(LessonParse, GoodLessonLoadsWithItsScenes) {
    const Lesson l = load_lesson(write_temp(good_lesson(), "01_tiny"));
    EXPECT_EQ(l.name, "01_tiny");
    ASSERT_EQ(l.steps.size(), 2u);
    EXPECT_EQ(l.steps[0].view.metric, "eps_fro");
    const auto scenes = step_configs(l);
    ASSERT_EQ(scenes.size(), 2u);
    EXPECT_EQ(scenes[0].sketches[1].params.at("budget"), 64);
    EXPECT_EQ(scenes[1].sketches[1].params.at("budget"), 32);
    EXPECT_EQ(scenes[1].source_params.at("radius"), 1);
    // The edited sketch keeps the seed it had before the edit (as an explorer edit does).
    EXPECT_EQ(expand_sketches(scenes[1])[1].seed, expand_sketches(scenes[0])[1].seed);
    EXPECT_NE(step_configs(l, 99)[1].seed, scenes[1].seed);
}

TEST(LessonParse, GoodLessonChecksAndReportsMargins) {
    const Lesson l = load_lesson(write_temp(good_lesson(), "01_tiny"));
    const LessonCheck c = check_lesson(l);
    ASSERT_TRUE(c.ok()) << (c.first_failure() ? c.first_failure()->title : "");
    EXPECT_GT(c.steps[0].claims[0].result.margin, 1.0);
    EXPECT_THAT(c.steps[1].claims[0].result.measured, HasSubstr("slope"));
}

struct BadCase {
    std::string what;
    std::function<void(json&)> edit;
    std::string where;    // the step and key named
    std::string problem;  // a word of the problem
};

TEST(LessonParse, EveryErrorNamesFileStepAndKey) {
    const std::vector<BadCase> cases = {
        {"unknown top key", [](json& d) { d["titel"] = "x"; }, "lesson.titel", "unknown key"},
        {"no steps", [](json& d) { d["steps"] = json::array(); }, "steps", "non-empty"},
        {"bad session", [](json& d) { d["session"]["tokens"] = 0; }, "session", "tokens"},
        {"missing narration", [](json& d) { d["steps"][1].erase("narration"); }, "step 2.narration",
         "missing"},
        {"unknown step key", [](json& d) { d["steps"][0]["positon"] = 3; }, "step 1.positon",
         "unknown key"},
        {"position beyond stream", [](json& d) { d["steps"][1]["position"] = 4096; },
         "step 2.position", "beyond"},
        {"view label", [](json& d) { d["steps"][0]["view"]["sketch"] = "h2o"; },
         "step 1.view.sketch", "h2o"},
        {"view metric", [](json& d) { d["steps"][0]["view"]["metric"] = "eps"; },
         "step 1.view.metric", "eps"},
        {"view tab", [](json& d) { d["steps"][0]["view"]["tab"] = "quant"; }, "step 1.view.tab",
         "quant"},
        {"edit label", [](json& d) { d["steps"][1]["edits"][0]["sketch"] = "nope"; },
         "step 2.edits[0].sketch", "nope"},
        {"edit of a sweep", [](json& d) { d["steps"][1]["edits"][0]["sketch"] = "sweep"; },
         "step 2.edits[0].sketch", "sweep"},
        {"edit param range", [](json& d) { d["steps"][1]["edits"][0]["params"]["budget"] = 0; },
         "step 2.edits[0].params", "budget"},
        {"source edit key",
         [](json& d) {
             d["steps"][1]["edits"][1]["source"] = {{"radios", 1}};
         },
         "step 2.edits[1].source", "radios"},
        {"marker kind", [](json& d) { d["steps"][0]["markers"][0]["event"] = "carry"; },
         "step 1.markers[0].event", "carry"},
        {"marker needs sketch", [](json& d) { d["steps"][0]["markers"][0].erase("sketch"); },
         "step 1.markers[0].sketch", "sketch"},
        {"claim type", [](json& d) { d["steps"][0]["claims"][0]["type"] = "less"; },
         "step 1.claims[0].type", "less"},
        {"claim without says", [](json& d) { d["steps"][0]["claims"][0].erase("says"); },
         "step 1.claims[0].says", "missing"},
        {"claim metric", [](json& d) { d["steps"][0]["claims"][0]["a"]["metric"] = "err"; },
         "step 1.claims[0].a.metric", "err"},
        {"claim label", [](json& d) { d["steps"][0]["claims"][0]["a"]["sketch"] = "h2o"; },
         "step 1.claims[0].a.sketch", "h2o"},
        {"claim op", [](json& d) { d["steps"][0]["claims"][0]["op"] = "=="; },
         "step 1.claims[0].op", "=="},
        {"claim at not an eval point", [](json& d) { d["steps"][0]["claims"][0]["a"]["at"] = 100; },
         "step 1.claims[0].a.at", "evaluation point"},
        {"claim at after position", [](json& d) { d["steps"][0]["claims"][0]["a"]["at"] = 384; },
         "step 1.claims[0].a.at", "after"},
        {"claim picks a sweep",
         [](json& d) { d["steps"][0]["claims"][0]["a"]["sketch"] = "sweep"; },
         "step 1.claims[0].a.params", "instances"},
        {"claim view name",
         [](json& d) {
             d["steps"][0]["claims"][0]["a"] = {{"sketch", "uniform"}, {"view", "levls"}};
         },
         "step 1.claims[0].a.view", "levls"},
        {"series needs two",
         [](json& d) { d["steps"][1]["claims"][0]["series"]["sketch"] = "uniform"; },
         "step 2.claims[0].series", "two instances"},
        {"slope range",
         [](json& d) {
             d["steps"][1]["claims"][0]["in"] = {0, -1};
         },
         "step 2.claims[0].in", "lo exceeds hi"},
        {"time series of a view",
         [](json& d) { d["steps"][1]["claims"][1]["series"]["y"] = "view:levels"; },
         "step 2.claims[1].series.y", "metric"},
        {"source series param",
         [](json& d) {
             d["steps"][1]["claims"][1] = json::parse(R"({"says": "s", "type": "trend",
               "direction": "increasing", "series": {"over": "source", "param": "radios",
               "values": [1, 2], "sketch": "uniform", "y": "eps_fro"}})");
         },
         "step 2.claims[1].series.param", "radios"},
        {"source series value",
         [](json& d) {
             d["steps"][1]["claims"][1] = json::parse(R"({"says": "s", "type": "trend",
               "direction": "increasing", "series": {"over": "source", "param": "radius",
               "values": [1, -2], "sketch": "uniform", "y": "eps_fro"}})");
         },
         "step 2.claims[1].series.values[1]", "radius"},
    };
    for (const auto& c : cases) {
        json doc = good_lesson();
        c.edit(doc);
        const std::string message = load_error(doc);
        ASSERT_FALSE(message.empty()) << c.what << ": loaded";
        EXPECT_THAT(message, HasSubstr("99_bad.json: ")) << c.what;
        EXPECT_THAT(message, HasSubstr(c.where)) << c.what << ": " << message;
        EXPECT_THAT(message, HasSubstr(c.problem)) << c.what << ": " << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << c.what << ": one line";
    }
}

TEST(LessonParse, NotJsonAndMissingFileAreOneLineErrors) {
    const fs::path file = write_temp(json::object(), "98_text");
    std::ofstream(file) << "{ not json";
    EXPECT_THROW(load_lesson(file), std::invalid_argument);
    EXPECT_THROW(load_lesson(file.parent_path() / "nope.json"), std::invalid_argument);
}

TEST(LessonParse, FindLessonByStemNameNumberOrPath) {
    const fs::path file = write_temp(good_lesson(), "07_tiny", "find");
    const fs::path dir = file.parent_path();
    EXPECT_EQ(find_lesson("07_tiny", dir), file);
    EXPECT_EQ(find_lesson("tiny", dir), file);
    EXPECT_EQ(find_lesson("7", dir), file);
    EXPECT_EQ(find_lesson(file.string(), dir), file);
    try {
        find_lesson("walk", dir);
        FAIL() << "found a lesson that is not there";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("07_tiny"));  // lists what there is
    }
}

TEST(LessonParse, FailingClaimIsReportedNotThrown) {
    json doc = good_lesson();
    doc["steps"][0]["claims"][0]["value"] = 0;  // exact's error below 0: impossible
    doc["steps"][0]["claims"][0]["op"] = "<";
    const LessonCheck c = check_lesson(parse_lesson(doc, "tiny", "."));
    ASSERT_NE(c.first_failure(), nullptr);
    EXPECT_EQ(c.first_failure()->step, 1);
    EXPECT_FALSE(c.steps[0].claims[0].result.holds);
    EXPECT_TRUE(c.steps[1].ok());
}

TEST(LessonParse, MarkerThatNeverHappensFailsTheStep) {
    json doc = good_lesson();
    doc["steps"][0]["markers"][0]["event"] = "new_level";  // uniform has no merge tree
    const LessonCheck c = check_lesson(parse_lesson(doc, "tiny", "."));
    ASSERT_EQ(c.steps[0].problems.size(), 1u);
    EXPECT_THAT(c.steps[0].problems[0], HasSubstr("new_level"));
}

}  // namespace
}  // namespace kvscope
