#include "ui/error_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "figure/families.hpp"
#include "figure/figures.hpp"
#include "ui/panel_csv.hpp"
#include "ui/view_json.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

using Series = std::map<int, std::vector<const MetricRow*>>;  ///< instance -> its rows

// Sweep families of the plotted instances (app/figure/families.hpp): one hue per family with a
// lightness ramp over the swept value, labels with every parameter that differs between
// instances of a sketch. Legends list families: every member is plotted under its family's
// name, which the plot widget folds into one entry that toggles them together.
figure::Families series_families(const Series& rows) {
    std::vector<figure::InstanceDesc> all;
    for (const auto& [inst, list] : rows)
        all.push_back({inst, list.front()->sketch, list.front()->label, list.front()->params});
    return figure::group_families(all);
}

// What the series are drawn against, for the ramp's contrast: the window background.
figure::Rgba plot_ground() {
    return ImGui::GetColorU32(ImGuiCol_WindowBg) | IM_COL32_A_MASK;
}

std::string family_name(const figure::Families& fams, int inst) {
    const figure::Family* f = fams.family_of(inst);
    return f ? f->name : fams.label(inst);
}

// Short legend text for a theory curve: "[R] " when reconstructed, the name, upper or lower
// ("BalanceKV lower bound"). The formulas are in the "theory curves" list below the plot.
std::string legend_text(const TheoryLine& line) {
    std::string name = line.label;
    const bool r = name.rfind("[R] ", 0) == 0;
    if (r) name = name.substr(4);
    name = name.substr(0, name.find(' '));
    return (r ? "[R] " : "") + name + (line.upper ? " bound" : " lower bound");
}

void draw_theory_options(ErrorPanelState& state, const Snapshot& snap) {
    const double B_est = estimate_logit_bound(snap);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputDouble("B", &state.theory_B, 0, 0, state.theory_B > 0 ? "%.3g" : "auto");
    state.theory_B = std::max(0.0, state.theory_B);
    if (ImGui::IsItemHovered()) {
        const LogitBoundInputs& in = snap.logit_bound;
        ImGui::SetTooltip(
            "Logit bound B for the theory curves; 0 = auto, measured on the stream:\n"
            "B = beta * R * Q = %.3g * %.3g * %.3g = %.3g\n"
            "R = max ||k - c|| over the %lld keys seen, c = the mean of the first %lld keys\n"
            "Q = max ||q|| over the probes and the stream's queries\n"
            "The same whatever sketches run. [R] c is our choice: softmax ignores a common "
            "shift of the keys.",
            in.beta, in.key_radius, in.query_norm, B_est, static_cast<long long>(in.keys_seen),
            static_cast<long long>(in.centre_tokens));
    }
    ImGui::SameLine();
    ImGui::Checkbox("log factors", &state.theory_log_factors);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Include the polylog factors bounds hide");
    ImGui::SameLine();
    ImGui::Checkbox("full range", &state.theory_fit);
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "Draw the theory curves over their whole range (they may span many "
            "decades); off: only within 100x of the measured memory");
    }
    ImGui::SameLine();
    ImGui::TextDisabled("n=%lld d=%d d_v=%d B=%.3g", static_cast<long long>(snap.tokens_seen),
                        snap.dim, snap.value_dim, state.theory_B > 0 ? state.theory_B : B_est);
}

