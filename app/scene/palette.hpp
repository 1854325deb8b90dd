// Colours: a colour-blind-safe qualitative palette (Okabe-Ito order) for categories such as
// sketches, buckets and signs, and viridis for magnitudes.
#pragma once

#include <imgui.h>

namespace kvscope::ui {

/// Category colour i (cycles through 8 colour-blind-safe hues).
ImU32 category_colour(int i, float alpha = 1.0f);
/// Colour of bucket (or cluster) `id`, shared by the bucket panel and the embedding view so a
/// bucket has one colour everywhere: the 8 qualitative hues, then the same hues lighter (ids
/// 8..15) and darker (16..23), cycling every 24 ids. Negative ids (overflow, "no bucket") grey.
ImU32 bucket_colour(int id, float alpha = 1.0f);
/// Viridis at t in [0, 1] (clamped).
ImU32 viridis(float t, float alpha = 1.0f);

}  // namespace kvscope::ui
