#include "ui/plot.hpp"

#include "figure/covered_points.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>

namespace kvscope::ui {

namespace {

enum class Kind { Line, Scatter, Bars, VLine, HLine, Band };

struct Series {
    std::string label;
    Kind kind = Kind::Line;
    ImU32 colour = 0;
    std::vector<double> x, y;
    double bar_width = 0;
    int nan_count = 0;
    LineStyle style;
};

struct Marker {
    double x = 0;
    std::string text;
    ImU32 colour = 0;
    bool strong = false;
};

struct ActivePlot {
    PlotState* state = nullptr;
    std::vector<Marker> markers;
    ImVec2 frame_min, frame_max;  // whole widget
    ImVec2 area_min, area_max;    // data area
    std::string x_label, y_label;
    std::vector<Series> series;
    std::vector<ImVec4> tick_labels;  // x0, y0, x1, y1 of each tick label drawn
    bool hovered = false;
    float px = 1.0f;  // pixels per "point": lines and markers follow the font size (UI scale, 2x)
};

// One plot is open at a time (plots do not nest); this is frame-scoped scratch, not state.
ActivePlot g_plot;
PlotLayout g_last_layout;

bool finite(double v) {
    return std::isfinite(v);
}

double to_axis(double v, bool log) {
    return log ? (v > 0 ? std::log10(v) : NAN) : v;
}
double from_axis(double v, bool log) {
    return log ? std::pow(10.0, v) : v;
}

bool is_hidden(const PlotState& s, const std::string& label) {
    return std::find(s.hidden.begin(), s.hidden.end(), label) != s.hidden.end();
}

ImVec2 to_screen(double x, double y) {
    const PlotState& s = *g_plot.state;
    const double ax = to_axis(x, s.log_x), ay = to_axis(y, s.log_y);
    const double x0 = to_axis(s.x_min, s.log_x), x1 = to_axis(s.x_max, s.log_x);
    const double y0 = to_axis(s.y_min, s.log_y), y1 = to_axis(s.y_max, s.log_y);
    const float w = g_plot.area_max.x - g_plot.area_min.x;
    const float h = g_plot.area_max.y - g_plot.area_min.y;
    return ImVec2(g_plot.area_min.x + static_cast<float>((ax - x0) / (x1 - x0)) * w,
                  g_plot.area_max.y - static_cast<float>((ay - y0) / (y1 - y0)) * h);
}

void screen_to_data(ImVec2 p, double& x, double& y) {
    const PlotState& s = *g_plot.state;
    const double x0 = to_axis(s.x_min, s.log_x), x1 = to_axis(s.x_max, s.log_x);
    const double y0 = to_axis(s.y_min, s.log_y), y1 = to_axis(s.y_max, s.log_y);
    const double fx = (p.x - g_plot.area_min.x) / (g_plot.area_max.x - g_plot.area_min.x);
    const double fy = (g_plot.area_max.y - p.y) / (g_plot.area_max.y - g_plot.area_min.y);
    x = from_axis(x0 + fx * (x1 - x0), s.log_x);
    y = from_axis(y0 + fy * (y1 - y0), s.log_y);
}

void fit(PlotState& s) {
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (const auto& ser : g_plot.series) {
        if (is_hidden(s, ser.label) || !ser.style.fit) continue;
        if (ser.kind == Kind::HLine) {
            if (finite(to_axis(ser.y[0], s.log_y))) {
                ymin = std::min(ymin, ser.y[0]);
                ymax = std::max(ymax, ser.y[0]);
            }
            continue;
        }
        for (std::size_t i = 0; i < ser.x.size(); ++i) {
            const double x = ser.x[i];
            if (finite(to_axis(x, s.log_x))) {
                xmin = std::min(xmin, x - ser.bar_width / 2);
                xmax = std::max(xmax, x + ser.bar_width / 2);
            }
            if (ser.kind == Kind::VLine || ser.kind == Kind::Band || i < ser.style.fit_from)
                continue;
            const double y = ser.y[i];
            if (finite(to_axis(y, s.log_y)) && finite(to_axis(x, s.log_x))) {
                ymin = std::min(ymin, y);
                ymax = std::max(ymax, y);
            }
            if (ser.kind == Kind::Bars && !s.log_y) ymin = std::min(ymin, 0.0);
        }
    }
    if (s.log_y && ymin <= ymax && s.max_log_decades > 0) {
        ymin = std::max(ymin, ymax * std::pow(10.0, -s.max_log_decades));
    }
    if (!(xmin <= xmax)) xmin = s.log_x ? 1 : 0, xmax = s.log_x ? 10 : 1;
    if (!(ymin <= ymax)) ymin = s.log_y ? 1 : 0, ymax = s.log_y ? 10 : 1;
    auto pad = [](double& lo, double& hi, bool log) {
        double a = to_axis(lo, log), b = to_axis(hi, log);
        if (a == b) {  // one value: half a decade, or a tenth of the value, either side
            const double h = log || a == 0 ? 0.5 : 0.1 * std::abs(a);
            a -= h;
            b += h;
        }
        const double m = 0.05 * (b - a);
        lo = from_axis(a - m, log);
        hi = from_axis(b + m, log);
    };
    pad(xmin, xmax, s.log_x);
    pad(ymin, ymax, s.log_y);
    s.x_min = xmin;
    s.x_max = xmax;
    s.y_min = ymin;
    s.y_max = ymax;
}

// Label widths as ImGui will draw them, for the figure library's tick spacing.
class ImGuiTextMetrics final : public figure::TextMetrics {
  public:
    float width(std::string_view text, float size) const override {
        return ImGui::GetFont()
            ->CalcTextSizeA(size, FLT_MAX, 0.0f, text.data(), text.data() + text.size())
            .x;
    }
};

// Whether an axis range can be mapped to pixels. A session can hold any range (a log axis with
// lo = hi = 0 sent the tick loop on forever); such a range is refitted to the data.
bool drawable_range(double lo, double hi, bool log) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) return false;
    if (log && !(lo > 0)) return false;
    const double a = to_axis(lo, log), b = to_axis(hi, log);
    return std::isfinite(b - a) && b - a > 0;
}

