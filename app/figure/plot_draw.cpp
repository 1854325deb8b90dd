// draw_plot and nearest_sample (plot_layout.hpp): the laid-out plot as display-list primitives.
#include <algorithm>
#include <cmath>
#include <limits>

#include "figure/plot_layout.hpp"

namespace kvscope::figure {

namespace {

bool finite(Vec2 p) {
    return std::isfinite(p.x) && std::isfinite(p.y);
}

void draw_grid(const PlotLayout& L, const PlotStyle& st, DisplayList& out) {
    const float tick = 0.3f * L.font_size;
    for (const auto& t : L.x_ticks) {
        const float x = L.to_screen(t.value, L.view.y_min).x;
        if (t.major) {
            out.line({{x, L.area.y0}, {x, L.area.y1}}, st.grid, L.px);
        } else {
            out.line({{x, L.area.y1 - tick}, {x, L.area.y1}}, st.grid, L.px);
        }
    }
    for (const auto& t : L.y_ticks) {
        const float y = L.to_screen(L.view.x_min, t.value).y;
        if (t.major) {
            out.line({{L.area.x0, y}, {L.area.x1, y}}, st.grid, L.px);
        } else {
            out.line({{L.area.x0, y}, {L.area.x0 + tick, y}}, st.grid, L.px);
        }
    }
}

// A line series, decimated per pixel column (first, lowest and highest sample kept); a NaN or
// a value without a position on a log axis breaks the line.
void draw_line_series(const Series& s, const PlotLayout& L, DisplayList& out) {
    const int n = static_cast<int>(std::min(s.x.size(), s.y.size()));
    const bool decimate = decimated_size(n, L.area.width()) < n;
    const std::vector<float> dash = dash_lengths(s.style.dash, L.px);
    const float width = s.style.width * L.px;
    std::vector<Vec2> pts;
    int column = std::numeric_limits<int>::min();
    Vec2 lo{}, hi{};
    auto flush = [&] {
        if (column == std::numeric_limits<int>::min()) return;
        pts.push_back(lo);
        if (hi.y != lo.y) pts.push_back(hi);
    };
    auto stroke = [&] {
        if (pts.size() >= 2) out.line(pts, s.style.colour, width, dash);
        if (pts.size() == 1) out.marker(pts[0], MarkerShape::Circle, 2.5f * L.px, s.style.colour);
        pts.clear();
    };
    for (int i = 0; i < n; ++i) {
        const Vec2 p =
            L.to_screen(s.x[static_cast<std::size_t>(i)], s.y[static_cast<std::size_t>(i)]);
        if (!finite(p)) {
            flush();
            column = std::numeric_limits<int>::min();
            stroke();
            continue;
        }
        if (!decimate) {
            pts.push_back(p);
            continue;
        }
        const int col = static_cast<int>(p.x);
        if (col != column) {
            flush();
            column = col;
            lo = hi = p;
        } else {
            if (p.y > lo.y) lo = p;
            if (p.y < hi.y) hi = p;
        }
    }
    flush();
    stroke();
    if (s.style.marker != MarkerShape::None && n <= L.area.width() / 4) {
        for (int i = 0; i < n; ++i) {
            const Vec2 p =
                L.to_screen(s.x[static_cast<std::size_t>(i)], s.y[static_cast<std::size_t>(i)]);
            if (finite(p))
                out.marker(p, s.style.marker, s.style.marker_radius * L.px, s.style.colour,
                           1.5f * L.px);
        }
    }
}

void draw_series(const Series& s, const PlotLayout& L, DisplayList& out) {
    const float w = s.style.width * L.px;
    switch (s.kind) {
        case SeriesKind::VLine:
            for (double x : s.x) {
                const float sx = L.to_screen(x, L.view.y_min).x;
                if (std::isfinite(sx))
                    out.line({{sx, L.area.y0}, {sx, L.area.y1}}, s.style.colour, w,
                             dash_lengths(s.style.dash, L.px));
            }
            break;
        case SeriesKind::HLine:
            for (double y : s.y) {
                const float sy = L.to_screen(L.view.x_min, y).y;
                if (std::isfinite(sy))
                    out.line({{L.area.x0, sy}, {L.area.x1, sy}}, s.style.colour, w,
                             dash_lengths(s.style.dash, L.px));
            }
            break;
        case SeriesKind::Bars:
            for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
                const Vec2 a = L.to_screen(s.x[i] - s.bar_width / 2, s.y[i]);
                const Vec2 b = L.to_screen(s.x[i] + s.bar_width / 2, L.log_y ? L.view.y_min : 0.0);
                if (!finite(a) || !finite(b)) continue;
                out.fill_rect({std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x),
                               std::max(a.y, b.y)},
                              s.style.colour);
            }
            break;
        case SeriesKind::Scatter:
            for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
                const Vec2 p = L.to_screen(s.x[i], s.y[i]);
                if (finite(p))
                    out.marker(
                        p,
                        s.style.marker == MarkerShape::None ? MarkerShape::Circle : s.style.marker,
                        s.style.marker_radius * L.px, s.style.colour, 1.5f * L.px);
            }
            break;
        case SeriesKind::Line:
            draw_line_series(s, L, out);
            break;
    }
    for (std::size_t i : s.marks) {
        if (i >= s.x.size() || i >= s.y.size()) continue;
        const Vec2 p = L.to_screen(s.x[i], s.y[i]);
        if (finite(p)) out.marker(p, s.mark_shape, 4.5f * L.px, s.style.colour, 1.5f * L.px);
    }
}

