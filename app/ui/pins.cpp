#include "ui/pins.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ui/panel_csv.hpp"

namespace kvscope::ui {

namespace {

std::string pin_label(const MetricRow& row) {
    return row.params.empty() ? row.label : row.sketch + " " + row.params;
}

// The value of `metric` in `rows` at exactly `tokens`, if there is a row there.
const MetricRow* row_at(const std::vector<const MetricRow*>& rows, Index tokens) {
    for (const MetricRow* r : rows)
        if (r->tokens_seen == tokens) return r;
    return nullptr;
}

}  // namespace

std::optional<PinnedCurve> pin_instance(const MetricRows& history, int instance) {
    PinnedCurve pin;
    pin.instance = instance;
    for (const MetricRow& r : history)
        if (r.instance == instance) pin.rows.push_back(r);
    if (pin.rows.empty()) return std::nullopt;
    pin.label = pin_label(pin.rows.front());
    return pin;
}

std::vector<PinnedCurve> pin_scene(const MetricRows& history, const std::string& scene) {
    std::vector<int> instances;
    for (const MetricRow& r : history) {
        if (r.sketch == "exact") continue;
        if (std::find(instances.begin(), instances.end(), r.instance) == instances.end())
            instances.push_back(r.instance);
    }
    std::vector<PinnedCurve> pins;
    for (int inst : instances) {
        if (auto pin = pin_instance(history, inst)) {
            pin->scene = scene;
            pins.push_back(std::move(*pin));
        }
    }
    return pins;
}

double PinDelta::relative() const {
    if (pinned == 0 || !std::isfinite(pinned) || !std::isfinite(live)) return NAN;
    return live / pinned - 1;
}

std::optional<PinDelta> compare_pin(const PinnedCurve& pin, const MetricRows& history,
                                    const MetricDef& metric) {
    std::vector<const MetricRow*> live;
    for (const MetricRow& r : history)
        if (r.instance == pin.instance) live.push_back(&r);
    // The latest evaluation point present in both (evaluation points are multiples of the
    // config's eval_every, so they line up unless the config changed).
    for (auto it = pin.rows.rbegin(); it != pin.rows.rend(); ++it) {
        if (const MetricRow* now = row_at(live, it->tokens_seen)) {
            return PinDelta{it->tokens_seen, metric.get(*it), metric.get(*now)};
        }
    }
    return std::nullopt;
}

std::string pin_delta_text(const PinDelta& delta, const MetricDef& metric) {
    const bool size = std::strcmp(metric.key, "memory_floats") == 0 ||
                      std::strcmp(metric.key, "memory_bytes") == 0 ||
                      std::strcmp(metric.key, "compression") == 0 ||
                      std::strcmp(metric.key, "retained_tokens") == 0;
    const bool higher_better = std::strcmp(metric.key, "mass_recall") == 0;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s at %lld tokens: %.3g -> %.3g", metric.key,
                  static_cast<long long>(delta.tokens), delta.pinned, delta.live);
    std::string text = buf;
    const double rel = delta.relative();
    if (!std::isfinite(rel)) return text;
    if (rel == 0) return text + " (unchanged)";
    std::snprintf(buf, sizeof buf, " (%+.0f%%", 100 * rel);
    text += buf;
    if (!size) text += (rel < 0) != higher_better ? ", better" : ", worse";
    return text + ")";
}

}  // namespace kvscope::ui
