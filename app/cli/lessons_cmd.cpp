#include "cli/lessons_cmd.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <vector>

#include "lessons/lesson_check.hpp"

namespace kvscope {

namespace fs = std::filesystem;

namespace {

std::vector<Lesson> load_selected(const LessonsOptions& o) {
    std::vector<Lesson> out;
    if (!o.name.empty()) {
        out.push_back(load_lesson(find_lesson(o.name, o.dir)));
        return out;
    }
    for (const auto& f : lesson_files(o.dir))
        out.push_back(load_lesson(f));
    if (out.empty()) throw std::invalid_argument("no lesson files in " + o.dir);
    return out;
}

void list_text(const Lesson& l, std::ostream& out) {
    out << l.name << "  " << l.title << " (" << l.steps.size() << " steps; " << l.config.source_id
        << ", " << l.config.tokens << " tokens";
    if (l.session.is_string()) out << ", opens " << l.session.get<std::string>();
    out << ")\n";
    for (std::size_t k = 0; k < l.steps.size(); ++k) {
        const LessonStep& s = l.steps[k];
        out << "    " << k + 1 << ". " << s.title << " (to " << s.position << " tokens, "
            << s.claims.size() << (s.claims.size() == 1 ? " claim" : " claims") << ")\n";
    }
}

/// The smallest margin of the step's claims, as text; factors and differences separately.
std::string least_margins(const StepCheck& s) {
    double factor = std::numeric_limits<double>::infinity();
    double diff = std::numeric_limits<double>::infinity();
    for (const auto& c : s.claims) {
        if (c.result.additive) {
            diff = std::min(diff, c.result.margin);
        } else {
            factor = std::min(factor, c.result.margin);
        }
    }
    std::string text;
    if (std::isfinite(factor)) text += margin_text(ClaimResult{true, factor, false, ""});
    if (std::isfinite(diff))
        text += (text.empty() ? "" : ", ") + margin_text(ClaimResult{true, diff, true, ""});
    return text.empty() ? "-" : text;
}

int check_one(const Lesson& l, const LessonsOptions& o, std::ostream& out, std::ostream& err) {
    LessonCheckOptions options;
    options.seed = o.seed;
    int failures = 0;
    options.on_step = [&](const StepCheck& s) {
        const std::string head =
            "lesson " + l.name + " step " + std::to_string(s.step) + " ('" + s.title + "')";
        out << l.name << " step " << s.step << ": " << s.claims.size() << " claim(s) "
            << (s.ok() ? "hold" : "FAIL") << ", least margin " << least_margins(s) << '\n';
        for (const auto& c : s.claims) {
            if (o.verbose || !c.result.holds) {
                out << "    [" << (c.result.holds ? "ok" : "FAIL") << ' ' << margin_text(c.result)
                    << "] " << c.says << "\n        " << c.result.measured << '\n';
            }
            if (!c.result.holds) {
                ++failures;
                err << "kvscope: " << head << ": claim fails: " << c.says << " ("
                    << c.result.measured << ")\n";
            }
        }
        for (const auto& p : s.problems) {
            ++failures;
            err << "kvscope: " << head << ": " << p << '\n';
        }
    };
    check_lesson(l, options);
    return failures;
}

}  // namespace

int run_lessons(const LessonsOptions& o, std::ostream& out, std::ostream& err) {
    const std::vector<Lesson> lessons = load_selected(o);
    if (!o.check) {
        if (o.json) {
            nlohmann::json doc = nlohmann::json::array();
            for (const auto& l : lessons)
                doc.push_back(lesson_json(l));
            out << doc.dump(2) << '\n';
            return 0;
        }
        for (const auto& l : lessons)
            list_text(l, out);
        out << "\nOpen one in the explorer with `kvscope gui --lesson NAME [--step K]`; check "
               "its claims with `kvscope lessons --check NAME`.\n";
        return 0;
    }
    int failed_lessons = 0;
    for (const auto& l : lessons) {
        const int failures = check_one(l, o, out, err);
        out << l.name << ": " << (failures == 0 ? "every claim holds" : "FAILED") << "\n";
        failed_lessons += failures > 0 ? 1 : 0;
    }
    return failed_lessons == 0 ? 0 : 1;
}

std::string resolve_lesson_step(const std::string& name, const std::string& dir, int step) {
    const fs::path file = find_lesson(name, dir);
    const Lesson l = load_lesson(file);
    if (step < 0 || step > static_cast<int>(l.steps.size())) {
        throw std::invalid_argument("lesson " + l.name + " has steps 1 to " +
                                    std::to_string(l.steps.size()) + ", not " +
                                    std::to_string(step));
    }
    return file.string();
}

}  // namespace kvscope
