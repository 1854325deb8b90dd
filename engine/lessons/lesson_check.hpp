// Checking a lesson headless: every step's scene runs through Session the way the explorer
// would show it (the stream advanced to the step's position; a sketch edit replayed with
// Session::reconfigure_sketch; a source edit, another seed or a new session rebuilds the run),
// then the step's claims are evaluated there and its event markers looked up. `kvscope lessons
// --check` and the lesson tests use it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lessons/lesson.hpp"

namespace kvscope {

struct ClaimCheck {
    std::string says;
    ClaimResult result;
};

struct StepCheck {
    int step = 0;  ///< from 1
    std::string title;
    std::vector<ClaimCheck> claims;
    std::vector<std::string> problems;  ///< markers whose event never happened, run errors
    bool ok() const;
};

struct LessonCheck {
    std::string name;
    std::vector<StepCheck> steps;
    bool ok() const;
    /// The first failing step (nullptr when all hold).
    const StepCheck* first_failure() const;
};

struct LessonCheckOptions {
    std::optional<std::uint64_t> seed;              ///< run every scene with this seed instead
    std::function<void(const StepCheck&)> on_step;  ///< called after each step (progress)
};

/// True when `b` is the run `a` with at most some sketch instances' parameters changed (same
/// source, seeds, lengths and instances), so a running session can follow by replaying those
/// sketches instead of starting over.
bool differs_only_in_sketch_params(const RunConfig& a, const RunConfig& b);
/// The instances whose parameters differ between `from` and `to` (which must satisfy
/// differs_only_in_sketch_params), with their new parameters as JSON.
std::vector<std::pair<std::size_t, nlohmann::json>> sketch_param_edits(const RunConfig& from,
                                                                       const RunConfig& to);

/// Runs the lesson's steps in order and evaluates every claim and marker. Throws
/// std::invalid_argument only when a scene cannot be built (a file source without its file);
/// failing claims are reported, not thrown.
LessonCheck check_lesson(const Lesson& lesson, const LessonCheckOptions& options = {});

}  // namespace kvscope
