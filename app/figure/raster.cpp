#include "figure/raster.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kvscope::figure {

namespace {

struct Canvas {
    int w = 0, h = 0;
    std::vector<float> px;  // premultiplied RGBA in [0, 1], sRGB space
    struct Clip {
        int x0, y0, x1, y1;  // pixels [x0, x1) x [y0, y1)
    };
    std::vector<Clip> clips;

    Clip clip() const { return clips.empty() ? Clip{0, 0, w, h} : clips.back(); }

    void push(const Rect& r) {
        const Clip c = clip();
        clips.push_back({std::max(c.x0, static_cast<int>(std::floor(r.x0))),
                         std::max(c.y0, static_cast<int>(std::floor(r.y0))),
                         std::min(c.x1, static_cast<int>(std::ceil(r.x1))),
                         std::min(c.y1, static_cast<int>(std::ceil(r.y1)))});
    }

    // Blends colour c at coverage a (0..1) over pixel (x, y).
    void blend(int x, int y, Rgba c, float a) {
        const float ca = a * static_cast<float>(alpha(c)) / 255.0f;
        if (ca <= 0) return;
        float* p = &px[(static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                        static_cast<std::size_t>(x)) *
                       4];
        const float k = 1 - ca;
        p[0] = static_cast<float>(red(c)) / 255.0f * ca + p[0] * k;
        p[1] = static_cast<float>(green(c)) / 255.0f * ca + p[1] * k;
        p[2] = static_cast<float>(blue(c)) / 255.0f * ca + p[2] * k;
        p[3] = ca + p[3] * k;
    }
};

float segment_distance(float px, float py, Vec2 a, Vec2 b) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len2 = dx * dx + dy * dy;
    float t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
    t = std::clamp(t, 0.0f, 1.0f);
    const float ex = a.x + t * dx - px, ey = a.y + t * dy - py;
    return std::sqrt(ex * ex + ey * ey);
}

// One polyline, solid, by coverage: each pixel takes the largest coverage of any segment, so
// joins do not blend twice.
void stroke(Canvas& cv, const std::vector<Vec2>& pts, Rgba colour, float width) {
    if (pts.size() < 2) return;
    const float half = std::max(width, 1.0f) / 2;
    const float gain = std::min(width, 1.0f);  // thinner than a pixel: fainter, not thinner
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (const auto& p : pts) {
        x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x),
        y1 = std::max(y1, p.y);
    }
    const Canvas::Clip c = cv.clip();
    const int bx0 = std::max(c.x0, static_cast<int>(std::floor(x0 - half - 1)));
    const int by0 = std::max(c.y0, static_cast<int>(std::floor(y0 - half - 1)));
    const int bx1 = std::min(c.x1, static_cast<int>(std::ceil(x1 + half + 1)));
    const int by1 = std::min(c.y1, static_cast<int>(std::ceil(y1 + half + 1)));
    if (bx0 >= bx1 || by0 >= by1) return;
    const int bw = bx1 - bx0;
    std::vector<float> cov(static_cast<std::size_t>(bw) * static_cast<std::size_t>(by1 - by0), 0);
    for (std::size_t k = 1; k < pts.size(); ++k) {
        const Vec2 a = pts[k - 1], b = pts[k];
        if (!std::isfinite(a.x + a.y + b.x + b.y)) continue;
        const int sx0 = std::max(bx0, static_cast<int>(std::floor(std::min(a.x, b.x) - half - 1)));
        const int sy0 = std::max(by0, static_cast<int>(std::floor(std::min(a.y, b.y) - half - 1)));
        const int sx1 = std::min(bx1, static_cast<int>(std::ceil(std::max(a.x, b.x) + half + 1)));
        const int sy1 = std::min(by1, static_cast<int>(std::ceil(std::max(a.y, b.y) + half + 1)));
        for (int y = sy0; y < sy1; ++y) {
            for (int x = sx0; x < sx1; ++x) {
                const float d = segment_distance(static_cast<float>(x) + 0.5f,
                                                 static_cast<float>(y) + 0.5f, a, b);
                const float v = std::clamp(half + 0.5f - d, 0.0f, 1.0f) * gain;
                float& slot = cov[static_cast<std::size_t>(y - by0) * static_cast<std::size_t>(bw) +
                                  static_cast<std::size_t>(x - bx0)];
                slot = std::max(slot, v);
            }
        }
    }
    for (int y = by0; y < by1; ++y)
        for (int x = bx0; x < bx1; ++x) {
            const float v = cov[static_cast<std::size_t>(y - by0) * static_cast<std::size_t>(bw) +
                                static_cast<std::size_t>(x - bx0)];
            if (v > 0) cv.blend(x, y, colour, v);
        }
}

// Axis-aligned rectangle with fractional edges.
void fill_rect(Canvas& cv, const Rect& r, Rgba colour) {
    const Canvas::Clip c = cv.clip();
    const int x0 = std::max(c.x0, static_cast<int>(std::floor(r.x0)));
    const int y0 = std::max(c.y0, static_cast<int>(std::floor(r.y0)));
    const int x1 = std::min(c.x1, static_cast<int>(std::ceil(r.x1)));
    const int y1 = std::min(c.y1, static_cast<int>(std::ceil(r.y1)));
    for (int y = y0; y < y1; ++y) {
        const float fy = std::min(r.y1, y + 1.0f) - std::max(r.y0, static_cast<float>(y));
        for (int x = x0; x < x1; ++x) {
            const float fx = std::min(r.x1, x + 1.0f) - std::max(r.x0, static_cast<float>(x));
            if (fx > 0 && fy > 0) cv.blend(x, y, colour, std::min(1.0f, fx) * std::min(1.0f, fy));
        }
    }
}