// The "pin" button: pins the selected sketch's curve or the whole scene as a ghost to compare
// edits against, or clears the pins.
void draw_pin_menu(ErrorPanelState& state, PanelContext& ctx) {
    if (ImGui::Button(state.pins.empty() ? "pin" : "pins")) ImGui::OpenPopup("##pin_menu");
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "Keep a curve as a faint ghost while you edit: the readout below says how much "
            "the edit changed the error at the current position.");
    }
    if (!ImGui::BeginPopup("##pin_menu")) return;
    const Snapshot& snap = ctx.snap;
    const int selected = ctx.selection.sketch;
    const bool has_selected = selected >= 0 && selected < static_cast<int>(snap.sketches.size());
    const std::string name = has_selected ? snap.sketches[selected].name : "no sketch selected";
    if (ImGui::MenuItem(("pin " + name).c_str(), nullptr, false, has_selected)) {
        if (auto pin = pin_instance(snap.history, selected)) {
            state.pins.push_back(std::move(*pin));
        } else {
            ctx.sink.say("nothing to pin yet: " + name + " has no evaluation (press Play or Step)");
        }
    }
    if (ImGui::MenuItem("pin the whole scene", nullptr, false, !snap.history.empty())) {
        auto pins = pin_scene(snap.history, "scene pin " + std::to_string(++state.scene_pins));
        for (auto& p : pins)
            state.pins.push_back(std::move(p));
    }
    const std::string clear = "clear " + std::to_string(state.pins.size()) + " pins";
    if (ImGui::MenuItem(clear.c_str(), nullptr, false, !state.pins.empty())) state.pins.clear();
    ImGui::EndPopup();
}

// One line per pin under the controls: what the edit changed at the current position.
void draw_pin_readout(ErrorPanelState& state, const Snapshot& snap, const MetricDef& metric) {
    for (std::size_t i = 0; i < state.pins.size(); ++i) {
        const PinnedCurve& pin = state.pins[i];
        const auto delta = compare_pin(pin, snap.history, metric);
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::SmallButton("x")) {
            state.pins.erase(state.pins.begin() + static_cast<long>(i));
            ImGui::PopID();
            return;  // one pin less: the rest are drawn next frame
        }
        ImGui::SameLine();
        const std::string who = (pin.scene.empty() ? "pinned " : pin.scene + ": ") + pin.label;
        ImGui::TextDisabled("%s  vs now:", who.c_str());
        ImGui::SameLine();
        ImGui::TextUnformatted(delta ? pin_delta_text(*delta, metric).c_str()
                                     : "no common evaluation point yet");
        ImGui::PopID();
    }
}

// Metric picker, log y, theory toggle and its options, the CSV button.
void draw_controls(ErrorPanelState& state, PanelContext& ctx) {
    const auto& metrics = error_metrics();
    const int metric_count = static_cast<int>(metrics.size());
    state.metric = std::clamp(state.metric, 0, metric_count - 1);
    const MetricDef& metric = metrics[static_cast<std::size_t>(state.metric)];
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    if (ImGui::BeginCombo("metric", metric.key)) {
        for (int i = 0; i < metric_count; ++i) {
            const MetricDef& m = metrics[static_cast<std::size_t>(i)];
            if (ImGui::Selectable(m.key, i == state.metric)) state.metric = i;
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.definition);
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", metric.definition);
    ImGui::SameLine();
    ImGui::Checkbox("log y", &state.time.log_y);
    ImGui::SameLine();
    ImGui::Checkbox("theory", &state.show_theory);
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "Overlay each running sketch's space bound and the global lower bounds on the "
            "error-vs-memory plot (constants 1; [R] = reconstruction, not a published formula).");
    }
    ImGui::SameLine();
    draw_pin_menu(state, ctx);
    ImGui::SameLine();
    csv_button(
        ctx.sink, "errors",
        [&] {
            return error_csv(ctx.snap, state.metric,
                             TheoryOptions{state.theory_B, state.theory_log_factors});
        },
        "Write this panel's data (measured series and theory curves, long form) "
        "to kvscope_errors_NNNN.csv in the working directory");
    ImGui::SameLine();
    ImGui::TextDisabled(state.metric > 6 ? "(exact = the full cache)"
                                         : "(exact = reference, not plotted)");
    if (state.show_theory) draw_theory_options(state, ctx.snap);
    draw_pin_readout(state, ctx.snap, metric);
}

// Event markers on a time axis: the source's events and the selected sketch's (thin, text on
// hover), then the open lesson step's marks (bold, labelled). Shared with the coreset timeline
// through timeline_markers().
void plot_event_markers(const Snapshot& snap, const Selection& selection) {
    const ImU32 weak = ImGui::GetColorU32(ImGuiCol_TextDisabled, 0.6f);
    const ImU32 strong = IM_COL32(250, 200, 80, 230);
    for (const auto& m : timeline_markers(snap, selection)) {
        plot_marker(static_cast<double>(m.at), m.label, m.strong ? strong : weak, m.strong);
    }
}

