// T_p and the Lagrange bound come from engine/math (cheap); the logits, measured errors and moments
// come from the view.
#include "ui/polynomial_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "math/lagrange.hpp"
#include "math/monomials.hpp"
#include "math/taylor_series.hpp"
#include "scene/palette.hpp"
#include "ui/panel_csv.hpp"
#include "ui/view_json.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

using scene::category_colour;

// A dim label and its value, on the current line when both fit, else on the next (a fixed
// layout cut the last values at the panel's edge, at 2x most of all). The gaps follow the font.
void flow_item(const char* label, const char* tooltip, const char* value, bool first = false) {
    const float font = ImGui::GetFontSize();
    const float width = ImGui::CalcTextSize(label).x + 0.3f * font + ImGui::CalcTextSize(value).x;
    if (!first) {
        ImGui::SameLine(0, 0.8f * font);
        if (ImGui::GetCursorPosX() + width > ImGui::GetContentRegionMax().x) ImGui::NewLine();
    }
    ImGui::TextDisabled("%s", label);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
    ImGui::SameLine(0, 0.3f * font);
    ImGui::TextUnformatted(value);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
}

void labelled_value(const char* label, const char* tooltip, const char* fmt, double v) {
    char value[64];
    std::snprintf(value, sizeof value, fmt, v);
    flow_item(label, tooltip, value);
}

// The observed logit range: [logit_min, logit_max], widened to the diagnostic samples.
void logit_range(const TaylorView& t, double& lo, double& hi) {
    lo = std::isfinite(t.logit_min) ? t.logit_min : 0.0;
    hi = std::isfinite(t.logit_max) ? t.logit_max : 0.0;
    for (double x : t.logit_samples) {
        if (!std::isfinite(x)) continue;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
    }
    if (!(hi > lo)) {
        lo -= 1;
        hi += 1;
    }
}

void draw_state(const TaylorView& t) {
    flow_item("recenter", "centring policy: none, mean (running mean) or fixed",
              t.recenter.empty() ? "-" : t.recenter.c_str(), true);
    labelled_value("|c|", "norm of the expansion centre c (keys are expanded around it)", "%.3g",
                   t.centre.size() > 0 ? static_cast<double>(t.centre.norm()) : 0.0);
    labelled_value("rho", "rescale: keys stored as (k - c)/rho, queries as rho beta q", "%.3g",
                   t.scale);
    labelled_value("radius", "max |k - c| over the keys seen (an upper bound)", "%.3g", t.radius);
    labelled_value("max |q|", "largest query norm seen at estimate time", "%.3g", t.query_norm_max);
    labelled_value("B",
                   "logit bound B = beta max|q| radius: every x = beta <k - c, q> is in [-B, B]",
                   "%.3g", t.bound_B);
    labelled_value("[R] rel. bound", "e^{2B} B^{p+1}/(p+1)!: relative error bound per weight [R]",
                   "%.3g", t.lagrange_rel);
    labelled_value("abs. bound", "e^B B^{p+1}/(p+1)!: absolute bound at x = B [R]", "%.3g",
                   t.lagrange_abs);
    if (t.degree_needed >= 0) {
        ImGui::Text("degree needed for eps = %.3g: %d (now %d)", t.target_eps, t.degree_needed,
                    t.degree);
    } else {
        ImGui::Text("degree needed for eps = %.3g: > 64 (now %d)", t.target_eps, t.degree);
    }
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("smallest p with e^{2B} B^{p+1}/(p+1)! <= target eps [R]");
    }
}

