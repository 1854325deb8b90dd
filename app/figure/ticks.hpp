// Axis ticks and their labels for linear and log axes, chosen so that labels never overlap.
//
// Linear axes step by 1, 2 or 5 times a power of ten, the finest step whose labels keep a gap.
// Log axes label decades when at least three fit in the range (every 2nd, 3rd, 5th... decade
// when they would collide), with unlabelled minor ticks at 2..9; a narrower range gets labelled
// minor ticks (the first of 1-3, 1-2-5, 1-2-3-5, every mantissa that gives four labels), and where
// linear 1-2-5 steps (at log positions) label more, those. So a log axis shows at least three
// labelled decades, or four labels over a narrower span, when its size allows. Decades read 10⁻³,
// mixed sets plain decimals (0.02, 0.05, 0.1) when short, else 2×10⁻⁵; large linear values use k
// and M (16k).
#pragma once

#include <string>
#include <vector>

#include "figure/text.hpp"

namespace kvscope::figure {

struct Tick {
    double value = 0;
    std::string label;  ///< empty for an unlabelled (minor) tick
    bool major = true;  ///< gets a grid line
};

/// How much room labels need along the axis.
struct TickSpace {
    float pixels = 100;                    ///< length of the axis
    bool horizontal = true;                ///< labels side by side (x) or stacked (y)
    float font_size = 15;                  ///< label pixel height
    const TextMetrics* metrics = nullptr;  ///< null: ApproximateMetrics
};

/// Ticks inside [lo, hi] (lo < hi; on a log axis lo > 0).
std::vector<Tick> make_ticks(double lo, double hi, bool log, const TickSpace& space);

/// "10ⁿ" with superscript digits and minus.
std::string decade_label(int exponent);
/// `value` as a short label: plain decimal with `decimals` digits, "16k" style for large
/// values when `si` is set, "2×10⁻⁵" when `scientific` is set.
std::string number_label(double value, int decimals, bool si, bool scientific);
/// The fewest decimals (0..8) that print every value of `values / unit` exactly.
int decimals_for(const std::vector<double>& values, double unit = 1.0);

/// Position of `value` on an axis of [lo, hi] as a fraction (log axes in log10 space).
double axis_fraction(double value, double lo, double hi, bool log);

}  // namespace kvscope::figure