// The legend name of a pin: a scene pin's members share their scene's entry.
std::string pin_legend(const PinnedCurve& pin) {
    return pin.scene.empty() ? "pinned " + pin.label : pin.scene;
}

// A pin's colour: its instance's hue faded toward the background, grey once the instance left.
ImU32 pin_colour(const PinnedCurve& pin, const figure::Families& fams) {
    const bool live = fams.family_of(pin.instance) != nullptr;
    return figure::fade(
        live ? fams.colour(pin.instance, plot_ground()) : IM_COL32(170, 170, 170, 255), 0.45f);
}

// Ghosts of the pinned curves against tokens: thin dashed lines under the live ones.
void plot_pins_against_tokens(const std::vector<PinnedCurve>& pins, const figure::Families& fams,
                              const MetricDef& metric) {
    for (const PinnedCurve& pin : pins) {
        std::vector<double> x, y;
        for (const MetricRow& r : pin.rows) {
            x.push_back(static_cast<double>(r.tokens_seen));
            y.push_back(metric.get(r));
        }
        LineStyle style;
        style.dashed = true;
        style.thickness = 1.2f;
        style.fit = false;  // the live data frames the axes; a ghost far off stays off
        plot_line(pin_legend(pin).c_str(), x.data(), y.data(), static_cast<int>(x.size()),
                  pin_colour(pin, fams), style);
    }
}

// Ghosts against memory: each pin's final point, faded.
void plot_pins_against_memory(const std::vector<PinnedCurve>& pins, const figure::Families& fams,
                              const MetricDef& metric) {
    for (const PinnedCurve& pin : pins) {
        const MetricRow& last = pin.rows.back();
        const double x = last.memory_floats, y = metric.get(last);
        if (x > 0 && y > 0) plot_scatter(pin_legend(pin).c_str(), &x, &y, 1, pin_colour(pin, fams));
    }
}

void draw_time_plot(ErrorPanelState& state, const figure::Families& fams, const Snapshot& snap,
                    const Selection& selection, const Series& rows, const MetricDef& metric,
                    float height) {
    heading(std::string(metric.key) + " against tokens seen",
            std::string(metric.key) + ": " + metric.definition +
                "\nOne line per sketch instance, one point per evaluation. The y axis fits each "
                "line from where its sketch first drops a token (before that it is exact, errors "
                "at rounding level); scroll or drag to see the rest.");
    if (!begin_plot("time", state.time, ImVec2(0, height), "tokens seen", metric.key)) return;
    // An error metric of a sketch that has not dropped a token yet is at rounding level (1e-15)
    // all along: it takes no part in the fit while another line has left its exact phase.
    const bool error_metric = state.metric <= 5;
    const bool any_dropped = std::any_of(rows.begin(), rows.end(), [](const auto& entry) {
        return std::any_of(entry.second.begin(), entry.second.end(),
                           [](const MetricRow* r) { return r->retained_tokens < r->tokens_seen; });
    });
    for (const auto& [inst, list] : rows) {
        std::vector<double> x, y;
        LineStyle style;
        bool dropped = false;
        for (const MetricRow* r : list) {
            if (!dropped && r->retained_tokens < r->tokens_seen) {
                dropped = true;
                style.fit_from = x.size();
            }
            x.push_back(static_cast<double>(r->tokens_seen));
            y.push_back(metric.get(*r));
        }
        if (!dropped && error_metric && any_dropped) style.fit_from = x.size();
        const std::string label = family_name(fams, inst);
        plot_line(label.c_str(), x.data(), y.data(), static_cast<int>(x.size()),
                  fams.colour(inst, plot_ground()), style);
    }
    plot_pins_against_tokens(state.pins, fams, metric);
    plot_event_markers(snap, selection);
    end_plot();
}