// 1. Truncation error over the logit range, with the Lagrange bound.
void plot_truncation(const TaylorView& t, int p, PlotState& plot, float plot_h) {
    double lo = 0, hi = 0;
    logit_range(t, lo, hi);
    constexpr int kGrid = 241;
    std::vector<double> xs(kGrid), err(kGrid), bound(kGrid);
    for (int i = 0; i < kGrid; ++i) {
        const double x = lo + (hi - lo) * i / (kGrid - 1.0);
        xs[static_cast<std::size_t>(i)] = x;
        err[static_cast<std::size_t>(i)] = std::abs(taylor_tail(x, p));
        bound[static_cast<std::size_t>(i)] = lagrange_remainder_bound(x, p);
    }
    heading("|e^x - T_p(x)| over the logit range",
            "Absolute truncation error of the degree-p Taylor polynomial, computed here over the "
            "observed logit range (x = beta <k - c, q>), against the Lagrange remainder bound "
            "e^{max(x,0)} |x|^{p+1}/(p+1)! [R]. The range is [-B, B] (logit_min/max), widened to "
            "the sampled logits, whose range the grey lines mark. Zero at x = 0 (not drawn on the "
            "log axis).");
    if (!begin_plot("trunc", plot, ImVec2(0, plot_h), "logit x", "abs. error")) return;
    plot_line("|e^x - T_p(x)|", xs.data(), err.data(), kGrid, category_colour(1));
    LineStyle dashed;
    dashed.dashed = true;
    plot_line("[R] Lagrange bound", xs.data(), bound.data(), kGrid, category_colour(5), dashed);
    double smin = INFINITY, smax = -INFINITY;
    for (double x : t.logit_samples) {
        if (std::isfinite(x)) smin = std::min(smin, x), smax = std::max(smax, x);
    }
    if (smin <= smax) {
        plot_vline("sampled logits min/max", smin, ImGui::GetColorU32(ImGuiCol_TextDisabled));
        plot_vline("sampled logits min/max", smax, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    }
    end_plot();
}

// 2. Logit histogram with +-B.
void plot_logits(const TaylorView& t, ImU32 colour, PlotState& plot, float plot_h) {
    heading("Logits of the diagnostic sample, with +-B",
            "x = beta <k - c, q> for the sampled keys and the recent queries; the Lagrange bound "
            "holds on [-B, B].");
    if (t.logit_samples.empty()) {
        ImGui::TextDisabled("  no samples yet (they appear after the first estimate)");
    }
    if (!begin_plot("logits", plot, ImVec2(0, plot_h * 0.8f), "logit x", "count")) return;
    if (!t.logit_samples.empty()) {
        plot_histogram("logits", t.logit_samples.data(), static_cast<int>(t.logit_samples.size()),
                       40, colour);
    }
    plot_vline("-B", -t.bound_B, IM_COL32(230, 60, 60, 220));
    plot_vline("+B", t.bound_B, IM_COL32(230, 60, 60, 220));
    end_plot();
}

// 3. Error against degree: bound as a line, measured at the current degree as points.
void plot_degree(const TaylorView& t, int p, PlotState& plot, float plot_h) {
    const int pmax = std::max(12, p + 4);
    std::vector<double> ps, rel;
    for (int q = 0; q <= pmax; ++q) {
        ps.push_back(q);
        rel.push_back(relative_lagrange_bound(t.bound_B, q));
    }
    heading("Relative error against degree",
            "Line: relative bound e^{2B} B^{p+1}/(p+1)! [R] for each degree. Points: relative "
            "truncation errors measured on the diagnostic key sample for the recent queries at "
            "the current degree (numerator and denominator). Dashed: the target eps.");
    if (!begin_plot("degree", plot, ImVec2(0, plot_h), "degree p", "rel. error")) return;
    plot_line("[R] bound", ps.data(), rel.data(), static_cast<int>(ps.size()), category_colour(7));
    std::vector<double> xn(t.sample_num_error.size(), p - 0.08);
    std::vector<double> xd(t.sample_den_error.size(), p + 0.08);
    plot_scatter("measured num", xn.data(), t.sample_num_error.data(), static_cast<int>(xn.size()),
                 category_colour(0));
    plot_scatter("measured den", xd.data(), t.sample_den_error.data(), static_cast<int>(xd.size()),
                 category_colour(2));
    if (t.target_eps > 0) plot_hline("target eps", t.target_eps, IM_COL32(230, 60, 60, 220));
    plot_vline("current p", p, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    end_plot();
}

// 4. Monomial count against memory for p = 0..8.
void plot_monomials(const Snapshot& snap, int p, PlotState& plot, float plot_h) {
    std::vector<double> mono, floats;
    for (int q = 0; q <= 8; ++q) {
        mono.push_back(monomial_count_approx(snap.dim, q));
        floats.push_back(taylor_moment_floats(snap.dim, snap.value_dim, q));
    }
    heading("Monomials C(d+p,p) against memory, p = 0..8",
            "Each point is a degree p = 0..8 (left to right): C(d+p,p) monomials need "
            "C(d+p,p)(d_v+1) floats (numerator d_v-vector + denominator scalar each). The marker "
            "is the current degree.");
    if (!begin_plot("monomials", plot, ImVec2(0, plot_h), "monomials", "floats")) return;
    plot_line("C(d+p,p)(d_v+1)", mono.data(), floats.data(), static_cast<int>(mono.size()),
              category_colour(4));
    plot_scatter("p = 0..8", mono.data(), floats.data(), static_cast<int>(mono.size()),
                 category_colour(4));
    const double cm = monomial_count_approx(snap.dim, p),
                 cf = taylor_moment_floats(snap.dim, snap.value_dim, p);
    const std::string cur = "current p = " + std::to_string(p);
    plot_scatter(cur.c_str(), &cm, &cf, 1, IM_COL32(230, 60, 60, 255));
    end_plot();
}

void draw_degree_table(const TaylorView& t, const Snapshot& snap, int p) {
    if (!ImGui::TreeNode("per degree")) return;
    if (ImGui::BeginTable("deg", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        ImGui::TableSetupColumn("p");
        ImGui::TableSetupColumn("C(d+p,p)");
        ImGui::TableSetupColumn("floats");
        ImGui::TableSetupColumn("|moments_p|");
        ImGui::TableHeadersRow();
        for (int q = 0; q <= std::max(8, p); ++q) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%d%s", q, q == p ? " *" : "");
            ImGui::TableNextColumn();
            ImGui::Text("%.6g", monomial_count_approx(snap.dim, q));
            ImGui::TableNextColumn();
            ImGui::Text("%.6g", taylor_moment_floats(snap.dim, snap.value_dim, q));
            ImGui::TableNextColumn();
            const auto k = static_cast<std::size_t>(q);
            if (k < t.degree_norms.size()) {
                ImGui::Text("%.4g", t.degree_norms[k]);
            } else {
                ImGui::TextDisabled("-");
            }
        }
        ImGui::EndTable();
    }
    ImGui::TreePop();
}

bool has_taylor(const SketchView& v) {
    return v.taylor.has_value();
}

}  // namespace

void draw_polynomial_panel(PolynomialPanelState& state, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    const SketchSnapshot* selected = selected_sketch(snap, ctx.selection);
    if (!selected) return;
    const SketchSnapshot& s = *selected;
    const std::string name = scene_name(snap, s);
    if (!s.view->taylor) {
        ImGui::TextWrapped(
            "%s keeps no Taylor moments. Sketches that do: taylor, hybrid (low-degree moments "
            "+ residual coreset); lsh_partition with taylor summaries shows its per-bucket "
            "degrees in the Buckets tab. Running now:",
            name.c_str());
        draw_sketch_picker(snap, ctx.selection, has_taylor, "Taylor moments");
        return;
    }
    const TaylorView& t = *s.view->taylor;
    const int p = std::max(0, t.degree);
    const int sketch = ctx.selection.sketch;
    sketch_swatch(snap, sketch);
    // The heading wraps before the CSV button, which sits at the right of its first line (it
    // was drawn over the heading's end in a narrow panel).
    const float csv_x = ImGui::GetContentRegionMax().x - ImGui::CalcTextSize("CSV").x -
                        2 * ImGui::GetStyle().FramePadding.x;
    ImGui::PushTextWrapPos(csv_x - ImGui::GetStyle().ItemSpacing.x);
    ImGui::Text("%s: degree p = %d, %lld monomials, %.4g floats", name.c_str(), t.degree,
                static_cast<long long>(t.monomials),
                taylor_moment_floats(snap.dim, snap.value_dim, p));
    ImGui::PopTextWrapPos();
    ImGui::SameLine(csv_x);
    csv_button(
        ctx.sink, "polynomial", [&] { return polynomial_csv(snap, sketch); },
        "Write this panel's data (long form: series, x, y) to kvscope_polynomial_NNNN.csv");
    draw_state(t);

    const float head = ImGui::GetFrameHeightWithSpacing();
    const float plot_h = std::max(9.5f * ImGui::GetTextLineHeight(),
                                  (ImGui::GetContentRegionAvail().y - 4 * head) / 4.0f - 4.0f);
    plot_truncation(t, p, state.trunc_error, plot_h);
    plot_logits(t, sketch_colour(snap, sketch, 0.8f), state.logit_hist, plot_h);
    plot_degree(t, p, state.degree_error, plot_h);
    plot_monomials(snap, p, state.monomials, plot_h);
    draw_degree_table(t, snap, p);
}

int polynomial_panel_fit(const SketchView& view) {
    return view.taylor ? 1 : 0;
}

void save_polynomial_view(const PolynomialPanelState& state, nlohmann::json& view) {
    save_plot(view, "trunc_error", state.trunc_error);
    save_plot(view, "logit_hist", state.logit_hist);
    save_plot(view, "degree_error", state.degree_error);
    save_plot(view, "monomials", state.monomials);
}

void load_polynomial_view(const nlohmann::json& view, PolynomialPanelState& state,
                          const ViewWarn&) {
    load_plot(view, "trunc_error", state.trunc_error);
    load_plot(view, "logit_hist", state.logit_hist);
    load_plot(view, "degree_error", state.degree_error);
    load_plot(view, "monomials", state.monomials);
}

PanelInfo polynomial_panel() {
    PanelInfo info = panel_info<PolynomialPanelState>(
        "polynomial", "Polynomial",
        "Taylor moments: truncation error and bound over the logit range, logits with +-B, error "
        "against degree, monomials against memory",
        Place::Internals, draw_polynomial_panel, save_polynomial_view, load_polynomial_view);
    info.fits = polynomial_panel_fit;
    return info;
}

}  // namespace kvscope::ui
