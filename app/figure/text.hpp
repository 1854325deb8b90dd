// How a figure measures text. The layout needs widths to keep labels apart and inside the frame;
// each back end measures with the font it draws with (the explorer asks ImGui, `kvscope plot`
// the TrueType font it rasterises), and both use DejaVu Sans at the same pixel height without
// kerning, so the two layouts agree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kvscope::figure {

class TextMetrics {
  public:
    virtual ~TextMetrics() = default;
    /// Width in pixels of one line of UTF-8 `text` at pixel height `size` (ImGui's font size:
    /// ascent minus descent).
    virtual float width(std::string_view text, float size) const = 0;
};

/// A fixed advance per character (0.55 of the size): for tests and when no font is available.
class ApproximateMetrics final : public TextMetrics {
  public:
    float width(std::string_view text, float size) const override;
};

/// The code points of UTF-8 `text` (an invalid byte becomes U+FFFD).
std::u32string decode_utf8(std::string_view text);

}  // namespace kvscope::figure
