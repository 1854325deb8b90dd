#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "ui/palette.hpp"
#include "ui/panels.hpp"

namespace kvscope::ui {

namespace {

struct Metric {
    const char* key;
    const char* definition;
    double (*get)(const MetricRow&);
};

const Metric kMetrics[] = {
    {"rel_err_mean", "mean over probe queries of ||z - a|| / ||a|| (z: sketch, a: exact attention)",
     [](const MetricRow& r) { return r.errors.rel_err_mean; }},
    {"rel_err_max", "max over probe queries of ||z - a|| / ||a||",
     [](const MetricRow& r) { return r.errors.rel_err_max; }},
    {"eps_fro", "mean ||z - a|| / (||p||_2 ||V||_F): BalanceKV's normalisation (p: softmax row)",
     [](const MetricRow& r) { return r.errors.eps_fro; }},
    {"eps_op", "mean ||z - a|| / (||p||_2 ||V||_op): SubGen's normalisation",
     [](const MetricRow& r) { return r.errors.eps_op; }},
    {"num_err", "mean ||N^ - N|| / (Z max||v||): numerator error alone (rotates the output)",
     [](const MetricRow& r) { return r.errors.num_err; }},
    {"den_err", "mean |Z^ - Z| / Z: denominator error alone (rescales the output)",
     [](const MetricRow& r) { return r.errors.den_err; }},
    {"mass_recall", "mean share of exact softmax mass on the tokens a subset sketch keeps",
     [](const MetricRow& r) { return r.mass_recall; }},
};

// Legend text: the live sketch's short name when the row still matches it.
std::string series_name(const Snapshot& snap, const MetricRow& row) {
    const auto i = static_cast<std::size_t>(row.instance);
    if (i < snap.sketches.size() && snap.sketches[i].spec.params_text == row.params) {
        return short_name(snap.sketches[i].spec);
    }
    return row.label;
}

}  // namespace

void draw_error_panel(const Snapshot& snap, UiState& ui) {
    static_assert(sizeof(kMetrics) / sizeof(kMetrics[0]) == 7);
    // The exact cache is the reference (error ~1e-15): plotting it would squash the log axis.
    std::map<int, std::vector<const MetricRow*>> rows;
    for (const auto& r : snap.history) {
        if (r.sketch != "exact") rows[r.instance].push_back(&r);
    }

    const Metric& metric = kMetrics[std::clamp(ui.error_metric, 0, 6)];
    if (ImGui::BeginCombo("metric", metric.key)) {
        for (int i = 0; i < 7; ++i) {
            if (ImGui::Selectable(kMetrics[i].key, i == ui.error_metric)) ui.error_metric = i;
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kMetrics[i].definition);
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", metric.definition);
    ImGui::SameLine();
    ImGui::Checkbox("log y", &ui.error_time.log_y);
    ImGui::SameLine();
    ImGui::TextDisabled("(exact = reference, not plotted)");
    if (rows.empty()) {
        ImGui::TextDisabled("No evaluations yet: press Play or Step.");
    }

    const float half = ImGui::GetContentRegionAvail().y * 0.5f - ImGui::GetFrameHeightWithSpacing();
    if (begin_plot("time", ui.error_time, ImVec2(0, std::max(160.0f, half)), "tokens seen",
                   metric.key)) {
        for (const auto& [inst, list] : rows) {
            std::vector<double> x, y;
            for (const MetricRow* r : list) {
                x.push_back(static_cast<double>(r->tokens_seen));
                y.push_back(metric.get(*r));
            }
            const std::string label = series_name(snap, *list.front());
            plot_line(label.c_str(), x.data(), y.data(), static_cast<int>(x.size()),
                      category_colour(inst));
        }
        end_plot();
    }

    // Error against memory at the latest evaluation, log-log, with reference slopes.
    std::vector<double> mx, my;
    std::vector<int> owner;
    for (const auto& [inst, list] : rows) {
        const MetricRow* last = list.back();
        if (last->memory_floats > 0 && metric.get(*last) > 0) {
            mx.push_back(last->memory_floats);
            my.push_back(metric.get(*last));
            owner.push_back(inst);
        }
    }
    if (begin_plot("memory", ui.error_memory, ImVec2(0, std::max(160.0f, half)), "memory (floats)",
                   metric.key)) {
        for (std::size_t i = 0; i < mx.size(); ++i) {
            const std::string label = series_name(snap, *rows[owner[i]].back());
            plot_scatter(label.c_str(), &mx[i], &my[i], 1, category_colour(owner[i]));
        }
        if (mx.size() >= 1) {
            // Reference slopes through the geometric centre of the measured points.
            double lx = 0, ly = 0;
            for (std::size_t i = 0; i < mx.size(); ++i) {
                lx += std::log(mx[i]);
                ly += std::log(my[i]);
            }
            lx /= static_cast<double>(mx.size());
            ly /= static_cast<double>(mx.size());
            const double lo = *std::min_element(mx.begin(), mx.end()) / 2;
            const double hi = *std::max_element(mx.begin(), mx.end()) * 2;
            for (auto [slope, name] : {std::pair{-0.5, "slope -1/2 (sampling)"},
                                       std::pair{-1.0, "slope -1 (discrepancy)"}}) {
                const double xs[2] = {lo, hi};
                const double ys[2] = {std::exp(ly + slope * (std::log(lo) - lx)),
                                      std::exp(ly + slope * (std::log(hi) - lx))};
                plot_line(name, xs, ys, 2, IM_COL32(150, 150, 150, slope == -0.5 ? 200 : 120));
            }
        }
        end_plot();
    }
}

}  // namespace kvscope::ui