void draw_nan_marks(const PlotSpec& spec, const PlotLayout& L, const PlotStyle& st,
                    DisplayList& out) {
    for (const auto& s : spec.series) {
        if (s.kind != SeriesKind::Line && s.kind != SeriesKind::Scatter) continue;
        for (std::size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
            if (!std::isnan(s.y[i])) continue;
            const float x = L.to_screen(s.x[i], L.view.y_max).x;
            if (std::isfinite(x))
                out.line({{x, L.area.y0}, {x, L.area.y0 + 6 * L.px}}, st.nan_mark, 2 * L.px);
        }
    }
}

void draw_labels(const PlotSpec& spec, const PlotLayout& L, const PlotStyle& st,
                 const TextMetrics& m, DisplayList& out) {
    const float fs = L.font_size;
    std::size_t k = 0;
    for (const auto& t : L.y_ticks) {
        if (t.label.empty()) continue;
        const Rect& r = L.y_label_rects[k++];
        out.text({r.x0, r.y0}, t.label, fs, st.text);
    }
    k = 0;
    for (const auto& t : L.x_ticks) {
        if (t.label.empty()) continue;
        const Rect& r = L.x_label_rects[k++];
        out.text({r.x0, r.y0}, t.label, fs, st.text);
    }
    const float xw = m.width(spec.x.label, fs);
    out.text({(L.area.x0 + L.area.x1 - xw) / 2, L.area.y1 + 1.35f * fs}, spec.x.label, fs, st.text);
    out.text({L.frame.x0, L.frame.y0}, spec.y.label, fs, st.text);
}