// Lines of slope -1/2 (sampling) and -1 (discrepancy) through the measured points' geometric
// centre, over their memory range widened 2x.
void plot_reference_slopes(const std::vector<double>& mx, const std::vector<double>& my) {
    double lx = 0, ly = 0;
    for (std::size_t i = 0; i < mx.size(); ++i) {
        lx += std::log(mx[i]);
        ly += std::log(my[i]);
    }
    lx /= static_cast<double>(mx.size());
    ly /= static_cast<double>(mx.size());
    const double lo = *std::min_element(mx.begin(), mx.end()) / 2;
    const double hi = *std::max_element(mx.begin(), mx.end()) * 2;
    for (auto [slope, name] :
         {std::pair{-0.5, "slope -1/2 (sampling)"}, std::pair{-1.0, "slope -1 (discrepancy)"}}) {
        const double xs[2] = {lo, hi};
        const double ys[2] = {std::exp(ly + slope * (std::log(lo) - lx)),
                              std::exp(ly + slope * (std::log(hi) - lx))};
        plot_line(name, xs, ys, 2, IM_COL32(150, 150, 150, slope == -0.5 ? 200 : 120));
    }
}

// Unless "full range" is on, each curve is cut to 100x either side of the measured memory, so
// auto-fit frames the measurements and the curves near them.
void plot_theory_lines(const std::vector<TheoryLine>& lines, const std::vector<double>& mx,
                       bool full_range, const figure::Families& fams) {
    const bool clip = !full_range && !mx.empty();
    const double lo = clip ? *std::min_element(mx.begin(), mx.end()) / 100 : 0.0;
    const double hi = clip ? *std::max_element(mx.begin(), mx.end()) * 100 : INFINITY;
    for (const auto& line : lines) {
        if (line.memory.empty()) continue;
        std::vector<double> xs, ys;
        for (std::size_t k = 0; k < line.memory.size(); ++k) {
            if (line.memory[k] < lo || line.memory[k] > hi) continue;
            xs.push_back(line.memory[k]);
            ys.push_back(line.eps[k]);
        }
        LineStyle style;
        style.dashed = true;
        style.thickness = 1.3f;
        const ImU32 colour = line.instance >= 0
                                 ? figure::fade(fams.colour(line.instance, plot_ground()), 0.85f)
                                 : IM_COL32(200, 200, 200, 200);
        const std::string label = legend_text(line) + (xs.empty() ? " (off range)" : "");
        plot_line(label.c_str(), xs.data(), ys.data(), static_cast<int>(xs.size()), colour, style);
    }
}

// Each family's points in their ramp colours, connected in swept order, under one legend entry
// that carries the family's fitted log-log slope and its 95% interval.
void plot_families(const figure::Families& fams, const std::vector<double>& mx,
                   const std::vector<double>& my, const std::vector<int>& owner) {
    std::map<int, std::size_t> point_of;
    for (std::size_t i = 0; i < owner.size(); ++i)
        point_of[owner[i]] = i;
    std::vector<bool> drawn(owner.size(), false);
    for (const auto& fam : fams.families) {
        std::vector<double> fx, fy;
        std::vector<std::size_t> pts;
        for (int inst : fam.members) {
            const auto it = point_of.find(inst);
            if (it == point_of.end()) continue;
            pts.push_back(it->second);
            fx.push_back(mx[it->second]);
            fy.push_back(my[it->second]);
        }
        if (pts.empty()) continue;
        std::string label = fam.members.size() == 1 ? fams.label(fam.members[0]) : fam.name;
        const figure::SlopeFit fit = figure::fit_loglog(fx, fy);
        if (pts.size() >= 2 && fit.valid) label += "  " + figure::slope_text(fit);
        const ImU32 mid = fams.colour(fam.members[fam.members.size() / 2], plot_ground());
        if (pts.size() >= 2) {
            LineStyle style;
            style.thickness = 1.4f;
            plot_line(label.c_str(), fx.data(), fy.data(), static_cast<int>(fx.size()),
                      figure::fade(mid, 0.8f), style);
        }
        for (std::size_t i : pts) {
            plot_scatter(label.c_str(), &mx[i], &my[i], 1, fams.colour(owner[i], plot_ground()));
            drawn[i] = true;
        }
    }
    for (std::size_t i = 0; i < owner.size(); ++i) {  // instances without a family
        if (drawn[i]) continue;
        const std::string label = fams.label(owner[i]);
        plot_scatter(label.c_str(), &mx[i], &my[i], 1, IM_COL32(160, 160, 160, 255));
    }
}

