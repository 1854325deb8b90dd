// Lessons as data: a file in assets/lessons/NN_name.json is a scene (a run config, or a preset
// or config file it names) plus a title, a one-paragraph summary and ordered steps. A step says
// what to read (narration and the formula it is about), where to stream to, what to show (the
// view: selected sketch, metric, internals tab, embedding colouring, visible series), what to
// change (source or sketch parameter edits, replayed like an edit in the explorer), which events
// to mark, what to try, and which claims must hold there (claims.hpp). The format is documented
// in docs/lessons.md.
//
// A step's scene is the lesson's session (or the step's own "session", which replaces it from
// that step on) with the parameter edits of every step so far applied in order. An edited sketch
// keeps the seed it had before the edit (as in the explorer), so the scene is one run config
// that `kvscope run` reproduces. Files are validated like run configs: a bad lesson is one
// std::invalid_argument naming the file, the step and the key.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lessons/claims.hpp"
#include "session/run_config.hpp"

namespace kvscope {

/// What a step shows. Empty fields leave the explorer's state as it is.
struct LessonView {
    std::string sketch;  ///< label of the selected sketch
    std::string metric;  ///< metric column on the error plots
    std::string tab;     ///< internals tab: "coreset", "buckets" or "polynomial"
    std::string
        colour_by;  ///< embedding colouring: retained, weight, tag, bucket, key_norm, token_index
    std::vector<std::string> series;  ///< labels shown on the error plots (empty: all)
    std::optional<bool> theory;       ///< theory curves on the error-against-memory plot
};

/// One parameter edit: of the source, or of the sketch labelled `sketch`.
struct LessonEdit {
    bool source = false;
    std::string sketch;
    nlohmann::json params = nlohmann::json::object();
};

/// A marker: an event of the session (events.hpp) or a fixed position with a label.
struct LessonMarker {
    std::string event;   ///< an event kind, or "" for a fixed position
    std::string sketch;  ///< label of the sketch whose event it is ("" for source events)
    Index at = -1;       ///< fixed position
    std::string label;   ///< fixed label (events bring their own)
};

struct LessonStep {
    std::string title;
    std::string narration;
    std::string formula;  ///< the formula the step is about, written out ("" when none)
    std::string try_it;   ///< the control to touch and what to watch
    Index position = 0;   ///< stream position to run to
    std::optional<nlohmann::json> session;  ///< a new scene from this step on (as written)
    std::vector<LessonEdit> edits;
    LessonView view;
    std::vector<LessonMarker> markers;
    std::vector<Claim> claims;
};

struct Lesson {
    std::string name;  ///< file stem, e.g. "03_walk"
    std::filesystem::path file;
    std::filesystem::path base_dir;  ///< session file names resolve against this
    std::string title;
    std::string summary;
    nlohmann::json session;  ///< as written: a run config object, or a file name (relative)
    RunConfig config;        ///< the session as loaded (its description is the preset's text)
    std::vector<LessonStep> steps;
};

/// Parses and validates a lesson document. `base_dir` resolves session file names; `name` is
/// the lesson's name. Every step's scene is built and each view, edit, marker and claim checked
/// against it. Throws std::invalid_argument "<where>: <problem>" with where = "step K: key..."
/// (K counts from 1) or the top-level key.
Lesson parse_lesson(const nlohmann::json& doc, const std::string& name,
                    const std::filesystem::path& base_dir);
/// Reads, parses and validates a lesson file; errors start with the file's path.
Lesson load_lesson(const std::filesystem::path& file);

/// The lesson files in `dir` (*.json), sorted by name.
std::vector<std::filesystem::path> lesson_files(const std::filesystem::path& dir);
/// Finds a lesson in `dir` by file stem ("03_walk"), stem without the number ("walk"), number
/// ("3"), or a path to a .json file. Throws std::invalid_argument listing the lessons.
std::filesystem::path find_lesson(const std::string& name, const std::filesystem::path& dir);

/// The scene of every step (index = step - 1) with run seed `seed` (sketch seeds re-derived
/// from it; nullopt keeps the lesson's seeds).
std::vector<RunConfig> step_configs(const Lesson& lesson,
                                    std::optional<std::uint64_t> seed = std::nullopt);

/// The lesson as JSON for `kvscope lessons --json` (title, summary, session summary, steps with
/// their text, position, view, markers and the claims' sentences).
nlohmann::json lesson_json(const Lesson& lesson);

/// A step's view as a session "view" object (names as the explorer's session files use them).
nlohmann::json view_json(const LessonView& view);

}  // namespace kvscope
