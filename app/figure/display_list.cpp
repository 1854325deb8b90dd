#include "figure/display_list.hpp"

#include <cmath>
#include <numbers>

namespace kvscope::figure {

std::vector<float> dash_lengths(Dash dash, float px) {
    switch (dash) {
        case Dash::Dashed:
            return {6 * px, 4 * px};
        case Dash::Dotted:
            return {1.6f * px, 3 * px};
        case Dash::DashDot:
            return {7 * px, 3 * px, 1.6f * px, 3 * px};
        case Dash::LongDash:
            return {12 * px, 5 * px};
        case Dash::Solid:
        default:
            return {};
    }
}

std::vector<std::vector<Vec2>> dash_polyline(const std::vector<Vec2>& points,
                                             const std::vector<float>& pattern, float max_length) {
    std::vector<std::vector<Vec2>> out;
    if (points.size() < 2) return out;
    if (pattern.empty()) {
        out.push_back(points);
        return out;
    }
    std::size_t phase = 0;
    float left = pattern[0];  // length left in the current piece of the pattern
    std::vector<Vec2> current{points[0]};
    for (std::size_t k = 1; k < points.size(); ++k) {
        Vec2 a = points[k - 1];
        const Vec2 b = points[k];
        const float dx = b.x - a.x, dy = b.y - a.y;
        const float len = std::sqrt(dx * dx + dy * dy);
        if (!std::isfinite(len) || len <= 0) continue;
        if (len > max_length) {
            // Far outside the view: drawn solid, clipped by the caller.
            if (phase % 2 == 0) {
                current.push_back(b);
            } else {
                current = {a, b};
            }
            out.push_back(current);
            current = {b};
            phase = 0;
            left = pattern[0];
            continue;
        }
        const float ux = dx / len, uy = dy / len;
        float rest = len;
        while (rest > left) {
            a = Vec2{a.x + ux * left, a.y + uy * left};
            rest -= left;
            if (phase % 2 == 0) {
                current.push_back(a);
                out.push_back(current);
            }
            current = {a};
            phase = (phase + 1) % pattern.size();
            left = pattern[phase];
        }
        left -= rest;
        if (phase % 2 == 0)
            current.push_back(b);
        else
            current = {b};
    }
    if (phase % 2 == 0 && current.size() >= 2) out.push_back(current);
    return out;
}

void DisplayList::line(std::vector<Vec2> pts, Rgba colour, float w, std::vector<float> dash) {
    items.emplace_back(PolylinePrim{std::move(pts), colour, w, std::move(dash)});
}

void DisplayList::fill_rect(Rect r, Rgba colour, float rounding) {
    items.emplace_back(RectPrim{r, colour, 0, 1, rounding});
}

void DisplayList::stroke_rect(Rect r, Rgba colour, float w) {
    items.emplace_back(RectPrim{r, 0, colour, w, 0});
}

void DisplayList::marker(Vec2 c, MarkerShape shape, float radius, Rgba colour, float stroke) {
    items.emplace_back(MarkerPrim{c, shape, radius, colour, stroke});
}

void DisplayList::text(Vec2 top_left, std::string s, float size, Rgba colour) {
    items.emplace_back(TextPrim{top_left, std::move(s), size, colour});
}

void DisplayList::push_clip(Rect r) {
    items.emplace_back(ClipPush{r});
}

void DisplayList::pop_clip() {
    items.emplace_back(ClipPop{});
}

bool marker_hollow(MarkerShape shape) {
    return shape == MarkerShape::Ring || shape == MarkerShape::HollowSquare ||
           shape == MarkerShape::HollowDiamond || shape == MarkerShape::Cross;
}

std::vector<Vec2> marker_polygon(MarkerShape shape, Vec2 c, float r) {
    switch (shape) {
        case MarkerShape::Square:
        case MarkerShape::HollowSquare: {
            const float h = r * 0.886f;  // same area as the circle
            return {{c.x - h, c.y - h}, {c.x + h, c.y - h}, {c.x + h, c.y + h}, {c.x - h, c.y + h}};
        }
        case MarkerShape::Diamond:
        case MarkerShape::HollowDiamond: {
            const float h = r * 1.25f;
            return {{c.x, c.y - h}, {c.x + h, c.y}, {c.x, c.y + h}, {c.x - h, c.y}};
        }
        case MarkerShape::TriangleUp: {
            const float h = r * 1.35f;
            return {{c.x, c.y - h},
                    {c.x + h * 0.866f, c.y + h * 0.5f},
                    {c.x - h * 0.866f, c.y + h * 0.5f}};
        }
        default: {
            std::vector<Vec2> pts;
            for (int i = 0; i < 24; ++i) {
                const double t = 2 * std::numbers::pi * i / 24;
                pts.push_back({c.x + r * static_cast<float>(std::cos(t)),
                               c.y + r * static_cast<float>(std::sin(t))});
            }
            return pts;
        }
    }
}

}  // namespace kvscope::figure
