#include "ui/source_sweep_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <map>

#include "figure/families.hpp"
#include "ui/panel_csv.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

std::vector<SweepSeries> sweep_series(const SourceSweepProgress& progress,
                                      const std::vector<double>& numeric_x, int metric) {
    const MetricDef& m = error_metrics()[static_cast<std::size_t>(metric)];
    std::map<int, SweepSeries> by_instance;
    for (const MetricRow& r : progress.final_rows) {
        const auto it = std::find(progress.labels.begin(), progress.labels.end(), r.source_params);
        if (it == progress.labels.end()) continue;
        const auto source = static_cast<std::size_t>(it - progress.labels.begin());
        SweepSeries& s = by_instance[r.instance];
        s.instance = r.instance;
        s.label = r.params.empty() ? r.label : r.sketch + " " + r.params;
        s.x.push_back(numeric_x.size() == progress.labels.size() ? numeric_x[source]
                                                                 : static_cast<double>(source + 1));
        s.y.push_back(m.get(r));
    }
    std::vector<SweepSeries> out;
    for (auto& [inst, s] : by_instance)
        out.push_back(std::move(s));
    return out;
}

namespace {

// The Run button (the instance count is computed once per opened sweep).
void draw_start_button(SourceSweepPanelState& state, const std::shared_ptr<const RunConfig>& swept,
                       Sink& sink) {
    if (state.counted != swept) {
        state.counted = swept;
        state.instance_count = 0;
        try {
            state.instance_count = expand_sources(*swept).size();
        } catch (const std::exception&) {
            // The Run button's own attempt below reports it.
        }
    }
    const std::string start =
        "Run all " + std::to_string(state.instance_count) + " source instances";
    if (ImGui::Button(start.c_str())) {
        try {
            state.run = std::make_unique<SourceSweepRun>(*swept);
        } catch (const std::exception& e) {
            sink.refuse(std::string("source sweep: ") + e.what());
        }
    }
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "Streams every source instance to its end with this config's sketches, in the "
            "background (the live scene keeps running); the same runs as kvscope run.");
    }
}

// Stop or clear the run, and what it is doing.
void draw_run_status(SourceSweepPanelState& state, const SourceSweepProgress& p) {
    if (ImGui::Button(p.finished() ? "Clear" : "Stop")) {
        state.run.reset();
        return;
    }
    ImGui::SameLine();
    if (!p.error.empty()) {
        ImGui::TextColored(ImVec4(0.95f, 0.45f, 0.40f, 1), "stopped: %s", p.error.c_str());
    } else {
        ImGui::Text("%zu of %zu source instances done%s", p.done, p.total,
                    p.finished() ? "" : " (running in the background)");
    }
}

void draw_metric_picker(SourceSweepPanelState& state) {
    const auto& metrics = error_metrics();
    state.metric = std::clamp(state.metric, 0, static_cast<int>(metrics.size()) - 1);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    if (ImGui::BeginCombo("metric", metrics[static_cast<std::size_t>(state.metric)].key)) {
        for (int i = 0; i < static_cast<int>(metrics.size()); ++i)
            if (ImGui::Selectable(metrics[static_cast<std::size_t>(i)].key, i == state.metric))
                state.metric = i;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::Checkbox("log y", &state.plot.log_y);
}

void draw_sweep_plot(SourceSweepPanelState& state, const SourceSweepProgress& p) {
    const std::vector<double>& numeric = state.run->numeric_values();
    const std::string x_label =
        numeric.empty() ? "source instance (hover for its parameters)" : state.run->sweep_key();
    const char* metric = error_metrics()[static_cast<std::size_t>(state.metric)].key;
    heading(std::string(metric) + " against the swept source parameter",
            "The final evaluation of every sketch on every source instance, one line per sketch "
            "instance. The exact cache is the reference and is not drawn.");
    std::vector<SweepSeries> series = sweep_series(p, numeric, state.metric);
    std::vector<figure::InstanceDesc> all;
    for (const MetricRow& r : p.final_rows)
        if (r.source_params == p.labels.front())
            all.push_back({r.instance, r.sketch, r.label, r.params});
    const figure::Families fams = figure::group_families(all);
    const ImU32 ground = ImGui::GetColorU32(ImGuiCol_WindowBg) | IM_COL32_A_MASK;
    const float height =
        std::max(11 * ImGui::GetTextLineHeight(),
                 ImGui::GetContentRegionAvail().y - 2 * ImGui::GetFrameHeightWithSpacing());
    if (!begin_plot("source_sweep", state.plot, ImVec2(0, height), x_label.c_str(), metric)) return;
    for (const SweepSeries& s : series) {
        if (s.label == "exact") continue;
        plot_line(s.label.c_str(), s.x.data(), s.y.data(), static_cast<int>(s.x.size()),
                  fams.colour(s.instance, ground));
        plot_scatter(s.label.c_str(), s.x.data(), s.y.data(), static_cast<int>(s.x.size()),
                     fams.colour(s.instance, ground));
    }
    if (numeric.empty()) {  // instance numbers: name each one on hover
        for (std::size_t i = 0; i < p.labels.size(); ++i)
            plot_marker(static_cast<double>(i + 1), std::to_string(i + 1) + ": " + p.labels[i],
                        ImGui::GetColorU32(ImGuiCol_TextDisabled, 0.35f), false);
    }
    end_plot();
}

}  // namespace

void draw_source_sweep_panel(SourceSweepPanelState& state, PanelContext& ctx) {
    const auto& swept = ctx.settings.source_sweep;
    if (!swept || ctx.snap.config->source_label.empty()) {
        state.run.reset();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextDisabled(
            "This scene's source sweeps no parameter. Open a config whose source has a "
            "\"sweep\" (e.g. assets/configs/real_attention_all_heads.json: every layer and head "
            "of a real model) to compare the sketches across its instances here.");
        ImGui::PopTextWrapPos();
        return;
    }
    if (state.run && state.run->config().source_sweep != swept->source_sweep) state.run.reset();
    ImGui::Text("source sweep of '%s': %s; live: %s", swept->source_id.c_str(),
                swept->source_sweep.dump().c_str(), ctx.snap.config->source_label.c_str());
    if (!state.run) {
        draw_start_button(state, swept, ctx.sink);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextDisabled(
            "The live scene shows one source instance. Run streams every instance to its end "
            "and plots each sketch's final error against the swept parameter, one line per "
            "sketch: the plot fills in as instances finish.");
        ImGui::PopTextWrapPos();
        return;
    }
    const SourceSweepProgress progress = state.run->progress();  // one copy per frame
    draw_run_status(state, progress);
    if (!state.run) return;  // cleared or stopped
    ImGui::SameLine();
    draw_metric_picker(state);
    if (progress.final_rows.empty()) {
        ImGui::TextDisabled("No source instance finished yet.");
        return;
    }
    draw_sweep_plot(state, progress);
}

PanelInfo source_sweep_panel() {
    return panel_info<SourceSweepPanelState>(
        "source_sweep", "Source sweep",
        "A metric against the swept source parameter (every layer and head, a radius, ...)",
        Place::ViewBottom, draw_source_sweep_panel);
}

}  // namespace kvscope::ui
