// Colours: a colour-blind-safe qualitative palette (Okabe-Ito order) for categories such as
// sketches, buckets and signs, and viridis for magnitudes. Plain code (no ImGui): colours are
// packed RGBA8 with R in the low byte, the layout of ImGui's ImU32 and of the GL renderer's
// colour attribute, so panels and scene builders pass them on unchanged.
#pragma once

#include <cstdint>

namespace kvscope::scene {

/// A packed colour: R in bits 0-7, G 8-15, B 16-23, A 24-31 (ImGui's IM_COL32 layout).
using Rgba = std::uint32_t;

/// Packs 8-bit channels (0..255).
constexpr Rgba rgba(int r, int g, int b, int a = 255) {
    return static_cast<Rgba>(a) << 24 | static_cast<Rgba>(b) << 16 | static_cast<Rgba>(g) << 8 |
           static_cast<Rgba>(r);
}
/// Packs channels in [0, 1] (clamped, rounded), as ImGui::ColorConvertFloat4ToU32 does.
Rgba rgba_from_unit(float r, float g, float b, float a);

/// Category colour i (cycles through 8 colour-blind-safe hues).
Rgba category_colour(int i, float alpha = 1.0f);
/// Colour of bucket (or cluster) `id`, shared by the bucket panel and the embedding view so a
/// bucket has one colour everywhere: the 8 qualitative hues, then the same hues lighter (ids
/// 8..15) and darker (16..23), cycling every 24 ids. Negative ids (overflow, "no bucket") grey.
Rgba bucket_colour(int id, float alpha = 1.0f);
/// Viridis at t in [0, 1] (clamped; NaN as 0).
Rgba viridis(float t, float alpha = 1.0f);

}  // namespace kvscope::scene
