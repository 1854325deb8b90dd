// A small rasteriser for display lists, so `kvscope plot` writes PNG without a window, GL or
// X: strokes are drawn by coverage (distance to each segment, a one-pixel ramp, round joins),
// filled shapes by 4x4 supersampling at their edges, and text through stb_truetype at the
// layout's pixel height and the pen's subpixel position. Colours blend in sRGB as the explorer's
// framebuffer does, so the PNG looks like the screen. PNG encoding is stb_image_write's.
#pragma once

#include <string>
#include <vector>

#include "figure/display_list.hpp"
#include "figure/font.hpp"

namespace kvscope::figure {

/// An RGBA image, 8 bits per channel, straight alpha, rows top to bottom [height x width x 4].
struct Image {
    int width = 0, height = 0;
    std::vector<unsigned char> rgba;
};

/// Draws the display list at its size (rounded up); text needs `font` (null: no text drawn).
Image rasterise(const DisplayList& list, const TrueTypeFont* font);

/// Writes `image` as PNG. Throws std::runtime_error naming the path when it cannot be written.
void write_png(const Image& image, const std::string& path);

}  // namespace kvscope::figure
