#include "figure/font.hpp"

#include <stb_truetype.h>

#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>

namespace kvscope::figure {

struct TrueTypeFont::Impl {
    std::vector<unsigned char> data;
    stbtt_fontinfo info{};
    int ascent = 0, descent = 0, line_gap = 0;
    int units_per_em = 2048;
};

TrueTypeFont::TrueTypeFont(const std::string& path) : impl_(std::make_unique<Impl>()) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read font " + path);
    impl_->data.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    const int offset = stbtt_GetFontOffsetForIndex(impl_->data.data(), 0);
    if (impl_->data.empty() || offset < 0 ||
        !stbtt_InitFont(&impl_->info, impl_->data.data(), offset)) {
        throw std::runtime_error("cannot parse font " + path);
    }
    stbtt_GetFontVMetrics(&impl_->info, &impl_->ascent, &impl_->descent, &impl_->line_gap);
    const float em_scale = stbtt_ScaleForMappingEmToPixels(&impl_->info, 1.0f);
    if (em_scale > 0) impl_->units_per_em = static_cast<int>(1.0f / em_scale + 0.5f);
}

TrueTypeFont::~TrueTypeFont() = default;

float TrueTypeFont::advance(char32_t codepoint, float size) const {
    int adv = 0, lsb = 0;
    stbtt_GetCodepointHMetrics(&impl_->info, static_cast<int>(codepoint), &adv, &lsb);
    return static_cast<float>(adv) * stbtt_ScaleForPixelHeight(&impl_->info, size);
}

float TrueTypeFont::width(std::string_view text, float size) const {
    const float scale = stbtt_ScaleForPixelHeight(&impl_->info, size);
    float w = 0;
    for (char32_t c : decode_utf8(text)) {
        int adv = 0, lsb = 0;
        stbtt_GetCodepointHMetrics(&impl_->info, static_cast<int>(c), &adv, &lsb);
        w += static_cast<float>(adv) * scale;
    }
    return w;
}

float TrueTypeFont::ascent(float size) const {
    return static_cast<float>(impl_->ascent) * stbtt_ScaleForPixelHeight(&impl_->info, size);
}

float TrueTypeFont::em_size(float size) const {
    return size * static_cast<float>(impl_->units_per_em) /
           static_cast<float>(impl_->ascent - impl_->descent);
}

GlyphBitmap TrueTypeFont::glyph(char32_t codepoint, float size, float subpixel_x) const {
    const float scale = stbtt_ScaleForPixelHeight(&impl_->info, size);
    GlyphBitmap g;
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    stbtt_GetCodepointBitmapBoxSubpixel(&impl_->info, static_cast<int>(codepoint), scale, scale,
                                        subpixel_x, 0, &x0, &y0, &x1, &y1);
    g.width = x1 - x0;
    g.height = y1 - y0;
    g.x_offset = x0;
    g.y_offset = y0;
    if (g.width <= 0 || g.height <= 0) return g;
    g.coverage.assign(static_cast<std::size_t>(g.width) * static_cast<std::size_t>(g.height), 0);
    stbtt_MakeCodepointBitmapSubpixel(&impl_->info, g.coverage.data(), g.width, g.height, g.width,
                                      scale, scale, subpixel_x, 0, static_cast<int>(codepoint));
    return g;
}

const TrueTypeFont* default_font() {
    static std::once_flag once;
    static std::unique_ptr<TrueTypeFont> font;
    std::call_once(once, [] {
        try {
            font = std::make_unique<TrueTypeFont>(kDefaultFontPath);
        } catch (const std::exception&) {
            font.reset();
        }
    });
    return font.get();
}

float ApproximateMetrics::width(std::string_view text, float size) const {
    return 0.55f * size * static_cast<float>(decode_utf8(text).size());
}

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        int extra = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size() + (extra == 0)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        char32_t c = extra == 0 ? b : b & (0x3F >> extra);
        bool ok = true;
        for (int k = 1; k <= extra; ++k) {
            const auto n = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((n & 0xC0) != 0x80) ok = false;
            c = (c << 6) | (n & 0x3F);
        }
        out.push_back(ok ? c : 0xFFFD);
        i += ok ? static_cast<std::size_t>(extra) + 1 : 1;
    }
    return out;
}

}  // namespace kvscope::figure