// A dashed segment (6 px on, 4 px off), clipped to a sane length so a curve that leaves the view
// by many decades does not emit millions of dashes.
void stroke_dashed(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (!(len > 0) || !std::isfinite(len)) return;
    if (len > 20000.0f) {
        dl->AddLine(a, b, colour, thickness);
        return;
    }
    const float ux = dx / len, uy = dy / len;
    for (float t = 0; t < len; t += 10.0f) {
        const float e = std::min(len, t + 6.0f);
        dl->AddLine(ImVec2(a.x + ux * t, a.y + uy * t), ImVec2(a.x + ux * e, a.y + uy * e), colour,
                    thickness);
    }
}

void add_series(Series s) {
    g_plot.series.push_back(std::move(s));
}

// Where the legend goes. Inside the data area, in the corner that hides the fewest data samples
// (top right first on ties); when every corner would hide some, in the y label's row if every
// entry fits there, else in a band under the x label, entries flowing left to right (the data
// area shrinks to make room). Entries that do not fit fold into "+k more", listed on hover.
struct LegendLayout {
    std::vector<std::pair<const Series*, std::string>> entries;
    std::vector<ImVec2> at;  ///< top-left of each shown entry (swatch, then text)
    ImVec2 box_min, box_max;
    ImVec2 more_at;
    std::string more;
    float font_size = 0, row = 0;
    bool below = false;   ///< in a band under the x label (the data area shrank)
    bool header = false;  ///< in the y label's row, above the data area
};

float legend_text_width(const LegendLayout& L, const std::string& text) {
    return ImGui::GetFont()->CalcTextSizeA(L.font_size, FLT_MAX, 0, text.c_str()).x;
}

// "+k more" when only `shown` of the entries are drawn, else "".
std::string legend_more(const LegendLayout& L, std::size_t shown) {
    return shown < L.entries.size() ? "+" + std::to_string(L.entries.size() - shown) + " more"
                                    : std::string();
}

// Drops the last UTF-8 character of `t` (continuation bytes, then the lead byte).
void pop_character(std::string& t) {
    while (!t.empty()) {
        const auto c = static_cast<unsigned char>(t.back());
        t.pop_back();
        if ((c & 0xC0) != 0x80) break;
    }
}

// Cuts every entry wider than `max_w` with "…". A tail after two spaces (a family's fitted
// slope, "uniform budget=64…512  slope −0.62 [−0.7, −0.55]") is what the entry is there to say:
// the name before it is cut instead, when the tail alone fits.
void truncate_entries(LegendLayout& L, float max_w) {
    for (auto& e : L.entries) {
        if (max_w <= 0 || legend_text_width(L, e.second) <= max_w) continue;
        std::string& t = e.second;
        const std::size_t split = t.rfind("  ");
        std::string tail = split == std::string::npos ? std::string() : t.substr(split);
        if (!tail.empty() && legend_text_width(L, "…" + tail) <= max_w) {
            t.resize(split);
        } else {
            tail.clear();
        }
        while (!t.empty() && legend_text_width(L, t + "…" + tail) > max_w)
            pop_character(t);
        t += "…" + tail;
    }
}

// One entry per label (a label drawn as several series toggles them together), with its NaN
// count.
void legend_entries(LegendLayout& L) {
    for (std::size_t k = 0; k < g_plot.series.size(); ++k) {
        const Series& s = g_plot.series[k];
        bool repeated = false;
        for (std::size_t j = 0; j < k && !repeated; ++j)
            repeated = g_plot.series[j].label == s.label;
        if (repeated) continue;
        std::string entry = s.label;
        if (s.nan_count > 0) entry += " (" + std::to_string(s.nan_count) + " NaN)";
        L.entries.emplace_back(&s, std::move(entry));
    }
    L.font_size = 0.85f * ImGui::GetFontSize();
    L.row = L.font_size + g_plot.px;
    // An entry wider than the widget is cut with "…" so it stays inside the frame (hover on the
    // series still names it in full).
    truncate_entries(L, g_plot.frame_max.x - g_plot.frame_min.x - 3 * L.font_size);
}

// The legend as a right-aligned column in one of the data area's corners.
struct CornerBox {
    ImVec2 corner[4];  ///< top right, top left, bottom right, bottom left
    float w = 0, h = 0;
    std::size_t shown = 0;  ///< entries that fit (at most 70% of the area's height)
    int best = 0;           ///< the corner hiding the fewest data samples (the first on ties)
    int hidden = 0;         ///< data samples under it
};

