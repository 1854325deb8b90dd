#include "ui/sketch_views.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "scene/palette.hpp"

namespace kvscope::ui {

namespace {

using scene::category_colour;

const ImU32 kThreshold = IM_COL32(250, 200, 80, 255);  // amber, as lesson marks
const ImU32 kEvictedColour = IM_COL32(230, 70, 60, 255);

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

}  // namespace

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = std::min(a.size(), b.size());
    if (n < 2) return NAN;
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < n; ++i)
        ma += a[i], mb += b[i];
    ma /= static_cast<double>(n);
    mb /= static_cast<double>(n);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : NAN;
}

std::string eviction_sentence(const ScoreRankView& rank, std::size_t i) {
    const Index at =
        i < rank.left_at.size() && rank.left_at[i] >= 0 ? rank.left_at[i] : rank.decided_at;
    return "token " + std::to_string(rank.positions[i]) + " left at token " + std::to_string(at) +
           ": its " + rank.score_label + " = " + fmt("%.4g", rank.scores[i]) +
           " was the lowest outside the protected window";
}

void draw_score_rank(const ScoreRankView& rank, PlotState& plot, float height) {
    std::vector<double> kx, ky, ex, ey;
    for (std::size_t i = 0; i < rank.positions.size(); ++i) {
        auto& xs = rank.kept[i] ? kx : ex;
        auto& ys = rank.kept[i] ? ky : ey;
        xs.push_back(static_cast<double>(rank.positions[i]));
        ys.push_back(rank.scores[i]);
    }
    const std::string y_label = rank.score_label.empty() ? "score" : rank.score_label;
    if (begin_plot("scores", plot, ImVec2(0, height), "stream position", y_label.c_str())) {
        if (rank.window_last >= rank.window_first) {
            plot_band(rank.window_label.c_str(), static_cast<double>(rank.window_first),
                      static_cast<double>(rank.window_last), category_colour(2));
        }
        plot_scatter("kept", kx.data(), ky.data(), static_cast<int>(kx.size()), category_colour(0));
        if (!ex.empty()) {
            plot_scatter("evicted", ex.data(), ey.data(), static_cast<int>(ex.size()),
                         kEvictedColour);
        }
        if (std::isfinite(rank.threshold))
            plot_hline(rank.threshold_label.c_str(), rank.threshold, kThreshold);
        end_plot();
    }
    if (plot.log_y) {
        const auto nonpositive = std::count_if(rank.scores.begin(), rank.scores.end(),
                                               [](double v) { return !(v > 0); });
        if (nonpositive > 0)
            ImGui::TextDisabled("%lld scores <= 0 are off the log axis",
                                static_cast<long long>(nonpositive));
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("scores at token %lld; the shaded %s is protected: no score evicts it",
                       static_cast<long long>(rank.decided_at), rank.window_label.c_str());
    ImGui::PopStyleColor();
    if (rank.left_at.empty()) {  // one decision (snapkv): everything it dropped left together
        const auto dropped = std::count(rank.kept.begin(), rank.kept.end(), char{0});
        if (dropped > 0) {
            ImGui::TextWrapped(
                "why evicted: %lld tokens left at token %lld, their %s below %s "
                "and outside the %s",
                static_cast<long long>(dropped), static_cast<long long>(rank.decided_at),
                y_label.c_str(), fmt("%.4g", rank.threshold).c_str(), rank.window_label.c_str());
        }
        return;
    }
    bool any = false;
    for (std::size_t i = rank.positions.size(); i-- > 0;) {
        if (rank.kept[i]) continue;
        if (!any) ImGui::TextUnformatted("why evicted (newest first):");
        any = true;
        ImGui::Bullet();
        ImGui::TextWrapped("%s", eviction_sentence(rank, i).c_str());
    }
}

void draw_channel_ranges(const QuantView& quant, PlotState& ranges, PlotState& error,
                         float height) {
    const std::size_t d = quant.channel_error.size();
    if (d == 0) return;
    std::vector<double> c(d);
    for (std::size_t i = 0; i < d; ++i)
        c[i] = static_cast<double>(i);
    const int n = static_cast<int>(d);
    if (begin_plot("channel ranges", ranges, ImVec2(0, height), "key channel",
                   "mean range (max - min)")) {
        plot_line("per-channel groups (over tokens)", c.data(),
                  quant.channel_range_per_channel.data(), n, category_colour(0));
        plot_line("per-token groups (over channels)", c.data(),
                  quant.channel_range_per_token.data(), n, category_colour(1));
        end_plot();
    }
    const std::string label =
        "RMS key error, " + quant.key_mode + " (" + std::to_string(quant.bits) + " bits)";
    if (begin_plot("channel error", error, ImVec2(0, height), "key channel", "|k_hat - k| (RMS)")) {
        plot_line(label.c_str(), c.data(), quant.channel_error.data(), n, kEvictedColour);
        plot_scatter(label.c_str(), c.data(), quant.channel_error.data(), n, kEvictedColour);
        end_plot();
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped(
        "A step is range / (2^b - 1): a channel whose per-token range is far above its own "
        "range (an outlier channel elsewhere in the group) loses precision per token.");
    ImGui::PopStyleColor();
}

void draw_logit_scatter(const QuantView& quant, PlotState& plot, float height) {
    const std::size_t n = std::min(quant.logit_exact.size(), quant.logit_distortion.size());
    if (n == 0) return;
    std::vector<double> exact(quant.logit_exact.begin(),
                              quant.logit_exact.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<double> est(n);
    double lo = INFINITY, hi = -INFINITY, sq = 0;
    for (std::size_t i = 0; i < n; ++i) {
        est[i] = exact[i] + quant.logit_distortion[i];
        lo = std::min({lo, exact[i], est[i]});
        hi = std::max({hi, exact[i], est[i]});
        sq += quant.logit_distortion[i] * quant.logit_distortion[i];
    }
    const double line_x[2] = {lo, hi};
    if (begin_plot("logits", plot, ImVec2(0, height), "exact logit beta <q, k>",
                   "estimated logit")) {
        plot_scatter("stream query with its own key", exact.data(), est.data(), static_cast<int>(n),
                     category_colour(0, 0.7f));
        LineStyle dashed;
        dashed.dashed = true;
        plot_line("y = x (no error)", line_x, line_x, 2, kThreshold, dashed);
        end_plot();
    }
    ImGui::Text("%zu samples: correlation %.4f, RMS logit error %.4g", n, correlation(exact, est),
                std::sqrt(sq / static_cast<double>(n)));
}

}  // namespace kvscope::ui
