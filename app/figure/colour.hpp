// Colours of kvscope's figures, shared by the explorer's plots and `kvscope plot`: packed RGBA8
// in ImGui's layout (R in the low byte), the Okabe-Ito qualitative hues for categories, and the
// sequential ramps that give each member of a sweep family the family's hue at its own
// lightness. Lightness is set in OKLab (a perceptual space: equal steps look equal), so a ramp
// reads as one hue getting darker or lighter, and members stay apart on dark and light grounds.
#pragma once

#include <cstdint>

namespace kvscope::figure {

/// A packed colour: R in bits 0-7, G 8-15, B 16-23, A 24-31 (ImGui's IM_COL32 layout).
using Rgba = std::uint32_t;

/// Packs 8-bit channels (0..255).
constexpr Rgba rgba(int r, int g, int b, int a = 255) {
    return static_cast<Rgba>(a) << 24 | static_cast<Rgba>(b) << 16 | static_cast<Rgba>(g) << 8 |
           static_cast<Rgba>(r);
}
constexpr int red(Rgba c) {
    return static_cast<int>(c & 0xFF);
}
constexpr int green(Rgba c) {
    return static_cast<int>((c >> 8) & 0xFF);
}
constexpr int blue(Rgba c) {
    return static_cast<int>((c >> 16) & 0xFF);
}
constexpr int alpha(Rgba c) {
    return static_cast<int>((c >> 24) & 0xFF);
}
/// `c` with its alpha multiplied by `factor` (clamped to [0, 1]).
Rgba fade(Rgba c, float factor);
/// `c` with alpha `a` in [0, 1].
Rgba with_alpha(Rgba c, float a);
/// a over b, both straight (not premultiplied) alpha; the result is opaque when b is.
Rgba blend(Rgba a, Rgba b);

/// Number of qualitative hues before they repeat.
constexpr int kHueCount = 8;
/// Qualitative hue i (Okabe & Ito's colour-blind-safe palette, black replaced by grey), cycling.
Rgba category_colour(int i, float alpha = 1.0f);

/// Relative luminance (WCAG 2) of the colour's RGB, in [0, 1].
double luminance(Rgba c);
/// WCAG contrast ratio of two opaque colours, in [1, 21].
double contrast_ratio(Rgba a, Rgba b);

/// OKLab lightness L in [0, 1], chroma C and hue h (radians) of a colour.
struct Lch {
    double L = 0, C = 0, h = 0;
};
Lch to_lch(Rgba c);
/// The sRGB colour of `lch` (chroma reduced until it fits the gamut), alpha `a` (0..255).
Rgba from_lch(const Lch& lch, int a = 255);

/// Member `rank` of `count` of a family drawn in qualitative hue `hue`: the hue's colour at a
/// lightness that moves monotonically with rank, away from the background as the rank grows
/// (so the largest swept value has the most contrast). A family of one gets the hue itself,
/// lightened or darkened only as far as needed to keep contrast 2.5 with the background.
Rgba ramp_colour(int hue, int rank, int count, Rgba background);
/// `c` with its OKLab lightness moved away from `background` until the contrast is at least
/// `ratio` (or lightness reaches 0 or 1).
Rgba with_contrast(Rgba c, Rgba background, double ratio);

}  // namespace kvscope::figure