CornerBox corner_box(const LegendLayout& L, const PlotState& st) {
    CornerBox b;
    const float area_h = g_plot.area_max.y - g_plot.area_min.y;
    b.shown = L.entries.size();
    if (static_cast<float>(b.shown) * L.row > 0.7f * area_h)
        b.shown = static_cast<std::size_t>(std::max(1.0f, 0.7f * area_h / L.row - 1));
    float widest = 0;
    for (const auto& e : L.entries)
        widest = std::max(widest, legend_text_width(L, e.second));
    const float u = g_plot.px;
    b.w = widest + 24 * u;
    b.h = L.row * static_cast<float>(b.shown + (b.shown < L.entries.size())) + 4 * u;
    const ImVec2 lo = g_plot.area_min, hi = g_plot.area_max;
    b.corner[0] = ImVec2(hi.x - b.w - 2 * u, lo.y + 2 * u);
    b.corner[1] = ImVec2(lo.x + 2 * u, lo.y + 2 * u);
    b.corner[2] = ImVec2(hi.x - b.w - 2 * u, hi.y - b.h - 2 * u);
    b.corner[3] = ImVec2(lo.x + 2 * u, hi.y - b.h - 2 * u);
    int hidden[4] = {0, 0, 0, 0};
    for (const Series& sr : g_plot.series) {
        // Data samples only: bars, marker lines and curves left out of the fit (theory) may
        // pass under the legend.
        if (sr.kind == Kind::Bars || sr.kind == Kind::HLine || sr.kind == Kind::VLine ||
            sr.kind == Kind::Band || !sr.style.fit || is_hidden(st, sr.label))
            continue;
        const auto covered = figure::covered_points(sr.x, sr.y, sr.kind == Kind::Line, 6 * u, 2000,
                                                    [](double x, double y) {
                                                        const ImVec2 p = to_screen(x, y);
                                                        return figure::Vec2{p.x, p.y};
                                                    });
        for (const figure::Vec2& q : covered) {
            for (int c = 0; c < 4; ++c) {
                hidden[c] += q.x >= b.corner[c].x && q.x <= b.corner[c].x + b.w &&
                             q.y >= b.corner[c].y && q.y <= b.corner[c].y + b.h;
            }
        }
    }
    for (int c = 1; c < 4; ++c)
        if (hidden[c] < hidden[b.best]) b.best = c;
    b.hidden = hidden[b.best];
    return b;
}

// One row to the right of the y label, when every entry fits there.
bool place_in_header(LegendLayout& L, const PlotState& st) {
    const float y_label_w =
        ImGui::CalcTextSize((g_plot.y_label + (st.log_y ? " (log)" : "")).c_str()).x;
    const float u = g_plot.px;
    float hx = std::max(g_plot.frame_min.x + y_label_w + 16 * u, g_plot.area_min.x);
    std::vector<ImVec2> header;
    for (const auto& e : L.entries) {
        header.emplace_back(hx, g_plot.frame_min.y + u);
        hx += 16 * u + legend_text_width(L, e.second) + 14 * u;
    }
    if (hx - 14 * u > g_plot.frame_max.x - 4 * u) return false;
    L.header = true;
    L.at = std::move(header);
    L.box_min = ImVec2(L.at.front().x - 3 * u, g_plot.frame_min.y);
    L.box_max = ImVec2(hx - 11 * u, g_plot.frame_min.y + L.row + 2 * u);
    return true;
}

// Rows of entries across the frame's width under the x label, at most `row_limit` (and 4) rows
// and a third of the frame's height, and only while the data area keeps 80 px at 1x (it shrinks
// to make room).
bool place_below(LegendLayout& L, int row_limit) {
    const float u = g_plot.px;
    const float left = g_plot.frame_min.x + 4 * u, right = g_plot.frame_max.x - 4 * u;
    const float frame_h = g_plot.frame_max.y - g_plot.frame_min.y;
    const float area_h = g_plot.area_max.y - g_plot.area_min.y;
    const int max_rows = std::min({4, row_limit, static_cast<int>(frame_h / 3 / L.row)});
    std::vector<ImVec2> at;
    float x = left;
    int rows = 1;
    std::size_t fit = 0;
    for (; fit < L.entries.size(); ++fit) {
        const float w = 16 * u + legend_text_width(L, L.entries[fit].second) + 14 * u;
        if (x + w > right && x > left) {
            if (rows == max_rows) break;
            ++rows;
            x = left;
        }
        at.emplace_back(x, static_cast<float>(rows - 1) * L.row);
        x += w;
    }
    // Room for "+k more": at the end of the last row, or on a row of its own while rows are
    // left (long names fill a row each), else in place of the last entries shown.
    if (fit < L.entries.size() && x + legend_text_width(L, legend_more(L, fit)) > right &&
        rows < max_rows) {
        ++rows;
        x = left;
    }
    while (fit < L.entries.size() && fit > 0 &&
           x + legend_text_width(L, legend_more(L, fit)) > right) {
        --fit;
        x = at.back().x;
        at.pop_back();
    }
    const float band_h = static_cast<float>(rows) * L.row + 6 * u;
    if (max_rows < 1 || fit == 0 || area_h - band_h < 80 * u) return false;
    L.below = true;
    g_plot.area_max.y -= band_h;
    L.box_min = ImVec2(g_plot.frame_min.x, g_plot.frame_max.y - band_h);
    L.box_max = g_plot.frame_max;
    for (auto& p : at)
        L.at.emplace_back(p.x, L.box_min.y + 3 * u + p.y);
    L.more = legend_more(L, fit);
    L.more_at = ImVec2(x, L.box_min.y + 3 * u + static_cast<float>(rows - 1) * L.row);
    return true;
}

