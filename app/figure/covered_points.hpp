// The screen points a plotted series covers, for placing a legend where it hides the least: the
// samples and, for a line, points along each segment (a line of four evaluations crosses a
// corner without a sample in it). Shared by `kvscope plot` and the explorer's plots.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "figure/display_list.hpp"

namespace kvscope::figure {

/// Samples of (x, y) mapped by `to_screen` (data -> Vec2 pixels; a non-finite result breaks the
/// line), every k-th when there are more than `max_samples`, plus for a `line` a point every
/// `spacing` pixels along each segment (at most 200 per segment).
template <class ToScreen>
std::vector<Vec2> covered_points(const std::vector<double>& x, const std::vector<double>& y,
                                 bool line, float spacing, std::size_t max_samples,
                                 ToScreen to_screen) {
    std::vector<Vec2> pts;
    const std::size_t step = std::max<std::size_t>(1, x.size() / max_samples);
    Vec2 prev{NAN, NAN};
    for (std::size_t i = 0; i < x.size() && i < y.size(); i += step) {
        const Vec2 q = to_screen(x[i], y[i]);
        if (!std::isfinite(q.x) || !std::isfinite(q.y)) {
            prev = {NAN, NAN};
            continue;
        }
        pts.push_back(q);
        if (line && std::isfinite(prev.x)) {
            const float len = std::hypot(q.x - prev.x, q.y - prev.y);
            const int n = std::min(200, static_cast<int>(len / spacing));
            for (int k = 1; k < n; ++k) {
                const float t = static_cast<float>(k) / static_cast<float>(n);
                pts.push_back({prev.x + (q.x - prev.x) * t, prev.y + (q.y - prev.y) * t});
            }
        }
        prev = q;
    }
    return pts;
}

}  // namespace kvscope::figure
