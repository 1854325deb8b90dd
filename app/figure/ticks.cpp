#include "figure/ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kvscope::figure {

namespace {

const char* const kSuperDigit[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};

const TextMetrics& metrics_of(const TickSpace& s) {
    static const ApproximateMetrics approx;
    return s.metrics ? *s.metrics : approx;
}

// True when the labelled ticks keep a gap between neighbours along the axis.
bool labels_fit(const std::vector<Tick>& ticks, double lo, double hi, bool log,
                const TickSpace& s) {
    const TextMetrics& m = metrics_of(s);
    const float gap = s.horizontal ? 0.9f * s.font_size : 0.35f * s.font_size;
    float prev_pos = 0, prev_half = 0;
    bool have_prev = false;
    for (const auto& t : ticks) {
        if (t.label.empty()) continue;
        const float pos = static_cast<float>(axis_fraction(t.value, lo, hi, log)) * s.pixels;
        const float half = s.horizontal ? 0.5f * m.width(t.label, s.font_size) : 0.5f * s.font_size;
        if (have_prev && std::abs(pos - prev_pos) < prev_half + half + gap) return false;
        prev_pos = pos;
        prev_half = half;
        have_prev = true;
    }
    return true;
}

std::size_t labelled(const std::vector<Tick>& ticks) {
    return static_cast<std::size_t>(
        std::count_if(ticks.begin(), ticks.end(), [](const Tick& t) { return !t.label.empty(); }));
}

double nice_step(double raw) {
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw * (1 - 1e-9)) return m * mag;
    return 10 * mag;
}

double next_step(double step) {
    const double mag = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    const double m = step / mag;
    if (m < 1.5) return 2 * mag;
    if (m < 3.5) return 5 * mag;
    return 10 * mag;
}

// Labels for linear ticks: shared decimals; k/M when large, a×10ⁿ when tiny.
void label_linear(std::vector<Tick>& ticks) {
    double largest = 0;
    std::vector<double> values;
    for (const auto& t : ticks) {
        largest = std::max(largest, std::abs(t.value));
        values.push_back(t.value);
    }
    const bool si = largest >= 1e4;
    const bool scientific = largest > 0 && largest < 1e-3;
    double unit = 1;
    if (si) unit = largest >= 1e9 ? 1e9 : largest >= 1e6 ? 1e6 : 1e3;
    if (scientific) unit = std::pow(10.0, std::floor(std::log10(largest)));
    const int dec = decimals_for(values, unit);
    for (auto& t : ticks)
        t.label = number_label(t.value, dec, si, scientific);
}

std::vector<Tick> linear_ticks(double lo, double hi, const TickSpace& s, bool log_positions) {
    const double span = hi - lo;
    const float min_spacing = s.horizontal ? 2.5f * s.font_size : 1.8f * s.font_size;
    const double max_ticks = std::max(2.0, static_cast<double>(s.pixels / min_spacing));
    double step = nice_step(span / max_ticks);
    std::vector<Tick> best;
    for (int attempt = 0; attempt < 40; ++attempt, step = next_step(step)) {
        std::vector<Tick> ticks;
        for (double k = std::ceil(lo / step - 1e-9); k * step <= hi * (1 + 1e-12) + 1e-300; ++k) {
            const double v = std::abs(k) < 1e-9 ? 0.0 : k * step;
            if (v < lo - 1e-9 * step) continue;
            ticks.push_back(Tick{v, "", true});
            if (ticks.size() > 200) break;
        }
        label_linear(ticks);
        if (labels_fit(ticks, lo, hi, log_positions, s)) return ticks;
        if (ticks.size() <= 1) return ticks;
        best = ticks;
    }
    return best;
}

// Decades labelled every `every`-th; the rest and 2..9 x 10^e unlabelled minors.
std::vector<Tick> decade_ticks(int e0, int e1, int every, double lo, double hi, bool minors) {
    std::vector<Tick> ticks;
    for (int e = e0 - 1; e <= e1; ++e) {
        const double v = std::pow(10.0, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) {
            const bool lab = ((e % every) + every) % every == 0;
            ticks.push_back(Tick{v, lab ? decade_label(e) : "", lab});
        }
        if (!minors) continue;
        for (int m = 2; m <= 9; ++m) {
            const double w = m * v;
            if (w >= lo && w <= hi) ticks.push_back(Tick{w, "", false});
        }
    }
    return ticks;
}