void place_in_corner(LegendLayout& L, const CornerBox& b) {
    const ImVec2 c = b.corner[b.best];
    L.box_min = c;
    L.box_max = ImVec2(c.x + b.w, c.y + b.h);
    const float u = g_plot.px;
    float y = L.box_min.y + 2 * u;
    for (std::size_t k = 0; k < b.shown; ++k, y += L.row)
        L.at.emplace_back(L.box_max.x - legend_text_width(L, L.entries[k].second) - 20 * u, y);
    L.more = legend_more(L, b.shown);
    L.more_at = ImVec2(L.box_max.x - legend_text_width(L, L.more) - 4 * u, y);
}

LegendLayout layout_legend(const PlotState& st) {
    LegendLayout L;
    legend_entries(L);
    if (L.entries.empty()) return L;
    CornerBox box = corner_box(L, st);
    // A column wider than the data area would spill over the y tick labels.
    const float area_w = g_plot.area_max.x - g_plot.area_min.x;
    const bool fits = box.w <= 0.9f * area_w;
    if (box.hidden > 0 || !fits) {
        if (place_in_header(L, st)) return L;
        // Fewer rows (more folded into "+k more") rather than a column over the data: a short
        // plot (the explorer's error plots at 720 px) had room for one row, not for four.
        for (int rows = 4; rows >= 1; --rows)
            if (place_below(L, rows)) return L;
    }
    if (!fits) {
        truncate_entries(L, 0.9f * area_w - 24 * g_plot.px);
        box = corner_box(L, st);
    }
    place_in_corner(L, box);
    return L;
}

}  // namespace

PlotLayout last_plot_layout() {
    return g_last_layout;
}

std::vector<figure::Tick> axis_ticks(double lo, double hi, bool log, float pixels, bool horizontal,
                                     const figure::TextMetrics* metrics, float font_size) {
    // The figure library's ticks (those of `kvscope plot`), so a narrow log axis gets labelled
    // 1-2-5 ticks instead of one decade label, and labels never collide. A range a session can
    // hold but not draw gives none; the count is capped whatever the range.
    constexpr std::size_t kMaxTicks = 64;
    if (!(pixels > 0) || !drawable_range(lo, hi, log)) return {};
    auto ticks =
        figure::make_ticks(lo, hi, log, figure::TickSpace{pixels, horizontal, font_size, metrics});
    std::erase_if(ticks, [&](const figure::Tick& t) { return !(t.value >= lo && t.value <= hi); });
    if (ticks.size() > kMaxTicks) ticks.resize(kMaxTicks);
    return ticks;
}

int decimated_size(int count, float width) {
    const int columns = std::max(1, static_cast<int>(width));
    return count <= 2 * columns ? count : 2 * columns;
}

bool begin_plot(const char* id, PlotState& state, ImVec2 size, const char* x_label,
                const char* y_label) {
    ImGui::PushID(id);
    if (size.x <= 0) size.x = ImGui::GetContentRegionAvail().x;
    if (size.y <= 0) size.y = 250;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##plot", size,
                           ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
    g_plot = ActivePlot{};
    g_plot.state = &state;
    g_plot.px = std::max(1.0f, ImGui::GetFontSize() / 15.0f);
    g_plot.hovered = ImGui::IsItemHovered();
    g_plot.frame_min = pos;
    g_plot.frame_max = ImVec2(pos.x + size.x, pos.y + size.y);
    const float line = ImGui::GetTextLineHeight();
    g_plot.area_min = ImVec2(pos.x + 4.5f * line, pos.y + 1.4f * line);  // y label row above
    g_plot.area_max = ImVec2(g_plot.frame_max.x - 0.5f * line, g_plot.frame_max.y - 2.6f * line);
    g_plot.x_label = x_label ? x_label : "";
    g_plot.y_label = y_label ? y_label : "";
    if (!ImGui::IsItemVisible()) {
        ImGui::PopID();
        g_plot.state = nullptr;
        return false;
    }
    return true;
}

void plot_line(const char* label, const double* xs, const double* ys, int count, ImU32 colour) {
    Series s;
    s.label = label;
    s.kind = Kind::Line;
    s.colour = colour;
    s.x.assign(xs, xs + count);
    s.y.assign(ys, ys + count);
    add_series(std::move(s));
}

void plot_scatter(const char* label, const double* xs, const double* ys, int count, ImU32 colour) {
    plot_line(label, xs, ys, count, colour);
    g_plot.series.back().kind = Kind::Scatter;
}

void plot_histogram(const char* label, const double* values, int count, int bins, ImU32 colour) {
    Series s;
    s.label = label;
    s.kind = Kind::Bars;
    s.colour = colour;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < count; ++i) {
        if (!finite(values[i])) {
            ++s.nan_count;
            continue;
        }
        lo = std::min(lo, values[i]);
        hi = std::max(hi, values[i]);
    }
    if (lo <= hi && bins > 0) {
        if (lo == hi) hi = lo + 1;
        std::vector<double> h(static_cast<std::size_t>(bins), 0.0);
        for (int i = 0; i < count; ++i) {
            if (!finite(values[i])) continue;
            int b = static_cast<int>((values[i] - lo) / (hi - lo) * bins);
            h[static_cast<std::size_t>(std::clamp(b, 0, bins - 1))] += 1;
        }
        s.bar_width = (hi - lo) / bins;
        for (int b = 0; b < bins; ++b) {
            s.x.push_back(lo + (b + 0.5) * s.bar_width);
            s.y.push_back(h[static_cast<std::size_t>(b)]);
        }
    }
    add_series(std::move(s));
}