// Error against memory at the latest evaluation, log-log, with reference slopes and theory.
void draw_memory_plot(ErrorPanelState& state, const figure::Families& fams, const Series& rows,
                      const MetricDef& metric, const std::vector<TheoryLine>& lines, float height,
                      Index at) {
    std::vector<double> mx, my;
    std::vector<int> owner;
    const bool error_metric = state.metric <= 5;
    int still_exact = 0;
    for (const auto& [inst, list] : rows) {
        // The evaluation the scene is at: the latest, or the timeline's point when scrubbed back.
        auto after =
            std::upper_bound(list.begin(), list.end(), at,
                             [](Index t, const MetricRow* r) { return t < r->tokens_seen; });
        if (after == list.begin()) continue;
        const MetricRow* last = *std::prev(after);
        // A sketch that has kept every token so far has an error at rounding level: not a point
        // of the error-memory trade-off yet (and it would bend its family's slope).
        if (error_metric && last->retained_tokens >= last->tokens_seen) {
            ++still_exact;
            continue;
        }
        if (last->memory_floats > 0 && metric.get(*last) > 0) {
            mx.push_back(last->memory_floats);
            my.push_back(metric.get(*last));
            owner.push_back(inst);
        }
    }
    const std::string exact_note =
        still_exact > 0 ? " (" + std::to_string(still_exact) + " still exact)" : "";
    heading(std::string(metric.key) + " against memory" + exact_note,
            std::string(metric.key) +
                " at the latest evaluation (or the timeline's): " + metric.definition +
                "\nA sketch that has kept every token so far is exact (error at rounding level) "
                "and is drawn once it drops one." +
                "\nmemory_floats: state size in 32-bit float equivalents (keys, values, weights, "
                "moments).\nDashed: theory space bounds as eps -> words at this run's n, d, d_v, B "
                "(y = eps, constants 1); [R] marks reconstructions. Grey: reference slopes.");
    if (!begin_plot("memory", state.memory, ImVec2(0, height), "memory (floats)", metric.key))
        return;
    plot_families(fams, mx, my, owner);
    // Error-decay slopes mean nothing for mass_recall or a size against itself.
    if (!mx.empty() && error_metric) plot_reference_slopes(mx, my);
    plot_theory_lines(lines, mx, state.theory_fit, fams);
    plot_pins_against_memory(state.pins, fams, metric);
    end_plot();
}

}  // namespace

double output_smallness(const Snapshot& snap) {
    if (snap.history.empty()) return NAN;
    const Index last = snap.history.back().tokens_seen;
    std::vector<double> ratios;
    for (const auto& r : snap.history) {
        if (r.tokens_seen != last || r.sketch == "exact") continue;
        const double q = r.errors.rel_err_mean / r.errors.num_err;
        if (std::isfinite(q) && q > 0) ratios.push_back(q);
    }
    if (ratios.empty()) return NAN;
    std::nth_element(ratios.begin(), ratios.begin() + static_cast<long>(ratios.size() / 2),
                     ratios.end());
    return ratios[ratios.size() / 2];
}

