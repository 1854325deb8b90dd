// A TrueType font read with stb_truetype (Debian's libstb): text widths as ImGui computes them
// (advance widths at ImGui's pixel-height scale, no kerning) and anti-aliased glyph coverage for
// the rasteriser. `kvscope plot` loads DejaVu Sans, the explorer's font, so a PNG or SVG figure
// is laid out like the window.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "figure/text.hpp"

namespace kvscope::figure {

/// The explorer's font (fonts-dejavu-core).
constexpr const char* kDefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// A glyph's coverage bitmap [height x width], 0..255, and where it goes relative to the pen
/// position on the baseline.
struct GlyphBitmap {
    int width = 0, height = 0;
    int x_offset = 0, y_offset = 0;
    std::vector<unsigned char> coverage;
};

class TrueTypeFont final : public TextMetrics {
  public:
    /// Reads the font file. Throws std::runtime_error naming the path when it cannot be read or
    /// parsed.
    explicit TrueTypeFont(const std::string& path);
    ~TrueTypeFont() override;
    TrueTypeFont(const TrueTypeFont&) = delete;
    TrueTypeFont& operator=(const TrueTypeFont&) = delete;

    float width(std::string_view text, float size) const override;
    /// Advance of one code point at pixel height `size`.
    float advance(char32_t codepoint, float size) const;
    /// Distance from the top of the line box to the baseline at pixel height `size`.
    float ascent(float size) const;
    /// The em size (CSS font-size) that gives pixel height `size` (ascent minus descent).
    float em_size(float size) const;
    /// Coverage of a glyph at pixel height `size`, shifted right by `subpixel_x` in [0, 1).
    GlyphBitmap glyph(char32_t codepoint, float size, float subpixel_x) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The default font, loaded once; nullptr (and no exception) when the file is missing.
const TrueTypeFont* default_font();

}  // namespace kvscope::figure