void plot_vline(const char* label, double x, ImU32 colour) {
    Series s;
    s.label = label;
    s.kind = Kind::VLine;
    s.colour = colour;
    s.x = {x};
    s.y = {0.0};
    add_series(std::move(s));
}

void plot_band(const char* label, double x0, double x1, ImU32 colour) {
    Series s;
    s.label = label;
    s.kind = Kind::Band;
    s.colour = colour;
    s.x = {std::min(x0, x1), std::max(x0, x1)};
    s.y = {0.0, 0.0};
    add_series(std::move(s));
}

void plot_marker(double x, const std::string& text, ImU32 colour, bool strong) {
    if (!g_plot.state) return;
    g_plot.markers.push_back({x, text, colour, strong});
}

void plot_hline(const char* label, double y, ImU32 colour) {
    Series s;
    s.label = label;
    s.kind = Kind::HLine;
    s.colour = colour;
    s.x = {0.0};
    s.y = {y};
    add_series(std::move(s));
}

void plot_line(const char* label, const double* xs, const double* ys, int count, ImU32 colour,
               const LineStyle& style) {
    plot_line(label, xs, ys, count, colour);
    g_plot.series.back().style = style;
}

namespace {

// Double-click fits; wheel zooms about the mouse; left drag pans; right drag boxes a zoom.
// Returns true while a box is being dragged.
bool handle_interaction(PlotState& st) {
    ImGuiIO& io = ImGui::GetIO();
    if (g_plot.hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) st.auto_fit = true;
    if (st.auto_fit || !drawable_range(st.x_min, st.x_max, st.log_x) ||
        !drawable_range(st.y_min, st.y_max, st.log_y)) {
        fit(st);
    }
    if (g_plot.hovered && io.MouseWheel != 0) {
        double cx, cy;
        screen_to_data(io.MousePos, cx, cy);
        const double f = io.MouseWheel > 0 ? 0.8 : 1.25;
        auto zoom = [f](double& lo, double& hi, double c, bool log) {
            const double a = to_axis(lo, log), b = to_axis(hi, log), m = to_axis(c, log);
            lo = from_axis(m + (a - m) * f, log);
            hi = from_axis(m + (b - m) * f, log);
        };
        zoom(st.x_min, st.x_max, cx, st.log_x);
        zoom(st.y_min, st.y_max, cy, st.log_y);
        st.auto_fit = false;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        const ImVec2 d = io.MouseDelta;
        double x0, y0, x1, y1;
        screen_to_data(ImVec2(io.MousePos.x - d.x, io.MousePos.y - d.y), x0, y0);
        screen_to_data(io.MousePos, x1, y1);
        auto shift = [](double& lo, double& hi, double from, double to, bool log) {
            const double delta = to_axis(from, log) - to_axis(to, log);
            lo = from_axis(to_axis(lo, log) + delta, log);
            hi = from_axis(to_axis(hi, log) + delta, log);
        };
        shift(st.x_min, st.x_max, x0, x1, st.log_x);
        shift(st.y_min, st.y_max, y0, y1, st.log_y);
        st.auto_fit = false;
    }
    const bool boxing = ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Right);
    if (g_plot.hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Right)) {
        const ImVec2 a = io.MouseClickedPos[ImGuiMouseButton_Right], b = io.MousePos;
        if (std::abs(a.x - b.x) > 4 && std::abs(a.y - b.y) > 4) {
            double xa, ya, xb, yb;
            screen_to_data(a, xa, ya);
            screen_to_data(b, xb, yb);
            st.x_min = std::min(xa, xb);
            st.x_max = std::max(xa, xb);
            st.y_min = std::min(ya, yb);
            st.y_max = std::max(ya, yb);
            st.auto_fit = false;
        }
    }
    return boxing;
}

// The left margin fits the widest y tick label and the right margin the last x tick label's
// overhang, so the frame clips no label at any font size (the x ticks depend on the width the
// left margin leaves, and the overhang on the ticks: two passes settle it).
void fit_margins(const PlotState& st) {
    const ImGuiTextMetrics metrics;
    const float font = ImGui::GetFontSize(), u = g_plot.px;
    float widest = 0;
    for (const auto& t : axis_ticks(st.y_min, st.y_max, st.log_y,
                                    g_plot.area_max.y - g_plot.area_min.y, false, &metrics, font))
        if (!t.label.empty()) widest = std::max(widest, metrics.width(t.label, font));
    g_plot.area_min.x = g_plot.frame_min.x + std::max(2.0f * font, widest + 6 * u);
    for (int pass = 0; pass < 2; ++pass) {
        const float w = g_plot.area_max.x - g_plot.area_min.x;
        float overhang = 0;
        for (const auto& t : axis_ticks(st.x_min, st.x_max, st.log_x, w, true, &metrics, font)) {
            if (t.label.empty()) continue;
            const float x = to_screen(t.value, st.y_min).x - g_plot.area_min.x;
            overhang = std::max(overhang, x + 0.5f * metrics.width(t.label, font) - w);
        }
        g_plot.area_max.x = g_plot.frame_max.x - std::max(0.5f * font, overhang + 2 * u);
    }
}

