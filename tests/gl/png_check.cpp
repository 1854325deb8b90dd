// Checks an explorer screenshot with image statistics (never bit-exact):
//   png_check IMAGE WIDTH HEIGHT            size matches, pixels not uniform, and each of the
//                                           panel tiles (controls, sketches, embedding, error,
//                                           coreset) has visible content; the embedding view's
//                                           image must hold many colours (points and the
//                                           viridis kernel field), not just text on a panel
//   png_check IMAGE W H --views-only       the same for a screenshot without the UI (--no-ui)
//   png_check IMAGE W H --lesson           the layout with a lesson open: the Lesson panel at the
//                                           top of the left column shows its amber step title and
//                                           "try it" text, controls and sketches below it
//   png_check --same-config A.json B.json   two session/config files describe the same run
#include <stb_image.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "session/run_config.hpp"

namespace {

struct Region {
    const char* name;
    double x0, y0, x1, y1;  // fractions of the image
    std::size_t min_colours = 20;
};

enum class Layout { Full, ViewsOnly, Lesson };

std::vector<Region> regions_of(Layout layout) {
    switch (layout) {
        case Layout::ViewsOnly:
            return {{"embedding", 0.03, 0.12, 0.66, 0.45, 1000},
                    {"attention error", 0.02, 0.58, 0.66, 0.95},
                    {"coreset", 0.71, 0.0, 1.0, 0.9}};
        case Layout::Lesson:
            return {{"lesson", 0.0, 0.0, 0.27, 0.46},
                    {"controls and sketches", 0.0, 0.52, 0.27, 0.95},
                    {"embedding", 0.29, 0.12, 0.68, 0.45, 100},
                    {"attention error", 0.28, 0.58, 0.69, 0.9},
                    {"internals", 0.71, 0.0, 1.0, 0.9}};
        default:
            return {{"controls", 0.0, 0.0, 0.27, 0.4},
                    {"sketches", 0.0, 0.45, 0.27, 0.9},
                    {"embedding", 0.29, 0.12, 0.68, 0.45, 1000},
                    {"attention error", 0.28, 0.58, 0.69, 0.9},
                    {"coreset", 0.71, 0.0, 1.0, 0.9}};
    }
}

/// Pixels of the Lesson panel's amber text (RGB about 250, 199, 77) in the left column's top.
long amber_pixels(const unsigned char* px, int w, int h) {
    long n = 0;
    for (int y = 0; y < static_cast<int>(0.46 * h); ++y) {
        for (int x = 0; x < static_cast<int>(0.27 * w); ++x) {
            const unsigned char* p = px + 3 * (static_cast<long>(y) * w + x);
            n += p[0] > 200 && p[1] > 150 && p[1] < 225 && p[2] < 130 ? 1 : 0;
        }
    }
    return n;
}

int check_image(const char* path, int want_w, int want_h, Layout layout) {
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(path, &w, &h, &n, 3);
    if (!px) {
        std::printf("FAIL %s: cannot read PNG\n", path);
        return 1;
    }
    int failures = 0;
    if (w != want_w || h != want_h) {
        std::printf("FAIL %s: size %dx%d, expected %dx%d\n", path, w, h, want_w, want_h);
        ++failures;
    }
    // Panels are tiled: controls top-left, sketches bottom-left, embedding centre top (55% of
    // the height), attention error centre bottom, coreset right. Without the UI (--no-ui) the
    // views fill the window: the middle column starts at the left edge. With a lesson open its
    // panel takes the top of the left column.
    const std::vector<Region> regions = regions_of(layout);
    for (const Region& r : regions) {
        double sum = 0, sum2 = 0;
        std::set<int> colours;
        long count = 0;
        for (int y = static_cast<int>(r.y0 * h); y < static_cast<int>(r.y1 * h); ++y) {
            for (int x = static_cast<int>(r.x0 * w); x < static_cast<int>(r.x1 * w); ++x) {
                const unsigned char* p = px + 3 * (static_cast<long>(y) * w + x);
                const double lum = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
                sum += lum;
                sum2 += lum * lum;
                colours.insert((p[0] << 16) | (p[1] << 8) | p[2]);
                ++count;
            }
        }
        const double mean = sum / count;
        const double sd = std::sqrt(std::max(0.0, sum2 / count - mean * mean));
        const bool ok = sd > 8.0 && colours.size() > r.min_colours;
        std::printf("%s %s: region '%s' luminance sd %.1f, %zu colours\n", ok ? "ok  " : "FAIL",
                    path, r.name, sd, colours.size());
        failures += ok ? 0 : 1;
    }
    if (layout == Layout::Lesson) {
        const long amber = amber_pixels(px, w, h);
        const bool ok = amber > 150;
        std::printf("%s %s: lesson panel text, %ld amber pixels\n", ok ? "ok  " : "FAIL", path,
                    amber);
        failures += ok ? 0 : 1;
    }
    stbi_image_free(px);
    return failures == 0 ? 0 : 1;
}

int same_config(const char* a, const char* b) {
    try {
        const auto ca = kvscope::to_json(kvscope::load_run_config(a));
        const auto cb = kvscope::to_json(kvscope::load_run_config(b));
        if (ca["source"] != cb["source"] || ca["sketches"] != cb["sketches"] ||
            ca["seed"] != cb["seed"] || ca["tokens"] != cb["tokens"]) {
            std::printf("FAIL: %s and %s differ\n%s\n%s\n", a, b, ca.dump().c_str(),
                        cb.dump().c_str());
            return 1;
        }
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        return 1;
    }
    std::printf("ok   %s reproduces %s\n", b, a);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "--same-config") return same_config(argv[2], argv[3]);
    if (argc == 4)
        return check_image(argv[1], std::atoi(argv[2]), std::atoi(argv[3]), Layout::Full);
    if (argc == 5 && std::string(argv[4]) == "--views-only")
        return check_image(argv[1], std::atoi(argv[2]), std::atoi(argv[3]), Layout::ViewsOnly);
    if (argc == 5 && std::string(argv[4]) == "--lesson")
        return check_image(argv[1], std::atoi(argv[2]), std::atoi(argv[3]), Layout::Lesson);
    std::printf(
        "usage: png_check IMAGE W H [--views-only | --lesson] | png_check --same-config A.json "
        "B.json\n");
    return 2;
}