void draw_swatch(const LegendEntry& e, Rect r, float lf, float px, bool off, Rgba dim,
                 DisplayList& out) {
    const float sw = 1.3f * lf, my = (r.y0 + r.y1) / 2;
    if (e.line || e.ramp.size() <= 1) {
        const Rgba c = off ? dim : (e.ramp.empty() ? dim : e.ramp.front());
        if (e.line) {
            out.line({{r.x0, my}, {r.x0 + sw, my}}, c, 2 * px, dash_lengths(e.dash, px * 0.7f));
        } else if (e.marker == MarkerShape::None) {
            out.fill_rect({r.x0, my - 0.3f * lf, r.x0 + sw, my + 0.3f * lf}, c);
        }
        if (e.marker != MarkerShape::None)
            out.marker({r.x0 + sw / 2, my}, e.marker, 0.28f * lf, c, 1.3f * px);
        return;
    }
    // A family: its ramp as a strip, light to dark (or dark to light) like the lines.
    const float seg = sw / static_cast<float>(e.ramp.size());
    for (std::size_t i = 0; i < e.ramp.size(); ++i) {
        const float x0 = r.x0 + seg * static_cast<float>(i);
        out.fill_rect({x0, my - 0.3f * lf, x0 + seg + 0.01f, my + 0.3f * lf},
                      off ? dim : e.ramp[i]);
    }
    if (e.marker != MarkerShape::None)
        out.marker({r.x0 + sw / 2, my}, e.marker, 0.28f * lf, off ? dim : e.ramp.back(), 1.3f * px);
}

void draw_legend(const PlotSpec& spec, const PlotLayout& L, const PlotStyle& st, DisplayList& out) {
    if (L.slots.empty() && L.more.empty()) return;
    const Rgba bg = L.legend_below || L.legend_header ? 0 : st.legend_bg;
    if (bg) out.fill_rect(L.legend_box, bg, 3 * L.px);
    const float lf = L.legend_font;
    for (const auto& slot : L.slots) {
        const LegendEntry& e = spec.legend[static_cast<std::size_t>(slot.entry)];
        const bool off =
            std::find(spec.hidden.begin(), spec.hidden.end(), e.key) != spec.hidden.end();
        draw_swatch(e, slot.rect, lf, L.px, off, st.text_dim, out);
        out.text({slot.rect.x0 + 1.3f * lf + 0.35f * lf, slot.rect.y0 + L.px}, e.text, lf,
                 off ? st.text_dim : st.text);
    }
    if (!L.more.empty()) out.text({L.more_rect.x0, L.more_rect.y0 + L.px}, L.more, lf, st.text);
}

}  // namespace

void draw_plot(const PlotSpec& spec, const PlotLayout& L, const PlotStyle& st, const TextMetrics& m,
               DisplayList& out) {
    if (st.background) out.fill_rect(L.frame, st.background);
    out.fill_rect(L.area, st.area);
    draw_grid(L, st, out);
    out.push_clip(L.area);
    for (const auto& s : spec.series)
        if (!spec.is_hidden(s)) draw_series(s, L, out);
    for (const auto& e : spec.events) {
        const float x = L.to_screen(e.x, L.view.y_min).x;
        if (std::isfinite(x))
            out.line({{x, L.area.y0}, {x, L.area.y1}}, e.colour, 1.3f * L.px,
                     dash_lengths(e.dash, L.px));
    }
    draw_nan_marks(spec, L, st, out);
    for (const auto& il : L.inline_labels) {
        out.fill_rect(il.rect, with_alpha(st.ground(), 0.78f), 2 * L.px);
        out.text({il.rect.x0 + 2 * L.px, il.rect.y0 + L.px}, il.text, L.legend_font,
                 with_contrast(with_alpha(il.colour, 1), st.ground(), 3.0));
    }
    out.pop_clip();
    out.stroke_rect(L.area, st.grid, L.px);
    draw_labels(spec, L, st, m, out);
    draw_legend(spec, L, st, out);
}

bool nearest_sample(const PlotSpec& spec, const PlotLayout& L, Vec2 p, float radius, int& series,
                    std::size_t& index) {
    float best = radius * radius;
    bool found = false;
    for (std::size_t k = 0; k < spec.series.size(); ++k) {
        const Series& s = spec.series[k];
        if (spec.is_hidden(s) || s.kind == SeriesKind::VLine || s.kind == SeriesKind::HLine)
            continue;
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            const Vec2 q = L.to_screen(s.x[i], s.y[i]);
            const float d = (q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y);
            if (std::isfinite(d) && d < best) {
                best = d;
                series = static_cast<int>(k);
                index = i;
                found = true;
            }
        }
    }
    return found;
}

}  // namespace kvscope::figure