// Frame, grid, tick labels and axis labels. An x tick label that would touch a y tick label in
// the bottom-left corner, or leave the frame, is dropped.
void draw_axes(const PlotState& st, ImDrawList* dl) {
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 grid = ImGui::GetColorU32(ImGuiCol_TextDisabled, 0.35f);
    dl->AddRectFilled(g_plot.area_min, g_plot.area_max, ImGui::GetColorU32(ImGuiCol_FrameBg));
    const float line = ImGui::GetTextLineHeight();
    const ImGuiTextMetrics metrics;
    const float font = ImGui::GetFontSize(), u = g_plot.px;
    std::vector<ImVec4> y_rects;  // x0, y0, x1, y1 of each y tick label
    for (const auto& t : axis_ticks(st.y_min, st.y_max, st.log_y,
                                    g_plot.area_max.y - g_plot.area_min.y, false, &metrics, font)) {
        const float y = to_screen(st.x_min, t.value).y;
        if (t.major)
            dl->AddLine(ImVec2(g_plot.area_min.x, y), ImVec2(g_plot.area_max.x, y), grid);
        else
            dl->AddLine(ImVec2(g_plot.area_min.x, y), ImVec2(g_plot.area_min.x + 4 * u, y), grid);
        if (t.label.empty()) continue;
        const float w = ImGui::CalcTextSize(t.label.c_str()).x;
        const ImVec2 at(g_plot.area_min.x - w - 4 * u, y - line / 2);
        y_rects.emplace_back(at.x, at.y, at.x + w, at.y + line);
        dl->AddText(at, text, t.label.c_str());
    }
    for (const auto& t : axis_ticks(st.x_min, st.x_max, st.log_x,
                                    g_plot.area_max.x - g_plot.area_min.x, true, &metrics, font)) {
        const float x = to_screen(t.value, st.y_min).x;
        if (t.major)
            dl->AddLine(ImVec2(x, g_plot.area_min.y), ImVec2(x, g_plot.area_max.y), grid);
        else
            dl->AddLine(ImVec2(x, g_plot.area_max.y - 4 * u), ImVec2(x, g_plot.area_max.y), grid);
        if (t.label.empty()) continue;
        const float w = ImGui::CalcTextSize(t.label.c_str()).x;
        const ImVec2 at(x - w / 2, g_plot.area_max.y + 2 * u);
        bool clash = at.x < g_plot.frame_min.x || at.x + w > g_plot.frame_max.x;
        for (const ImVec4& r : y_rects)
            clash = clash || (at.x < r.z && at.x + w > r.x && at.y < r.w && at.y + line > r.y);
        if (clash) continue;
        dl->AddText(at, text, t.label.c_str());
        g_plot.tick_labels.emplace_back(at.x, at.y, at.x + w, at.y + line);
    }
    g_plot.tick_labels.insert(g_plot.tick_labels.end(), y_rects.begin(), y_rects.end());
    const std::string xl = g_plot.x_label + (st.log_x ? " (log)" : "");
    const std::string yl = g_plot.y_label + (st.log_y ? " (log)" : "");
    dl->AddText(
        ImVec2((g_plot.area_min.x + g_plot.area_max.x - ImGui::CalcTextSize(xl.c_str()).x) / 2,
               g_plot.area_max.y + 1.3f * line),
        text, xl.c_str());
    dl->AddText(ImVec2(g_plot.frame_min.x, g_plot.frame_min.y), text, yl.c_str());
}

// A line or scatter series, decimated per pixel column (the first, min and max samples kept);
// a NaN (or a non-positive value on a log axis) breaks the line.
void draw_points(const Series& s, float width, ImDrawList* dl) {
    std::vector<ImVec2> pts;
    const int n = static_cast<int>(s.x.size());
    const bool decimate = decimated_size(n, width) < n;
    int column = std::numeric_limits<int>::min();
    ImVec2 lo, hi;
    auto flush = [&] {
        if (column == std::numeric_limits<int>::min()) return;
        pts.push_back(lo);
        if (hi.y != lo.y) pts.push_back(hi);
    };
    auto stroke = [&] {
        if (s.kind == Kind::Line && pts.size() >= 2) {
            if (s.style.dashed) {
                for (std::size_t k = 1; k < pts.size(); ++k)
                    stroke_dashed(dl, pts[k - 1], pts[k], s.colour, s.style.thickness * g_plot.px);
            } else {
                dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), s.colour, 0,
                                s.style.thickness * g_plot.px);
            }
        }
        if (s.kind == Kind::Scatter || pts.size() == 1) {
            for (const auto& p : pts)
                dl->AddCircleFilled(p, 3.0f * g_plot.px, s.colour);
        }
        pts.clear();
    };
    for (int i = 0; i < n; ++i) {
        const ImVec2 p = to_screen(s.x[i], s.y[i]);
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
            flush();
            column = std::numeric_limits<int>::min();
            stroke();
            continue;
        }
        if (!decimate) {
            pts.push_back(p);
            continue;
        }
        const int c = static_cast<int>(p.x);
        if (c != column) {
            flush();
            column = c;
            lo = hi = p;
        } else {
            if (p.y > lo.y) lo = p;
            if (p.y < hi.y) hi = p;
        }
    }
    flush();
    stroke();
}