// Labelled mantissas `set` x 10^e inside [lo, hi]; decades are major.
std::vector<Tick> mantissa_ticks(const std::vector<int>& set, double lo, double hi) {
    std::vector<Tick> ticks;
    const int e0 = static_cast<int>(std::floor(std::log10(lo))) - 1;
    const int e1 = static_cast<int>(std::ceil(std::log10(hi)));
    for (int e = e0; e <= e1; ++e) {
        const double dec = std::pow(10.0, e);
        for (int m = 1; m <= 9; ++m) {
            const double v = m * dec;
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            const bool lab = std::find(set.begin(), set.end(), m) != set.end();
            ticks.push_back(Tick{v, lab ? "x" : "", m == 1});
        }
    }
    // Shared style: plain decimals when every label is short, else a×10ⁿ.
    bool plain = true;
    for (const auto& t : ticks)
        if (!t.label.empty() && (t.value < 1e-3 || t.value >= 1e5)) plain = false;
    // Each label with its own fewest decimals (0.2, 0.1, 0.05): on a log axis the labels span
    // decades, and padding 0.2 to 0.200 only adds width.
    for (auto& t : ticks) {
        if (t.label.empty()) continue;
        t.label = plain ? number_label(t.value, decimals_for({t.value}), false, false)
                        : number_label(t.value, 0, false, true);
    }
    return ticks;
}

std::vector<Tick> log_ticks(double lo, double hi, const TickSpace& s) {
    const int e0 = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
    const int e1 = static_cast<int>(std::floor(std::log10(hi) + 1e-9));
    const int decades = e1 - e0 + 1;
    const double per_decade = s.pixels / std::max(1e-9, std::log10(hi) - std::log10(lo));
    const bool minors = per_decade >= 2.2 * s.font_size;
    if (decades >= 3) {
        for (int every : {1, 2, 3, 4, 5, 10, 20, 50, 100}) {
            auto ticks = decade_ticks(e0, e1, every, lo, hi, minors);
            if (labels_fit(ticks, lo, hi, true, s) || every == 100) return ticks;
        }
    }
    // Fewer than three decades: labelled minor ticks, the smallest set giving four labels. 1-3
    // (0.03, 0.1, 0.3) comes before 1-2-5: on a short axis over about a decade and a half, 0.1
    // and 0.2 collide and the axis kept a single label.
    std::vector<Tick> best;
    for (const auto& set : std::vector<std::vector<int>>{
             {1}, {1, 3}, {1, 2, 5}, {1, 2, 3, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
        auto ticks = mantissa_ticks(set, lo, hi);
        if (!labels_fit(ticks, lo, hi, true, s)) break;
        best = ticks;
        if (labelled(ticks) >= 4) return ticks;
    }
    // Too narrow for four mantissa labels (inside one decade, typically): linear 1-2-5 steps at
    // log positions when they label more.
    auto lin = linear_ticks(lo, hi, s, true);
    if (labelled(lin) > labelled(best) || (labelled(best) < 2 && decades < 1)) return lin;
    return best;
}

}  // namespace

double axis_fraction(double value, double lo, double hi, bool log) {
    if (log) return (std::log10(value) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    return (value - lo) / (hi - lo);
}

std::string decade_label(int exponent) {
    std::string out = "10";
    if (exponent < 0) out += "⁻";
    const std::string digits = std::to_string(std::abs(exponent));
    for (char c : digits)
        out += kSuperDigit[c - '0'];
    return out;
}

int decimals_for(const std::vector<double>& values, double unit) {
    for (int d = 0; d <= 8; ++d) {
        const double scale = std::pow(10.0, d);
        bool exact = true;
        for (double v : values) {
            const double x = v / unit * scale;
            if (std::abs(x - std::round(x)) > 1e-6 * std::max(1.0, std::abs(x))) exact = false;
        }
        if (exact) return d;
    }
    return 8;
}

std::string number_label(double value, int decimals, bool si, bool scientific) {
    char buf[64];
    const char* minus = value < 0 ? "−" : "";
    const double a = std::abs(value);
    if (a == 0) return "0";
    if (scientific) {
        const int e = static_cast<int>(std::floor(std::log10(a) + 1e-9));
        const double m = a / std::pow(10.0, e);
        if (std::abs(m - 1) < 1e-9) return std::string(minus) + decade_label(e);
        const int dec = decimals_for({m});
        std::snprintf(buf, sizeof buf, "%.*f", std::min(dec, 3), m);
        return std::string(minus) + buf + "×" + decade_label(e);
    }
    if (si && a >= 1e3) {
        const double unit = a >= 1e9 ? 1e9 : a >= 1e6 ? 1e6 : 1e3;
        const char* suffix = unit == 1e9 ? "G" : unit == 1e6 ? "M" : "k";
        std::snprintf(buf, sizeof buf, "%.*f%s", std::min(decimals_for({a / unit}), 3), a / unit,
                      suffix);
        return std::string(minus) + buf;
    }
    std::snprintf(buf, sizeof buf, "%.*f", si ? 0 : decimals, a);
    return std::string(minus) + buf;
}

std::vector<Tick> make_ticks(double lo, double hi, bool log, const TickSpace& space) {
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {};
    if (log) {
        if (!(lo > 0)) return {};
        return log_ticks(lo, hi, space);
    }
    return linear_ticks(lo, hi, space, false);
}

}  // namespace kvscope::figure
