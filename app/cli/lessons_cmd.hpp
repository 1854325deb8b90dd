// `kvscope lessons`: list the lessons with their steps, or check them headless.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace kvscope {

struct LessonsOptions {
    std::string dir;    ///< folder of lesson files
    std::string name;   ///< one lesson (name, number or .json path), or "" for all
    bool json = false;  ///< list as JSON
    bool check = false;
    bool verbose = false;  ///< with check: every claim's measurement and margin
    std::optional<std::uint64_t> seed;
};

/// Lists or checks lessons. Returns 0, or 1 when a claim fails (each failure on `err` as one
/// line naming the lesson and step). Throws std::invalid_argument on a bad lesson file or name.
int run_lessons(const LessonsOptions& options, std::ostream& out, std::ostream& err);

/// Resolves `name` in `dir` and checks that `step` (from 1; 0 = the first) exists. Returns the
/// lesson file's path. Throws std::invalid_argument naming the problem.
std::string resolve_lesson_step(const std::string& name, const std::string& dir, int step);

}  // namespace kvscope