// One series, clipped to the data area by the caller: NaN marks on the top edge (even when the
// series is hidden), then its marker line, bars or points.
void draw_series(const Series& s, const PlotState& st, ImDrawList* dl) {
    if (s.kind != Kind::Bars && s.kind != Kind::HLine) {
        for (std::size_t i = 0; i < s.y.size(); ++i) {
            if (std::isnan(s.y[i])) {
                const float x = to_screen(s.x[i], st.y_min).x;
                dl->AddLine(ImVec2(x, g_plot.area_min.y), ImVec2(x, g_plot.area_min.y + 6),
                            IM_COL32(230, 40, 40, 255), 2.0f);
            }
        }
    }
    if (is_hidden(st, s.label)) return;
    if (s.kind == Kind::VLine) {
        const float x = to_screen(s.x[0], st.y_min).x;
        dl->AddLine(ImVec2(x, g_plot.area_min.y), ImVec2(x, g_plot.area_max.y), s.colour,
                    1.5f * g_plot.px);
    } else if (s.kind == Kind::Band) {
        const float a = to_screen(s.x[0], st.y_min).x, b = to_screen(s.x[1], st.y_min).x;
        ImVec4 c = ImGui::ColorConvertU32ToFloat4(s.colour);
        c.w *= 0.22f;
        dl->AddRectFilled(ImVec2(std::min(a, b), g_plot.area_min.y),
                          ImVec2(std::max(a, b) + 1, g_plot.area_max.y),
                          ImGui::ColorConvertFloat4ToU32(c));
    } else if (s.kind == Kind::HLine) {
        const float y = to_screen(st.x_min, s.y[0]).y;
        if (std::isfinite(y)) {
            stroke_dashed(dl, ImVec2(g_plot.area_min.x, y), ImVec2(g_plot.area_max.x, y), s.colour,
                          1.5f);
        }
    } else if (s.kind == Kind::Bars) {
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            const ImVec2 a = to_screen(s.x[i] - s.bar_width / 2, s.y[i]);
            const ImVec2 b = to_screen(s.x[i] + s.bar_width / 2, st.log_y ? st.y_min : 0.0);
            dl->AddRectFilled(ImVec2(a.x, std::min(a.y, b.y)), ImVec2(b.x, std::max(a.y, b.y)),
                              s.colour);
        }
    } else {
        draw_points(s, g_plot.area_max.x - g_plot.area_min.x, dl);
    }
}

// Hover readout: the nearest sample (in screen space) of any visible series.
void draw_hover(const PlotState& st, ImDrawList* dl) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const Series* best = nullptr;
    std::size_t best_i = 0;
    float best_d = 20.0f * 20.0f;
    for (const auto& s : g_plot.series) {
        if (is_hidden(st, s.label) || s.kind == Kind::VLine || s.kind == Kind::HLine ||
            s.kind == Kind::Band)
            continue;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            const ImVec2 p = to_screen(s.x[i], s.y[i]);
            const float dx = p.x - m.x, dy = p.y - m.y;
            if (dx * dx + dy * dy < best_d) {
                best_d = dx * dx + dy * dy;
                best = &s;
                best_i = i;
            }
        }
    }
    if (!best) return;
    dl->AddCircle(to_screen(best->x[best_i], best->y[best_i]), 5.0f * g_plot.px,
                  ImGui::GetColorU32(ImGuiCol_Text));
    ImGui::SetTooltip("%s\n%s = %.6g\n%s = %.6g", best->label.c_str(), g_plot.x_label.c_str(),
                      best->x[best_i], g_plot.y_label.c_str(), best->y[best_i]);
}

// The legend's entries; a click on one toggles its series; "+k more" lists the rest on hover.
void draw_legend(const LegendLayout& legend, PlotState& st, ImDrawList* dl) {
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 grid = ImGui::GetColorU32(ImGuiCol_TextDisabled, 0.35f);
    if (!legend.entries.empty()) {
        ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
        bg.w = legend.below || legend.header ? 1.0f : 0.55f;
        dl->AddRectFilled(legend.box_min, legend.box_max, ImGui::ColorConvertFloat4ToU32(bg),
                          3 * g_plot.px);
    }
    ImFont* font = ImGui::GetFont();
    const float fs = legend.font_size, u = g_plot.px;
    const ImVec2 m = ImGui::GetIO().MousePos;
    for (std::size_t k = 0; k < legend.at.size(); ++k) {
        const Series& s = *legend.entries[k].first;
        const std::string& entry = legend.entries[k].second;
        const ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0, entry.c_str());
        const ImVec2 p = legend.at[k];
        const bool off = is_hidden(st, s.label);
        if (s.style.dashed || s.kind == Kind::HLine) {
            const float my = p.y + ts.y / 2;
            dl->AddLine(ImVec2(p.x, my), ImVec2(p.x + 4 * u, my), off ? grid : s.colour, 2 * u);
            dl->AddLine(ImVec2(p.x + 8 * u, my), ImVec2(p.x + 12 * u, my), off ? grid : s.colour,
                        2 * u);
        } else {
            dl->AddRectFilled(ImVec2(p.x, p.y + 3 * u), ImVec2(p.x + 12 * u, p.y + ts.y - 3 * u),
                              off ? grid : s.colour);
        }
        dl->AddText(font, fs, ImVec2(p.x + 16 * u, p.y), off ? grid : text, entry.c_str());
        if (g_plot.hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left) && m.x >= p.x &&
            m.x <= p.x + ts.x + 16 * u && m.y >= p.y && m.y <= p.y + ts.y) {
            if (off) {
                st.hidden.erase(std::find(st.hidden.begin(), st.hidden.end(), s.label));
            } else {
                st.hidden.push_back(s.label);
            }
        }
    }
    if (legend.more.empty()) return;
    const ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0, legend.more.c_str());
    const ImVec2 p = legend.more_at;
    dl->AddText(font, fs, p, text, legend.more.c_str());
    if (g_plot.hovered && m.x >= p.x && m.x <= p.x + ts.x && m.y >= p.y && m.y <= p.y + ts.y) {
        std::string rest;
        for (std::size_t k = legend.at.size(); k < legend.entries.size(); ++k)
            rest += (rest.empty() ? "" : "\n") + legend.entries[k].second;
        ImGui::SetTooltip("%s", rest.c_str());
    }
}

