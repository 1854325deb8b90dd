#include "ui/lesson_steps.hpp"

#include <algorithm>

#include "lessons/lesson_check.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

using nlohmann::json;

std::vector<Command> lesson_step_commands(const RunConfig& current, Index tokens_seen,
                                          const RunConfig& scene, Index position) {
    std::vector<Command> out;
    out.emplace_back(command::Pause{});
    if (differs_only_in_sketch_params(current, scene) && position >= tokens_seen) {
        for (auto& [index, params] : sketch_param_edits(current, scene))
            out.emplace_back(command::SetSketchParams{index, std::move(params)});
        if (position > tokens_seen) out.emplace_back(command::Step{position - tokens_seen});
        return out;
    }
    out.emplace_back(command::Configure{scene, position});
    return out;
}

bool scene_is_running(const RunConfig& running, const RunConfig& scene) {
    return differs_only_in_sketch_params(running, scene) &&
           sketch_param_edits(running, scene).empty();
}

json lesson_view_object(const LessonView& view, const RunConfig& scene) {
    json out = scene.view.is_object() ? scene.view : json::object();
    out.erase("stream_position");  // the step names its own position
    const std::vector<SketchInstanceSpec> specs = expand_sketches(scene);
    if (!view.sketch.empty()) {
        for (std::size_t i = 0; i < specs.size(); ++i) {
            if (specs[i].label == view.sketch) {
                out["selected_sketch"] = i;
                break;
            }
        }
    }
    if (!view.metric.empty()) out["error_metric"] = view.metric;
    if (!view.tab.empty()) out["tab"] = view.tab;
    if (!view.colour_by.empty()) out["embedding"]["colour_by"] = view.colour_by;
    if (view.theory) out["show_theory"] = *view.theory;
    json hidden = json::array();
    if (!view.series.empty()) {
        for (const auto& spec : specs) {
            if (std::find(view.series.begin(), view.series.end(), spec.label) == view.series.end())
                hidden.push_back(short_name(spec));
        }
    }
    for (const char* plot : {"error_time", "error_memory"}) {
        out["plots"][plot]["hidden"] = hidden;
        out["plots"][plot]["auto_fit"] = true;
    }
    // A size grows linearly with the stream: on a linear axis the exact cache is the straight
    // line the step talks about. Errors span decades: log.
    const bool size = view.metric == "memory_floats" || view.metric == "memory_bytes" ||
                      view.metric == "retained_tokens";
    if (!view.metric.empty()) out["plots"]["error_time"]["log_y"] = !size;
    return out;
}

std::vector<Mark> lesson_marks(const LessonStep& step, const Snapshot& snap) {
    std::vector<Mark> out;
    for (const LessonMarker& m : step.markers) {
        if (m.event.empty()) {
            out.push_back({m.at, m.label});
            continue;
        }
        // The step names the sketch already: "level 3" reads better than "walk level 3" on a
        // crowded axis.
        const std::string prefix = m.sketch.empty() ? "" : m.sketch + " ";
        for (const StreamEvent& e : snap.events) {
            if (e.kind != m.event || e.sketch != m.sketch) continue;
            const bool named = !prefix.empty() && e.label.rfind(prefix, 0) == 0;
            out.push_back({e.at, named ? e.label.substr(prefix.size()) : e.label});
        }
    }
    return out;
}

}  // namespace kvscope::ui
