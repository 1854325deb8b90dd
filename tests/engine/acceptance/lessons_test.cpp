// Lessons (assets/lessons/*.json): every file loads, and every claim of every step holds when the
// lesson runs headless, asserted on the files themselves (the way practice_presets_test asserts
// the presets). A few lessons are also run with the method they teach switched off, to show
// their claims fail then. docs/lessons.md describes the format.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "lessons/lesson_check.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path lessons_dir() {
    return fs::path(KVSCOPE_SOURCE_DIR) / "assets" / "lessons";
}

std::vector<std::string> lesson_names() {
    std::vector<std::string> names;
    for (const auto& f : lesson_files(lessons_dir()))
        names.push_back(f.stem().string());
    return names;
}

json read_json(const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in);
}

class EveryLesson : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryLesson, EveryClaimAndMarkerHolds) {
    const Lesson lesson = load_lesson(lessons_dir() / (GetParam() + ".json"));
    const LessonCheck check = check_lesson(lesson);
    ASSERT_EQ(check.steps.size(), lesson.steps.size());
    for (const StepCheck& s : check.steps) {
        for (const ClaimCheck& c : s.claims) {
            EXPECT_TRUE(c.result.holds) << GetParam() << " step " << s.step << ": " << c.says
                                        << " (" << c.result.measured << ")";
            RecordProperty(
                "step" + std::to_string(s.step) + "_margin_" + std::to_string(&c - s.claims.data()),
                margin_text(c.result));
        }
        for (const auto& p : s.problems)
            ADD_FAILURE() << GetParam() << " step " << s.step << ": " << p;
    }
}

INSTANTIATE_TEST_SUITE_P(Lessons, EveryLesson, ::testing::ValuesIn(lesson_names()),
                         [](const auto& p) { return p.param; });

TEST(Lessons, AtLeastTwelveEachWithClaimsOnEveryStep) {
    const auto names = lesson_names();
    EXPECT_GE(names.size(), 12u);
    for (const auto& name : names) {
        const Lesson l = load_lesson(lessons_dir() / (name + ".json"));
        EXPECT_GE(l.summary.size(), 200u) << name;
        for (std::size_t k = 0; k < l.steps.size(); ++k) {
            EXPECT_FALSE(l.steps[k].claims.empty()) << name << " step " << k + 1;
            EXPECT_FALSE(l.steps[k].try_it.empty()) << name << " step " << k + 1;
        }
    }
}

TEST(Lessons, EveryPresetIsOpenedByALesson) {
    std::set<std::string> opened;
    for (const auto& f : lesson_files(lessons_dir())) {
        const json doc = read_json(f);
        auto note = [&](const json& s) {
            if (s.is_string()) opened.insert(fs::path(s.get<std::string>()).filename().string());
        };
        note(doc.at("session"));
        for (const auto& step : doc.at("steps"))
            if (step.contains("session")) note(step.at("session"));
    }
    for (const auto& p : fs::directory_iterator(fs::path(KVSCOPE_SOURCE_DIR) / "assets/presets"))
        EXPECT_TRUE(opened.count(p.path().filename().string())) << p.path() << " is in no lesson";
}

// ---- the claims fail when the method they teach is switched off ----

/// Loads a lesson, lets `edit` change its JSON, and checks it.
LessonCheck check_edited(const std::string& name, const std::function<void(json&)>& edit) {
    json doc = read_json(lessons_dir() / (name + ".json"));
    edit(doc);
    return check_lesson(parse_lesson(doc, name, lessons_dir()));
}

bool step_holds(const LessonCheck& c, int step) {
    return c.steps.at(static_cast<std::size_t>(step - 1)).ok();
}

TEST(LessonsBreak, WalkWithoutBalancingFailsLesson3) {
    const LessonCheck c = check_edited("03_walk", [](json& doc) {
        doc["session"]["sketches"][1]["params"]["gamma"] = 0;  // the walk becomes random halving
        doc["steps"].erase(3);                                 // (the ar1 step has its own scene)
    });
    EXPECT_FALSE(step_holds(c, 1));
    EXPECT_FALSE(step_holds(c, 2));
    EXPECT_FALSE(step_holds(c, 3));
}

TEST(LessonsBreak, NoRecenteringFailsLesson8) {
    const LessonCheck c = check_edited("08_recenter", [](json& doc) {
        doc["session"] = "../presets/clustered_offset.json";
        doc["steps"][1]["edits"] =
            json::array({{{"sketch", "taylor_mean"}, {"params", {{"recenter", "none"}}}}});
    });
    EXPECT_TRUE(step_holds(c, 1));
    EXPECT_FALSE(step_holds(c, 2));
}

TEST(LessonsBreak, StreamingLlmWithoutSinksFailsLesson12) {
    const LessonCheck c = check_edited("12_practice", [](json& doc) {
        doc["steps"][0]["edits"] =
            json::array({{{"sketch", "streaming_llm"}, {"params", {{"sinks", 0}}}}});
        while (doc["steps"].size() > 1)
            doc["steps"].erase(1);  // the sinks step only
    });
    EXPECT_FALSE(step_holds(c, 1));
}

TEST(LessonsBreak, UnweightedSampleFailsLesson1) {
    // A sliding window keeps the same number of tokens without Horvitz-Thompson weights: its
    // weights are 1, not n/m, and its Z falls short.
    const LessonCheck c = check_edited("01_problem", [](json& doc) {
        doc["session"]["sketches"][1] = {
            {"id", "sliding_window"}, {"label", "uniform"}, {"params", {{"budget", 512}}}};
    });
    EXPECT_FALSE(step_holds(c, 3));
}

}  // namespace
}  // namespace kvscope