// Event markers: dashed lines over the data area; strong ones carry their text at the top (in
// rows, so neighbours do not overlap); any marker's text shows when the mouse is on its line.
void draw_markers(const PlotState& st, ImDrawList* dl) {
    const float top = g_plot.area_min.y, bottom = g_plot.area_max.y;
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    bg.w = 0.8f;
    std::vector<float> row_end;  // right edge of the last label in each row
    const ImVec2 m = ImGui::GetIO().MousePos;
    std::string hover;
    for (const Marker& mk : g_plot.markers) {
        const float x = to_screen(mk.x, st.y_min).x;
        if (!std::isfinite(x) || x < g_plot.area_min.x || x > g_plot.area_max.x) continue;
        const float dash = 4 * g_plot.px, width = (mk.strong ? 2.0f : 1.0f) * g_plot.px;
        for (float y = top; y < bottom; y += 2 * dash)
            dl->AddLine(ImVec2(x, y), ImVec2(x, std::min(bottom, y + dash)), mk.colour, width);
        if (g_plot.hovered && std::abs(m.x - x) <= 4 * g_plot.px) hover += mk.text + "\n";
        if (!mk.strong) continue;
        const ImVec2 ts = ImGui::CalcTextSize(mk.text.c_str());
        float lx = x + 3 * g_plot.px;
        if (lx + ts.x > g_plot.area_max.x) lx = x - 3 * g_plot.px - ts.x;
        std::size_t row = 0;
        while (row < row_end.size() && row_end[row] > lx)
            ++row;
        if (row == row_end.size()) row_end.push_back(0);
        row_end[row] = lx + ts.x + 6 * g_plot.px;
        const ImVec2 p(lx, top + 2 * g_plot.px + static_cast<float>(row) * ts.y);
        dl->AddRectFilled(p, ImVec2(p.x + ts.x, p.y + ts.y), ImGui::ColorConvertFloat4ToU32(bg));
        dl->AddText(p, text, mk.text.c_str());
    }
    if (!hover.empty()) {
        hover.pop_back();
        ImGui::SetTooltip("%s", hover.c_str());
    }
}

void record_layout(const LegendLayout& legend) {
    g_last_layout.frame_min = g_plot.frame_min;
    g_last_layout.frame_max = g_plot.frame_max;
    g_last_layout.area_min = g_plot.area_min;
    g_last_layout.area_max = g_plot.area_max;
    g_last_layout.legend_min = legend.box_min;
    g_last_layout.legend_max = legend.box_max;
    g_last_layout.legend_below = legend.below;
    g_last_layout.legend_header = legend.header;
    g_last_layout.legend_shown = static_cast<int>(legend.at.size());
    g_last_layout.tick_labels = g_plot.tick_labels;
    g_last_layout.legend_text.clear();
    for (std::size_t k = 0; k < legend.at.size(); ++k)
        g_last_layout.legend_text.push_back(legend.entries[k].second);
}

}  // namespace

void end_plot() {
    if (!g_plot.state) return;
    PlotState& st = *g_plot.state;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    fit_margins(st);  // with the last frame's ranges, so the mouse maps as drawn
    const bool boxing = handle_interaction(st);
    // NaN samples, counted for the legend (histograms count theirs when binned).
    for (auto& s : g_plot.series) {
        if (s.kind == Kind::Bars || s.kind == Kind::HLine || s.kind == Kind::Band) continue;
        s.nan_count = static_cast<int>(
            std::count_if(s.y.begin(), s.y.end(), [](double v) { return std::isnan(v); }));
    }
    // Margins for the ranges just fitted; again after the legend, whose band may shorten the
    // data area, which may then take other y ticks.
    fit_margins(st);
    const LegendLayout legend = layout_legend(st);
    fit_margins(st);
    draw_axes(st, dl);
    dl->PushClipRect(g_plot.area_min, g_plot.area_max, true);
    for (const auto& s : g_plot.series)
        draw_series(s, st, dl);
    draw_markers(st, dl);
    const ImGuiIO& io = ImGui::GetIO();
    if (boxing) {
        dl->AddRect(io.MouseClickedPos[ImGuiMouseButton_Right], io.MousePos,
                    ImGui::GetColorU32(ImGuiCol_PlotLinesHovered));
    }
    dl->PopClipRect();
    if (g_plot.hovered && !boxing) draw_hover(st, dl);
    draw_legend(legend, st, dl);
    record_layout(legend);
    g_plot.state = nullptr;
    g_plot.series.clear();
    g_plot.markers.clear();
    ImGui::PopID();
}

}  // namespace kvscope::ui
