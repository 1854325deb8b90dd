#include "figure/plot_layout.hpp"

#include "figure/covered_points.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kvscope::figure {

// ---- the spec ----

int PlotSpec::add_legend(LegendEntry entry) {
    for (std::size_t i = 0; i < legend.size(); ++i)
        if (legend[i].key == entry.key) return static_cast<int>(i);
    legend.push_back(std::move(entry));
    return static_cast<int>(legend.size()) - 1;
}

const std::string& PlotSpec::key_of(const Series& s) const {
    if (!s.key.empty() || s.legend < 0 || s.legend >= static_cast<int>(legend.size())) return s.key;
    return legend[static_cast<std::size_t>(s.legend)].key;
}

bool PlotSpec::is_hidden(const Series& s) const {
    const std::string& k = key_of(s);
    return !k.empty() && std::find(hidden.begin(), hidden.end(), k) != hidden.end();
}

namespace {

double to_axis(double v, bool log) {
    return log ? (v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN()) : v;
}
double from_axis(double v, bool log) {
    return log ? std::pow(10.0, v) : v;
}

void pad_range(double& lo, double& hi, bool log) {
    double a = to_axis(lo, log), b = to_axis(hi, log);
    if (a == b) {
        a -= log ? 0.5 : std::max(0.5, std::abs(a) * 0.1);
        b += log ? 0.5 : std::max(0.5, std::abs(b) * 0.1);
    }
    const double m = 0.05 * (b - a);
    lo = from_axis(a - m, log);
    hi = from_axis(b + m, log);
}

}  // namespace

View fit_view(const PlotSpec& spec) {
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    const bool lx = spec.x.log, ly = spec.y.log;
    for (const auto& s : spec.series) {
        if (spec.is_hidden(s) || !s.style.fit) continue;
        if (s.kind == SeriesKind::HLine) {
            if (!s.y.empty() && std::isfinite(to_axis(s.y[0], ly))) {
                ymin = std::min(ymin, s.y[0]);
                ymax = std::max(ymax, s.y[0]);
            }
            continue;
        }
        for (std::size_t i = s.fit_from; i < s.x.size(); ++i) {
            const double x = s.x[i];
            if (!std::isfinite(to_axis(x, lx))) continue;
            xmin = std::min(xmin, x - s.bar_width / 2);
            xmax = std::max(xmax, x + s.bar_width / 2);
            if (s.kind == SeriesKind::VLine || i >= s.y.size()) continue;
            const double y = s.y[i];
            if (std::isfinite(to_axis(y, ly))) {
                ymin = std::min(ymin, y);
                ymax = std::max(ymax, y);
            }
            if (s.kind == SeriesKind::Bars && !ly) ymin = std::min(ymin, 0.0);
        }
    }
    if (ly && ymin <= ymax && spec.max_log_decades > 0)
        ymin = std::max(ymin, ymax * std::pow(10.0, -spec.max_log_decades));
    if (!(xmin <= xmax)) xmin = lx ? 1 : 0, xmax = lx ? 10 : 1;
    if (!(ymin <= ymax)) ymin = ly ? 1 : 0, ymax = ly ? 10 : 1;
    pad_range(xmin, xmax, lx);
    pad_range(ymin, ymax, ly);
    return {xmin, xmax, ymin, ymax};
}

// ---- style ----

Rgba PlotStyle::ground() const {
    return background ? blend(area, background) : blend(area, rgba(255, 255, 255));
}

PlotStyle paper_style(float scale) {
    PlotStyle s;
    s.font_size = 15 * scale;
    s.px = scale;
    return s;
}

PlotStyle dark_style(float scale) {
    PlotStyle s = paper_style(scale);
    // The explorer's dark theme: window and data-area colours as ImGui's dark style blends them.
    s.background = rgba(15, 15, 15);
    s.area = rgba(29, 47, 73);
    s.grid = rgba(255, 255, 255, 36);
    s.grid_minor = rgba(255, 255, 255, 16);
    s.text = rgba(255, 255, 255);
    s.text_dim = rgba(128, 128, 128);
    s.legend_bg = rgba(15, 15, 15, 200);
    return s;
}

// ---- layout ----

