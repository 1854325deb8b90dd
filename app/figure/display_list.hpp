// What a figure draws, as a list of primitives in pixel coordinates (origin top left, y down):
// polylines with a width and dash pattern, filled and stroked rectangles, markers, text and clip
// rectangles. The plot layout (plot_layout.hpp) writes one; three back ends draw it unchanged:
// the explorer (ImGui draw lists), the SVG writer and the rasteriser behind `kvscope plot`'s
// PNG. One list, so a figure looks like the screen it came from.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "figure/colour.hpp"

namespace kvscope::figure {

struct Vec2 {
    float x = 0, y = 0;
};

struct Rect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    float width() const { return x1 - x0; }
    float height() const { return y1 - y0; }
    bool contains(Vec2 p) const { return p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1; }
    bool overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

/// Dash patterns, in multiples of the line width scale (a pattern scales with the figure).
enum class Dash { Solid, Dashed, Dotted, DashDot, LongDash };
/// On/off lengths of a pattern in pixels at line scale `px` (empty for Solid).
std::vector<float> dash_lengths(Dash dash, float px);
/// The pieces of `points` that are drawn under `pattern` (on/off lengths, starting "on").
/// An empty pattern returns the polyline itself. Segments longer than `max_length` are not
/// dashed (a curve leaving the view by decades must not produce millions of dashes).
std::vector<std::vector<Vec2>> dash_polyline(const std::vector<Vec2>& points,
                                             const std::vector<float>& pattern,
                                             float max_length = 20000.0f);

/// Marker shapes; hollow ones are drawn as outlines (so coinciding points stay visible).
enum class MarkerShape {
    None,
    Circle,
    Square,
    Diamond,
    TriangleUp,
    Ring,
    HollowSquare,
    HollowDiamond,
    Cross
};

struct PolylinePrim {
    std::vector<Vec2> points;
    Rgba colour = 0;
    float width = 1;
    std::vector<float> dash;  ///< on/off lengths in pixels; empty: solid
};
struct RectPrim {
    Rect rect;
    Rgba fill = 0;    ///< 0: not filled
    Rgba stroke = 0;  ///< 0: no outline
    float stroke_width = 1;
    float rounding = 0;
};
struct MarkerPrim {
    Vec2 centre;
    MarkerShape shape = MarkerShape::Circle;
    float radius = 3;
    Rgba colour = 0;
    float stroke_width = 1.5f;  ///< hollow shapes and crosses
};
/// Text laid out from its top-left corner (the line box, as ImGui does), at pixel height `size`.
struct TextPrim {
    Vec2 pos;
    std::string text;  ///< UTF-8
    float size = 15;
    Rgba colour = 0;
};
struct ClipPush {
    Rect rect;
};
struct ClipPop {};

using Primitive = std::variant<PolylinePrim, RectPrim, MarkerPrim, TextPrim, ClipPush, ClipPop>;

/// A figure's primitives in drawing order, over a canvas of `width` x `height` pixels.
struct DisplayList {
    float width = 0, height = 0;
    Rgba background = 0;  ///< 0: transparent
    std::vector<Primitive> items;

    void line(std::vector<Vec2> pts, Rgba colour, float width, std::vector<float> dash = {});
    void fill_rect(Rect r, Rgba colour, float rounding = 0);
    void stroke_rect(Rect r, Rgba colour, float width = 1);
    void marker(Vec2 c, MarkerShape shape, float radius, Rgba colour, float stroke = 1.5f);
    void text(Vec2 top_left, std::string s, float size, Rgba colour);
    void push_clip(Rect r);
    void pop_clip();
};

/// The outline of a marker shape as a closed polygon (circle shapes: 24 vertices).
std::vector<Vec2> marker_polygon(MarkerShape shape, Vec2 centre, float radius);
/// True for shapes drawn as outlines.
bool marker_hollow(MarkerShape shape);

}  // namespace kvscope::figure
