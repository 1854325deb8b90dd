#include "lessons/lesson_check.hpp"

#include <memory>

#include "core/registry.hpp"
#include "session/events.hpp"
#include "session/session.hpp"

namespace kvscope {

namespace {

bool marker_happened(const LessonMarker& m, const std::vector<StreamEvent>& events,
                     Index position) {
    for (const auto& e : events) {
        if (e.kind == m.event && e.sketch == m.sketch && e.at <= position) return true;
    }
    return false;
}

}  // namespace

bool differs_only_in_sketch_params(const RunConfig& a, const RunConfig& b) {
    if (a.source_id != b.source_id || a.source_params != b.source_params || a.seed != b.seed ||
        a.beta != b.beta || a.tokens != b.tokens || a.eval_every != b.eval_every ||
        a.probe_queries != b.probe_queries)
        return false;
    const auto sa = expand_sketches(a), sb = expand_sketches(b);
    if (sa.size() != sb.size()) return false;
    for (std::size_t i = 0; i < sa.size(); ++i) {
        if (sa[i].id != sb[i].id || sa[i].label != sb[i].label || sa[i].seed != sb[i].seed)
            return false;
    }
    return true;
}

std::vector<std::pair<std::size_t, nlohmann::json>> sketch_param_edits(const RunConfig& from,
                                                                       const RunConfig& to) {
    std::vector<std::pair<std::size_t, nlohmann::json>> out;
    const auto have = expand_sketches(from), want = expand_sketches(to);
    for (std::size_t i = 0; i < want.size() && i < have.size(); ++i) {
        if (have[i].params == want[i].params) continue;
        const SketchInfo& info = builtin_sketches().at(want[i].id, "sketch");
        out.emplace_back(i, want[i].params.to_json(info.params));
    }
    return out;
}

bool StepCheck::ok() const {
    if (!problems.empty()) return false;
    for (const auto& c : claims)
        if (!c.result.holds) return false;
    return true;
}

bool LessonCheck::ok() const {
    return first_failure() == nullptr;
}

const StepCheck* LessonCheck::first_failure() const {
    for (const auto& s : steps)
        if (!s.ok()) return &s;
    return nullptr;
}

LessonCheck check_lesson(const Lesson& lesson, const LessonCheckOptions& options) {
    LessonCheck out;
    out.name = lesson.name;
    const std::vector<RunConfig> scenes = step_configs(lesson, options.seed);
    std::unique_ptr<Session> session;
    for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
        const LessonStep& step = lesson.steps[k];
        const RunConfig& scene = scenes[k];
        if (!session || !differs_only_in_sketch_params(session->config(), scene) ||
            step.position < session->tokens_seen()) {
            session = std::make_unique<Session>(scene);
        } else {
            for (const auto& [i, params] : sketch_param_edits(session->config(), scene))
                session->reconfigure_sketch(i, params);
        }
        while (session->tokens_seen() < step.position && !session->finished())
            session->advance(step.position - session->tokens_seen());
        StepCheck check;
        check.step = static_cast<int>(k + 1);
        check.title = step.title;
        auto config_for_seed = [&lesson, k](std::uint64_t seed) {
            return step_configs(lesson, seed)[k];
        };
        ClaimContext context(*session, step.position, config_for_seed);
        for (const Claim& c : step.claims)
            check.claims.push_back({c.says, evaluate_claim(c, context)});
        const std::vector<StreamEvent> events = session_events(*session);
        for (const LessonMarker& m : step.markers) {
            if (m.event.empty() || marker_happened(m, events, step.position)) continue;
            check.problems.push_back(
                "marker '" + m.event + (m.sketch.empty() ? "" : "' of '" + m.sketch) +
                "' has not happened by position " + std::to_string(step.position));
        }
        if (options.on_step) options.on_step(check);
        out.steps.push_back(std::move(check));
    }
    return out;
}

}  // namespace kvscope
