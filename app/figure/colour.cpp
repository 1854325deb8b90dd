#include "figure/colour.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope::figure {

namespace {

double to_linear(int channel) {
    const double c = channel / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double to_srgb(double linear) {
    const double c =
        linear <= 0.0031308 ? 12.92 * linear : 1.055 * std::pow(linear, 1 / 2.4) - 0.055;
    return c;
}

int to_byte(double unit) {
    return static_cast<int>(std::lround(std::clamp(unit, 0.0, 1.0) * 255.0));
}

struct Lab {
    double L, a, b;
};

// Linear sRGB to OKLab and back (Ottosson 2020's published matrices).
Lab linear_to_lab(double r, double g, double b) {
    const double l = std::cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
    const double m = std::cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
    const double s = std::cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
    return {0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
            1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
            0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s};
}

void lab_to_linear(const Lab& c, double& r, double& g, double& b) {
    const double l = std::pow(c.L + 0.3963377774 * c.a + 0.2158037573 * c.b, 3);
    const double m = std::pow(c.L - 0.1055613458 * c.a - 0.0638541728 * c.b, 3);
    const double s = std::pow(c.L - 0.0894841775 * c.a - 1.2914855480 * c.b, 3);
    r = 4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s;
    g = -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s;
    b = -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s;
}

bool in_gamut(const Lch& c) {
    double r, g, b;
    lab_to_linear({c.L, c.C * std::cos(c.h), c.C * std::sin(c.h)}, r, g, b);
    constexpr double kTol = 1e-6;
    return r >= -kTol && r <= 1 + kTol && g >= -kTol && g <= 1 + kTol && b >= -kTol &&
           b <= 1 + kTol;
}

}  // namespace

Rgba fade(Rgba c, float factor) {
    return with_alpha(c, static_cast<float>(alpha(c)) / 255.0f * factor);
}

Rgba with_alpha(Rgba c, float a) {
    return rgba(red(c), green(c), blue(c), to_byte(a));
}

Rgba blend(Rgba a, Rgba b) {
    const double aa = alpha(a) / 255.0, ab = alpha(b) / 255.0;
    const double out = aa + ab * (1 - aa);
    if (out <= 0) return 0;
    auto mix = [&](int ca, int cb) {
        return static_cast<int>(std::lround((ca * aa + cb * ab * (1 - aa)) / out));
    };
    return rgba(mix(red(a), red(b)), mix(green(a), green(b)), mix(blue(a), blue(b)), to_byte(out));
}

Rgba category_colour(int i, float a) {
    static constexpr unsigned char kRgb[kHueCount][3] = {
        {230, 159, 0}, {86, 180, 233}, {0, 158, 115},   {240, 228, 66},
        {0, 114, 178}, {213, 94, 0},   {204, 121, 167}, {160, 160, 160}};
    const auto& c = kRgb[((i % kHueCount) + kHueCount) % kHueCount];
    return rgba(c[0], c[1], c[2], to_byte(a));
}

double luminance(Rgba c) {
    return 0.2126 * to_linear(red(c)) + 0.7152 * to_linear(green(c)) + 0.0722 * to_linear(blue(c));
}

double contrast_ratio(Rgba a, Rgba b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Lch to_lch(Rgba c) {
    const Lab lab = linear_to_lab(to_linear(red(c)), to_linear(green(c)), to_linear(blue(c)));
    return {lab.L, std::hypot(lab.a, lab.b), std::atan2(lab.b, lab.a)};
}

Rgba from_lch(const Lch& lch, int a) {
    Lch c = lch;
    c.L = std::clamp(c.L, 0.0, 1.0);
    if (!in_gamut(c)) {
        // Largest chroma that fits, by bisection (hue and lightness kept).
        double lo = 0, hi = c.C;
        for (int i = 0; i < 30; ++i) {
            const double mid = 0.5 * (lo + hi);
            (in_gamut({c.L, mid, c.h}) ? lo : hi) = mid;
        }
        c.C = lo;
    }
    double r, g, b;
    lab_to_linear({c.L, c.C * std::cos(c.h), c.C * std::sin(c.h)}, r, g, b);
    return rgba(to_byte(to_srgb(std::max(0.0, r))), to_byte(to_srgb(std::max(0.0, g))),
                to_byte(to_srgb(std::max(0.0, b))), a);
}

Rgba with_contrast(Rgba c, Rgba background, double ratio) {
    if (contrast_ratio(c, background) >= ratio) return c;
    Lch lch = to_lch(c);
    const bool dark_ground = luminance(background) < 0.18;
    Rgba out = c;
    for (int i = 0; i < 40 && contrast_ratio(out, background) < ratio; ++i) {
        lch.L += dark_ground ? 0.02 : -0.02;
        if (lch.L <= 0 || lch.L >= 1) break;
        out = from_lch(lch, alpha(c));
    }
    return out;
}

Rgba ramp_colour(int hue, int rank, int count, Rgba background) {
    const Rgba base = category_colour(hue);
    if (count <= 1) return with_contrast(base, background, 2.5);
    const bool dark_ground = luminance(background) < 0.18;
    // Lightness from low to high contrast with the ground; the ends keep contrast >= 2 there.
    const double from = dark_ground ? 0.56 : 0.76;
    const double to = dark_ground ? 0.94 : 0.34;
    const double t = static_cast<double>(std::clamp(rank, 0, count - 1)) / (count - 1);
    Lch lch = to_lch(base);
    lch.L = from + (to - from) * t;
    return from_lch(lch);
}

}  // namespace kvscope::figure