Vec2 PlotLayout::to_screen(double x, double y) const {
    const double fx = (to_axis(x, log_x) - to_axis(view.x_min, log_x)) /
                      (to_axis(view.x_max, log_x) - to_axis(view.x_min, log_x));
    const double fy = (to_axis(y, log_y) - to_axis(view.y_min, log_y)) /
                      (to_axis(view.y_max, log_y) - to_axis(view.y_min, log_y));
    return {area.x0 + static_cast<float>(fx) * area.width(),
            area.y1 - static_cast<float>(fy) * area.height()};
}

void PlotLayout::to_data(Vec2 p, double& x, double& y) const {
    const double fx = (p.x - area.x0) / area.width();
    const double fy = (area.y1 - p.y) / area.height();
    const double x0 = to_axis(view.x_min, log_x), x1 = to_axis(view.x_max, log_x);
    const double y0 = to_axis(view.y_min, log_y), y1 = to_axis(view.y_max, log_y);
    x = from_axis(x0 + fx * (x1 - x0), log_x);
    y = from_axis(y0 + fy * (y1 - y0), log_y);
}

namespace {

struct Ctx {
    const PlotSpec& spec;
    const PlotStyle& style;
    const TextMetrics& m;
    PlotLayout& L;
};

float legend_row(const PlotLayout& L) {
    return L.legend_font + 2 * L.px;
}
float swatch_width(const PlotLayout& L) {
    return 1.3f * L.legend_font;
}
float entry_width(const Ctx& c, int entry) {
    const LegendEntry& e = c.spec.legend[static_cast<std::size_t>(entry)];
    return swatch_width(c.L) + 0.35f * c.L.legend_font + c.m.width(e.text, c.L.legend_font);
}

// Ticks along both axes for the current area; the left margin follows the widest y label and
// the right margin the last x label's overhang. Returns true when the area changed.
bool place_ticks(Ctx& c) {
    PlotLayout& L = c.L;
    const float fs = L.font_size;
    const Rect before = L.area;
    L.y_ticks = make_ticks(L.view.y_min, L.view.y_max, L.log_y,
                           TickSpace{L.area.height(), false, fs, &c.m});
    float widest = 0;
    for (const auto& t : L.y_ticks)
        if (!t.label.empty()) widest = std::max(widest, c.m.width(t.label, fs));
    L.area.x0 = L.frame.x0 + std::max(2.0f * fs, widest + 0.6f * fs);
    L.x_ticks =
        make_ticks(L.view.x_min, L.view.x_max, L.log_x, TickSpace{L.area.width(), true, fs, &c.m});
    float overhang = 0;
    for (const auto& t : L.x_ticks) {
        if (t.label.empty()) continue;
        const float x =
            static_cast<float>(axis_fraction(t.value, L.view.x_min, L.view.x_max, L.log_x)) *
            L.area.width();
        overhang = std::max(overhang, x + 0.5f * c.m.width(t.label, fs) - L.area.width());
    }
    L.area.x1 = L.frame.x1 - std::max(0.6f * fs, overhang + 2 * L.px);
    return before.x0 != L.area.x0 || before.x1 != L.area.x1 || before.y1 != L.area.y1;
}

// Screen points of the measured series (and points along their segments), to count what a
// legend box would hide.
std::vector<Vec2> data_points(const Ctx& c) {
    std::vector<Vec2> pts;
    for (const auto& s : c.spec.series) {
        if (!s.style.data || c.spec.is_hidden(s)) continue;
        if (s.kind != SeriesKind::Line && s.kind != SeriesKind::Scatter) continue;
        const auto covered =
            covered_points(s.x, s.y, s.kind == SeriesKind::Line, 6 * c.L.px, 1500,
                           [&](double x, double y) { return c.L.to_screen(x, y); });
        pts.insert(pts.end(), covered.begin(), covered.end());
    }
    return pts;
}

int count_inside(const std::vector<Vec2>& pts, const Rect& r) {
    int n = 0;
    for (const auto& p : pts)
        n += r.contains(p);
    return n;
}

// Entries stacked in a column at the box's top-left corner.
void stack_entries(Ctx& c, const std::vector<int>& entries, std::size_t shown, Rect box) {
    PlotLayout& L = c.L;
    const float row = legend_row(L), pad = 0.3f * L.legend_font;
    L.legend_box = box;
    L.slots.clear();
    for (std::size_t k = 0; k < shown; ++k) {
        const float y = box.y0 + pad + row * static_cast<float>(k);
        L.slots.push_back({entries[k], Rect{box.x0 + pad, y,
                                            box.x0 + pad + entry_width(c, entries[k]), y + row}});
    }
    L.folded.assign(entries.begin() + static_cast<std::ptrdiff_t>(shown), entries.end());
    if (!L.folded.empty()) {
        L.more = "+" + std::to_string(L.folded.size()) + " more";
        const float y = box.y0 + pad + row * static_cast<float>(shown);
        L.more_rect = {box.x0 + pad, y, box.x0 + pad + c.m.width(L.more, L.legend_font), y + row};
    }
}

bool place_header(Ctx& c, const std::vector<int>& entries) {
    PlotLayout& L = c.L;
    const float gap = 0.9f * L.legend_font;
    float x = std::max(L.frame.x0 + c.m.width(c.spec.y.label, L.font_size) + 1.2f * L.font_size,
                       L.area.x0);
    std::vector<LegendSlot> slots;
    for (int e : entries) {
        const float w = entry_width(c, e);
        slots.push_back({e, Rect{x, L.frame.y0 + 1, x + w, L.frame.y0 + 1 + legend_row(L)}});
        x += w + gap;
    }
    if (x - gap > L.frame.x1 - 4 * L.px) return false;
    L.legend_header = true;
    L.slots = std::move(slots);
    L.legend_box = {L.slots.front().rect.x0 - 3 * L.px, L.frame.y0, x - gap + 3 * L.px,
                    L.frame.y0 + legend_row(L) + 2 * L.px};
    return true;
}

// Rows across the frame under the x label; the data area shrinks above them.
bool place_below(Ctx& c, const std::vector<int>& entries) {
    PlotLayout& L = c.L;
    const float row = legend_row(L), gap = 0.9f * L.legend_font;
    const float max_rows = std::min(3.0f, std::floor(L.frame.height() / 3 / row));
    if (max_rows < 1) return false;
    const float left = L.frame.x0 + 0.5f * L.font_size, right = L.frame.x1 - 4 * L.px;
    std::vector<LegendSlot> slots;
    float x = left;
    int r = 0;
    for (int e : entries) {
        const float w = entry_width(c, e);
        if (x + w > right && x > left) {
            ++r;
            x = left;
        }
        if (r >= max_rows) break;
        slots.push_back({e, Rect{x, static_cast<float>(r) * row, x + w, (r + 1) * row}});
        x += w + gap;
    }
    const int rows = std::min(static_cast<int>(max_rows), r + 1);
    const float band = static_cast<float>(rows) * row + 0.4f * L.font_size;
    if (L.area.height() - band < 80 * L.px) return false;
    // The "+k more" text must fit on the last row.
    std::size_t shown = slots.size();
    std::string more;
    while (shown < entries.size() || !more.empty()) {
        more = "+" + std::to_string(entries.size() - shown) + " more";
        const float mw = c.m.width(more, L.legend_font);
        if (shown == 0) break;
        const Rect& last = slots[shown - 1].rect;
        if (last.x1 + gap + mw <= right) break;
        --shown;
    }
    slots.resize(shown);
    L.area.y1 -= band;
    const float top = L.area.y1 + 2.6f * L.font_size + 0.2f * L.font_size;
    for (auto& s : slots) {
        s.rect.y0 += top;
        s.rect.y1 += top;
    }
    L.slots = std::move(slots);
    L.legend_below = true;
    L.legend_box = {L.frame.x0, top - 0.1f * L.font_size, L.frame.x1,
                    top + static_cast<float>(rows) * row};
    L.folded.assign(entries.begin() + static_cast<std::ptrdiff_t>(shown), entries.end());
    if (!L.folded.empty()) {
        L.more = "+" + std::to_string(L.folded.size()) + " more";
        const Rect last = L.slots.empty() ? Rect{left, top, left, top + row} : L.slots.back().rect;
        const float mx = L.slots.empty() ? left : last.x1 + gap;
        L.more_rect = {mx, last.y0, mx + c.m.width(L.more, L.legend_font), last.y1};
    }
    return true;
}

void place_legend(Ctx& c) {
    PlotLayout& L = c.L;
    std::vector<int> entries;
    for (std::size_t i = 0; i < c.spec.legend.size(); ++i)
        entries.push_back(static_cast<int>(i));
    if (entries.empty()) return;
    const float row = legend_row(L), pad = 0.3f * L.legend_font;
    std::size_t shown = entries.size();
    if (static_cast<float>(shown) * row > 0.7f * L.area.height())
        shown = static_cast<std::size_t>(std::max(1.0f, 0.7f * L.area.height() / row - 1));
    float widest = 0;
    for (std::size_t k = 0; k < entries.size(); ++k)
        widest = std::max(widest, entry_width(c, entries[k]));
    if (shown < entries.size()) widest = std::max(widest, c.m.width("+99 more", L.legend_font));
    const float w = widest + 2 * pad;
    const float h = row * static_cast<float>(shown + (shown < entries.size())) + 2 * pad;
    const float g = 2 * L.px;
    const Rect corners[4] = {{L.area.x1 - w - g, L.area.y0 + g, L.area.x1 - g, L.area.y0 + g + h},
                             {L.area.x0 + g, L.area.y0 + g, L.area.x0 + g + w, L.area.y0 + g + h},
                             {L.area.x1 - w - g, L.area.y1 - h - g, L.area.x1 - g, L.area.y1 - g},
                             {L.area.x0 + g, L.area.y1 - h - g, L.area.x0 + g + w, L.area.y1 - g}};
    const std::vector<Vec2> pts = data_points(c);
    int best = 0, hidden[4];
    for (int k = 0; k < 4; ++k) {
        hidden[k] = count_inside(pts, corners[k]);
        if (hidden[k] < hidden[best]) best = k;
    }
    const bool fits = w < L.area.width() * 0.9f;
    if (hidden[best] == 0 && fits) return stack_entries(c, entries, shown, corners[best]);
    if (place_header(c, entries)) return;
    const Rect saved = L.area;
    if (place_below(c, entries)) return;
    L.area = saved;
    stack_entries(c, entries, shown, corners[best]);
}

// Drops x tick labels that would touch a y tick label in the bottom-left corner.
void label_rects(Ctx& c) {
    PlotLayout& L = c.L;
    const float fs = L.font_size;
    L.y_label_rects.clear();
    L.x_label_rects.clear();
    for (auto& t : L.y_ticks) {
        if (t.label.empty()) continue;
        const float y = L.to_screen(L.view.x_min, t.value).y;
        const float w = c.m.width(t.label, fs);
        L.y_label_rects.push_back(
            {L.area.x0 - w - 0.3f * fs, y - fs / 2, L.area.x0 - 0.3f * fs, y + fs / 2});
    }
    for (auto& t : L.x_ticks) {
        if (t.label.empty()) continue;
        const float x = L.to_screen(t.value, L.view.y_min).x;
        const float w = c.m.width(t.label, fs);
        const Rect r{x - w / 2, L.area.y1 + 0.2f * fs, x + w / 2, L.area.y1 + 1.2f * fs};
        bool clash = r.x0 < L.frame.x0;
        for (const auto& y : L.y_label_rects)
            clash = clash || r.overlaps(y);
        if (clash) {
            t.label.clear();
            continue;
        }
        L.x_label_rects.push_back(r);
    }
}

// A line label beside the last visible stretch of its line, clear of the legend and of the
// labels placed before it.
void place_inline_labels(Ctx& c) {
    PlotLayout& L = c.L;
    const float lf = L.legend_font;
    std::vector<Rect> taken;
    if (!L.slots.empty() && !L.legend_below && !L.legend_header) taken.push_back(L.legend_box);
    for (std::size_t si = 0; si < c.spec.series.size(); ++si) {
        const Series& s = c.spec.series[si];
        if (s.inline_label.empty() || c.spec.is_hidden(s)) continue;
        std::vector<Vec2> inside;
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            Vec2 p = s.kind == SeriesKind::VLine   ? L.to_screen(s.x[i], L.view.y_max)
                     : s.kind == SeriesKind::HLine ? L.to_screen(L.view.x_max, s.y[i])
                                                   : L.to_screen(s.x[i], s.y[i]);
            if (s.kind == SeriesKind::VLine) p.y = L.area.y0 + lf;
            if (s.kind == SeriesKind::HLine) p.x = L.area.x1 - 2 * L.px;
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
            // A line's segments are sampled too: a reference line through the data runs from
            // outside the view to outside it, with no vertex inside.
            if (s.kind == SeriesKind::Line && i > 0) {
                const Vec2 q = L.to_screen(s.x[i - 1], s.y[i - 1]);
                for (int k = 1; k < 32 && std::isfinite(q.x) && std::isfinite(q.y); ++k) {
                    const float t = static_cast<float>(k) / 32;
                    const Vec2 m{q.x + (p.x - q.x) * t, q.y + (p.y - q.y) * t};
                    if (L.area.contains(m)) inside.push_back(m);
                }
            }
            if (L.area.contains(p)) inside.push_back(p);
        }
        if (inside.empty()) continue;
        const float w = c.m.width(s.inline_label, lf) + 4 * L.px, h = lf + 2 * L.px;
        const std::size_t n = inside.size();
        const std::size_t picks[] = {n - 1, n * 3 / 4, n / 2, n / 4, 0};
        bool placed = false;
        for (std::size_t pick : picks) {
            const Vec2 a = inside[std::min(pick, n - 1)];
            for (int side = 0; side < 4 && !placed; ++side) {
                Rect r{side % 2 ? a.x + 4 * L.px : a.x - w - 2 * L.px,
                       side < 2 ? a.y - h - 2 * L.px : a.y + 2 * L.px, 0, 0};
                r.x0 = std::clamp(r.x0, L.area.x0 + L.px, L.area.x1 - w - L.px);
                r.y0 = std::clamp(r.y0, L.area.y0 + L.px, L.area.y1 - h - L.px);
                r.x1 = r.x0 + w;
                r.y1 = r.y0 + h;
                bool free = true;
                for (const auto& t : taken)
                    free = free && !r.overlaps(t);
                if (!free) continue;
                taken.push_back(r);
                L.inline_labels.push_back(
                    {s.inline_label, r, s.style.colour, static_cast<int>(si)});
                placed = true;
            }
            if (placed) break;
        }
    }
    // Event markers: the label at the top, right of the line, stacked when they would touch.
    for (const auto& e : c.spec.events) {
        const float x = L.to_screen(e.x, L.view.y_max).x;
        if (!std::isfinite(x) || x < L.area.x0 || x > L.area.x1 || e.label.empty()) continue;
        const float w = c.m.width(e.label, lf) + 4 * L.px, h = lf + 2 * L.px;
        Rect r{x + 2 * L.px, L.area.y0 + L.px, x + 2 * L.px + w, L.area.y0 + L.px + h};
        if (r.x1 > L.area.x1) r = {x - 2 * L.px - w, r.y0, x - 2 * L.px, r.y1};
        for (int guard = 0; guard < 20; ++guard) {
            bool free = true;
            for (const auto& t : taken)
                free = free && !r.overlaps(t);
            if (free) break;
            r.y0 += h;
            r.y1 += h;
        }
        taken.push_back(r);
        L.inline_labels.push_back({e.label, r, e.colour, -1});
    }
}

}  // namespace