void draw_error_panel(ErrorPanelState& state, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    draw_controls(state, ctx);
    const MetricDef& metric = error_metrics()[static_cast<std::size_t>(state.metric)];
    // The exact cache is the reference (error ~1e-15): plotting its error would squash the log
    // axis. Its size, though, is the line every sketch is measured against.
    const bool size_metric = state.metric > 6;
    Series rows;
    for (const auto& r : snap.history) {
        if (r.sketch != "exact" || size_metric) rows[r.instance].push_back(&r);
    }
    const figure::Families fams = series_families(rows);
    if (rows.empty()) ImGui::TextDisabled("No evaluations yet: press Play or Step.");
    if (state.metric <= 1 && output_smallness(snap) > 20) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(ImVec4(0.98f, 0.78f, 0.30f, 1.0f),
                           "Note: the exact output a is small here (about %.0fx shorter than "
                           "the largest value: zero-mean values cancel), so rel_err reads large "
                           "for every sketch. eps_fro is the scale-free view.",
                           output_smallness(snap));
        ImGui::PopTextWrapPos();
    }

    // Side by side when the panel is wide (the explorer's layout), stacked when it is tall.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const bool side_by_side = avail.x > 1.4f * avail.y;
    const float tree_row = ImGui::GetFrameHeightWithSpacing();
    const float half = side_by_side ? avail.y - 2.2f * tree_row
                                    : avail.y * 0.5f - 2 * ImGui::GetFrameHeightWithSpacing();
    // At least eleven text lines (165 px at 1x), so a 2x export keeps the plots' proportions.
    const float height = std::max(11 * ImGui::GetTextLineHeight(), half);
    const bool table =
        side_by_side && ImGui::BeginTable("##error_plots", 2, ImGuiTableFlags_SizingStretchSame);
    if (table) ImGui::TableNextColumn();
    draw_time_plot(state, fams, snap, ctx.selection, rows, metric, height);
    if (table) ImGui::TableNextColumn();
    // Theory curves are space bounds for an error eps: drawn only for error metrics, and only
    // beside measurements (an empty scene, e.g. after a refused config, drew bounds alone on a
    // memory axis of 1..5 floats).
    const bool theory_applies = state.show_theory && state.metric <= 5 && !rows.empty();
    std::vector<TheoryLine> lines;
    if (theory_applies)
        lines = theory_lines(snap, TheoryOptions{state.theory_B, state.theory_log_factors});
    draw_memory_plot(state, fams, rows, metric, lines, height, snap.tokens_seen);
    if (table) ImGui::EndTable();
    if (!lines.empty() && ImGui::TreeNode("theory curves (full labels)")) {
        for (const auto& line : lines) {
            ImGui::BulletText("%s%s%s", line.label.c_str(), line.upper ? "" : "  (lower bound)",
                              line.memory.empty() ? "  (not finite here)" : "");
        }
        ImGui::TreePop();
    }
}

void save_error_view(const ErrorPanelState& state, nlohmann::json& view) {
    // By CSV key, so a saved session stays valid when the metric list changes (an index from
    // older files still loads).
    view["error_metric"] = error_metrics()[static_cast<std::size_t>(state.metric)].key;
    view["show_theory"] = state.show_theory;
    save_plot(view, "error_time", state.time);
    save_plot(view, "error_memory", state.memory);
}

void load_error_view(const nlohmann::json& view, ErrorPanelState& state, const ViewWarn& warn) {
    if (view.contains("error_metric") && view["error_metric"].is_string()) {
        const auto& metrics = error_metrics();
        const auto it = std::find_if(metrics.begin(), metrics.end(), [&](const MetricDef& m) {
            return view["error_metric"] == m.key;
        });
        if (it != metrics.end()) {
            state.metric = static_cast<int>(it - metrics.begin());
        } else {
            warn("view.error_metric = " + view["error_metric"].dump() + " ignored");
        }
    } else {
        read_integer(view, "error_metric", 0, 64, state.metric, warn);
    }
    read_flag(view, "show_theory", state.show_theory);
    load_plot(view, "error_time", state.time);
    load_plot(view, "error_memory", state.memory);
}

PanelInfo error_panel() {
    return panel_info<ErrorPanelState>(
        "errors", "Attention error", "The chosen error metric against tokens and memory",
        Place::ViewBottom, draw_error_panel, save_error_view, load_error_view);
}

}  // namespace kvscope::ui
