// Pin and compare: a sketch's error curve (or the whole scene's) kept as a faint ghost while
// its parameters are edited, with a readout of how much the edit changed the error at the
// current position. Pins live in the Attention error panel's state; they are copies of the
// metric rows at pin time, so a later edit, reset or new seed never changes them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "session/metric_history.hpp"

namespace kvscope::ui {

struct MetricDef;

struct PinnedCurve {
    int instance = 0;   ///< the sketch instance it was pinned from (what the readout compares)
    std::string label;  ///< the instance's label and every parameter, at pin time
    std::string scene;  ///< non-empty for a whole-scene pin: its name ("scene pin 1")
    std::vector<MetricRow> rows;  ///< the instance's rows at pin time, in stream order
};

/// Copies instance `instance`'s rows out of `history`; nullopt when it has none yet.
std::optional<PinnedCurve> pin_instance(const MetricRows& history, int instance);
/// One pin per instance that has rows (the exact reference left out), all named `scene`.
std::vector<PinnedCurve> pin_scene(const MetricRows& history, const std::string& scene);

/// The pinned and the live value of one metric at the same evaluation point.
struct PinDelta {
    Index tokens = 0;  ///< the evaluation point compared: the latest both curves have
    double pinned = 0;
    double live = 0;
    /// live / pinned - 1 (NaN when pinned is 0 or either is not finite).
    double relative() const;
};

/// Compares `pin` with the live rows of its instance at the latest evaluation point both have
/// (the current position, or the pin's end when the live run is further on); nullopt when
/// they share none.
std::optional<PinDelta> compare_pin(const PinnedCurve& pin, const MetricRows& history,
                                    const MetricDef& metric);

/// "eps_fro at 4096 tokens: 0.031 -> 0.012 (-61%, better)"; "better" or "worse" by the
/// metric's direction (mass_recall: higher is better; sizes: neither).
std::string pin_delta_text(const PinDelta& delta, const MetricDef& metric);

}  // namespace kvscope::ui