PlotLayout layout_plot(const PlotSpec& spec, const View& view, Rect frame, const PlotStyle& style,
                       const TextMetrics& metrics) {
    PlotLayout L;
    L.frame = frame;
    L.view = view;
    L.log_x = spec.x.log;
    L.log_y = spec.y.log;
    L.font_size = style.font_size;
    L.legend_font = 0.85f * style.font_size;
    L.px = style.px;
    const float fs = style.font_size;
    L.area = {frame.x0 + 3 * fs, frame.y0 + 1.4f * fs, frame.x1 - 0.6f * fs, frame.y1 - 2.6f * fs};
    Ctx c{spec, style, metrics, L};
    place_ticks(c);
    place_legend(c);
    // The legend band may have shrunk the data area: ticks again (labels may change), then the
    // corners again for the final area.
    if (place_ticks(c) && !L.legend_below && !L.legend_header) {
        L.slots.clear();
        L.folded.clear();
        L.more.clear();
        place_legend(c);
        if (L.legend_below) place_ticks(c);
    }
    label_rects(c);
    place_inline_labels(c);
    return L;
}

int decimated_size(int count, float width) {
    const int columns = std::max(1, static_cast<int>(width));
    return count <= 2 * columns ? count : 2 * columns;
}

}  // namespace kvscope::figure
