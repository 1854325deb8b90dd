#include "scene/palette.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope::scene {

namespace {

int unit_to_byte(float v) {
    return static_cast<int>((v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v) * 255.0f + 0.5f);
}

float channel(Rgba c, int shift) {
    return static_cast<float>((c >> shift) & 0xFF) * (1.0f / 255.0f);
}

}  // namespace

Rgba rgba_from_unit(float r, float g, float b, float a) {
    return rgba(unit_to_byte(r), unit_to_byte(g), unit_to_byte(b), unit_to_byte(a));
}

Rgba category_colour(int i, float alpha) {
    // Okabe & Ito's palette for colour-vision deficiencies, black replaced by a grey.
    static constexpr unsigned char kRgb[8][3] = {{230, 159, 0},   {86, 180, 233}, {0, 158, 115},
                                                 {240, 228, 66},  {0, 114, 178},  {213, 94, 0},
                                                 {204, 121, 167}, {160, 160, 160}};
    const auto& c = kRgb[((i % 8) + 8) % 8];
    return rgba(c[0], c[1], c[2], static_cast<int>(alpha * 255));
}

Rgba bucket_colour(int id, float alpha) {
    if (id < 0) return rgba(110, 110, 110, static_cast<int>(alpha * 255));
    const Rgba base = category_colour(id % 8, alpha);
    float c[3] = {channel(base, 0), channel(base, 8), channel(base, 16)};
    const int shade = (id / 8) % 3;  // 0 as is, 1 lighter, 2 darker
    for (float& v : c) {
        if (shade == 1) v = v + (1.0f - v) * 0.45f;
        if (shade == 2) v = v * 0.55f;
    }
    return rgba_from_unit(c[0], c[1], c[2], channel(base, 24));
}

Rgba viridis(float t, float alpha) {
    // Piecewise-linear through nine samples of the viridis map.
    static constexpr float kStops[9][3] = {
        {0.267f, 0.005f, 0.329f}, {0.279f, 0.175f, 0.483f}, {0.230f, 0.322f, 0.546f},
        {0.173f, 0.449f, 0.558f}, {0.128f, 0.567f, 0.551f}, {0.157f, 0.684f, 0.502f},
        {0.369f, 0.789f, 0.383f}, {0.678f, 0.864f, 0.190f}, {0.993f, 0.906f, 0.144f}};
    t = std::clamp(std::isfinite(t) ? t : 0.0f, 0.0f, 1.0f) * 8.0f;
    const int i = std::min(7, static_cast<int>(t));
    const float f = t - i;
    float rgb[3];
    for (int k = 0; k < 3; ++k)
        rgb[k] = kStops[i][k] * (1 - f) + kStops[i + 1][k] * f;
    return rgba_from_unit(rgb[0], rgb[1], rgb[2], alpha);
}

}  // namespace kvscope::scene
