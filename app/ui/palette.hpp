// Colours: a colour-blind-safe qualitative palette (Okabe-Ito order) for categories such as
// sketches, buckets and signs, and viridis for magnitudes.
#pragma once

#include <imgui.h>

namespace kvscope::ui {

/// Category colour i (cycles through 8 colour-blind-safe hues).
ImU32 category_colour(int i, float alpha = 1.0f);
/// Viridis at t in [0, 1] (clamped).
ImU32 viridis(float t, float alpha = 1.0f);

}  // namespace kvscope::ui