bool inside_polygon(const std::vector<Vec2>& poly, float x, float y) {
    bool in = false;
    for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        if ((poly[i].y > y) != (poly[j].y > y) &&
            x < (poly[j].x - poly[i].x) * (y - poly[i].y) / (poly[j].y - poly[i].y) + poly[i].x)
            in = !in;
    }
    return in;
}

// A filled polygon by 4x4 supersampling.
void fill_polygon(Canvas& cv, const std::vector<Vec2>& poly, Rgba colour) {
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (const auto& p : poly) {
        x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x),
        y1 = std::max(y1, p.y);
    }
    const Canvas::Clip c = cv.clip();
    for (int y = std::max(c.y0, static_cast<int>(std::floor(y0)));
         y < std::min(c.y1, static_cast<int>(std::ceil(y1))); ++y)
        for (int x = std::max(c.x0, static_cast<int>(std::floor(x0)));
             x < std::min(c.x1, static_cast<int>(std::ceil(x1))); ++x) {
            int hits = 0;
            for (int sy = 0; sy < 4; ++sy)
                for (int sx = 0; sx < 4; ++sx)
                    hits += inside_polygon(poly, x + (sx + 0.5f) / 4, y + (sy + 0.5f) / 4);
            if (hits) cv.blend(x, y, colour, static_cast<float>(hits) / 16.0f);
        }
}

void draw_marker(Canvas& cv, const MarkerPrim& m) {
    if (m.shape == MarkerShape::Cross) {
        const float r = m.radius;
        stroke(cv, {{m.centre.x - r, m.centre.y - r}, {m.centre.x + r, m.centre.y + r}}, m.colour,
               m.stroke_width);
        stroke(cv, {{m.centre.x - r, m.centre.y + r}, {m.centre.x + r, m.centre.y - r}}, m.colour,
               m.stroke_width);
        return;
    }
    std::vector<Vec2> poly = marker_polygon(m.shape, m.centre, m.radius);
    if (marker_hollow(m.shape)) {
        poly.push_back(poly.front());
        stroke(cv, poly, m.colour, m.stroke_width);
    } else {
        fill_polygon(cv, poly, m.colour);
    }
}

void draw_text(Canvas& cv, const TextPrim& t, const TrueTypeFont& font) {
    const float baseline = std::round(t.pos.y + font.ascent(t.size));
    float pen = t.pos.x;
    const Canvas::Clip c = cv.clip();
    for (char32_t cp : decode_utf8(t.text)) {
        const float ix = std::floor(pen);
        const GlyphBitmap g = font.glyph(cp, t.size, pen - ix);
        for (int y = 0; y < g.height; ++y) {
            const int py = static_cast<int>(baseline) + g.y_offset + y;
            if (py < c.y0 || py >= c.y1) continue;
            for (int x = 0; x < g.width; ++x) {
                const int px = static_cast<int>(ix) + g.x_offset + x;
                if (px < c.x0 || px >= c.x1) continue;
                const unsigned char a = g.coverage[static_cast<std::size_t>(y * g.width + x)];
                if (a) cv.blend(px, py, t.colour, a / 255.0f);
            }
        }
        pen += font.advance(cp, t.size);
    }
}

}  // namespace

Image rasterise(const DisplayList& list, const TrueTypeFont* font) {
    Canvas cv;
    cv.w = std::max(1, static_cast<int>(std::ceil(list.width)));
    cv.h = std::max(1, static_cast<int>(std::ceil(list.height)));
    cv.px.assign(static_cast<std::size_t>(cv.w) * static_cast<std::size_t>(cv.h) * 4, 0.0f);
    if (list.background)
        fill_rect(cv, Rect{0, 0, static_cast<float>(cv.w), static_cast<float>(cv.h)},
                  list.background);
    for (const auto& item : list.items) {
        if (const auto* p = std::get_if<PolylinePrim>(&item)) {
            for (const auto& piece : dash_polyline(p->points, p->dash))
                stroke(cv, piece, p->colour, p->width);
        } else if (const auto* r = std::get_if<RectPrim>(&item)) {
            if (r->fill) fill_rect(cv, r->rect, r->fill);
            if (r->stroke) {
                const Rect& q = r->rect;
                stroke(cv, {{q.x0, q.y0}, {q.x1, q.y0}, {q.x1, q.y1}, {q.x0, q.y1}, {q.x0, q.y0}},
                       r->stroke, r->stroke_width);
            }
        } else if (const auto* m = std::get_if<MarkerPrim>(&item)) {
            draw_marker(cv, *m);
        } else if (const auto* t = std::get_if<TextPrim>(&item)) {
            if (font) draw_text(cv, *t, *font);
        } else if (const auto* c = std::get_if<ClipPush>(&item)) {
            cv.push(c->rect);
        } else if (std::holds_alternative<ClipPop>(item)) {
            if (!cv.clips.empty()) cv.clips.pop_back();
        }
    }
    Image img;
    img.width = cv.w;
    img.height = cv.h;
    img.rgba.resize(cv.px.size());
    for (std::size_t i = 0; i < cv.px.size(); i += 4) {
        const float a = cv.px[i + 3];
        for (int k = 0; k < 3; ++k) {
            const float v = a > 0 ? cv.px[i + static_cast<std::size_t>(k)] / a : 0.0f;
            img.rgba[i + static_cast<std::size_t>(k)] =
                static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
        }
        img.rgba[i + 3] = static_cast<unsigned char>(std::lround(std::clamp(a, 0.0f, 1.0f) * 255));
    }
    return img;
}

void write_png(const Image& image, const std::string& path) {
    if (!stbi_write_png(path.c_str(), image.width, image.height, 4, image.rgba.data(),
                        image.width * 4)) {
        throw std::runtime_error("cannot write " + path);
    }
}

}  // namespace kvscope::figure
