#include "session/events.hpp"

#include <algorithm>
#include <cmath>

#include "core/registry.hpp"
#include "session/session.hpp"

namespace kvscope {

namespace {

using nlohmann::json;

Index param_index(const json& params, const char* key) {
    if (!params.contains(key) || !params.at(key).is_number()) return -1;
    return static_cast<Index>(std::llround(params.at(key).get<double>()));
}

std::string count_text(Index n) {
    return std::to_string(static_cast<long long>(n));
}

/// The recent window a sketch keeps exactly, in tokens (0 when it has none): its `window`
/// parameter, a sliding window's whole budget, or H2O's protected recent share.
Index recent_window(const SketchInstanceSpec& spec) {
    const ParamSet& p = spec.params;
    if (p.has("window")) return p.integer("window");
    if (spec.id == "sliding_window") return p.integer("budget");
    if (p.has("recent_fraction") && p.has("budget")) {
        return static_cast<Index>(
            std::llround(p.number("recent_fraction") * static_cast<double>(p.integer("budget"))));
    }
    return 0;
}

/// Tokens a sketch's merge trees lag behind the stream: a token enters them when it leaves the
/// sketch's exact recent window (balance_kv, sinks_window).
Index tree_lag(const SketchInstanceSpec& spec) {
    return spec.params.has("window") ? spec.params.integer("window") : 0;
}

bool keeps_all(const SketchView& view, Index below) {
    std::vector<char> kept(static_cast<std::size_t>(below), 0);
    for (const auto& t : view.retained) {
        if (t.position >= 0 && t.position < below) kept[static_cast<std::size_t>(t.position)] = 1;
    }
    return std::all_of(kept.begin(), kept.end(), [](char c) { return c != 0; });
}

void add_level_events(int instance, const SketchInstanceSpec& spec, const SketchView& view,
                      Index tokens_seen, std::vector<StreamEvent>& out) {
    std::vector<const MergeTreeView*> trees;
    for (const auto& t : view.merge_trees)
        trees.push_back(&t);
    if (trees.empty() && view.merge_tree) trees.push_back(&*view.merge_tree);
    // The first time any of the sketch's trees reached each level.
    std::vector<Index> first;
    for (const MergeTreeView* t : trees) {
        for (std::size_t l = 0; l < t->level_reached_at.size(); ++l) {
            const Index at = t->level_reached_at[l];
            if (first.size() <= l) first.resize(l + 1, at);
            first[l] = std::min(first[l], at);
        }
    }
    const Index lag = tree_lag(spec);
    for (std::size_t l = 0; l < first.size(); ++l) {
        const Index at = std::min(first[l] + lag, tokens_seen);
        out.push_back({at, "new_level", spec.label + " level " + std::to_string(l + 1), instance,
                       spec.label});
    }
}

}  // namespace

const std::vector<std::string>& event_kinds() {
    static const std::vector<std::string> kinds = {"query_shift",       "needle",   "sinks",
                                                   "budget_full",       "compress", "new_level",
                                                   "sinks_leave_window"};
    return kinds;
}

bool is_source_event_kind(const std::string& kind) {
    return kind == "query_shift" || kind == "needle" || kind == "sinks";
}

Index source_sink_count(const std::string& source_id, const json& resolved_params) {
    if (source_id != "attention_sinks") return 0;
    return std::max<Index>(0, param_index(resolved_params, "sinks"));
}

std::vector<StreamEvent> source_events(const std::string& source_id, const json& params,
                                       Index tokens) {
    std::vector<StreamEvent> out;
    const Index shift = param_index(params, "shift_at");
    if (source_id == "query_shift" && shift > 0 && shift <= tokens)
        out.push_back({shift, "query_shift", "queries shift to B", -1, ""});
    const Index needle = param_index(params, "needle_position");
    if (source_id == "needle" && needle >= 0 && needle < tokens)
        out.push_back({needle, "needle", "needle", -1, ""});
    const Index sinks = source_sink_count(source_id, params);
    if (sinks > 0 && sinks <= tokens)
        out.push_back({sinks, "sinks", count_text(sinks) + " sinks", -1, ""});
    return out;
}

std::vector<StreamEvent> sketch_events(int instance, const SketchInstanceSpec& spec,
                                       const SketchView& view, Index tokens_seen,
                                       Index source_sinks) {
    std::vector<StreamEvent> out;
    const SketchInfo* info = builtin_sketches().find(spec.id);
    const bool subset = info && info->subset_of_stream;
    if (subset && spec.params.has("budget")) {
        const Index budget = spec.params.integer("budget");
        if (budget <= tokens_seen) {
            out.push_back({budget, "budget_full", spec.label + " full (" + count_text(budget) + ")",
                           instance, spec.label});
        }
    }
    if (spec.params.has("compress_at")) {
        const Index at = spec.params.integer("compress_at");
        if (at <= tokens_seen)
            out.push_back({at, "compress", spec.label + " compresses", instance, spec.label});
    }
    const Index window = recent_window(spec);
    if (source_sinks > 0 && window > 0 && window + source_sinks <= tokens_seen &&
        !keeps_all(view, source_sinks)) {
        out.push_back({window + source_sinks, "sinks_leave_window",
                       "sinks leave " + spec.label + "'s window", instance, spec.label});
    }
    add_level_events(instance, spec, view, tokens_seen, out);
    return out;
}

std::vector<StreamEvent> run_events(const RunConfig& config, Index tokens_target, Index tokens_seen,
                                    const std::vector<const SketchInstanceSpec*>& specs,
                                    const std::vector<const SketchView*>& views) {
    const json params = resolved_source_params(config);
    std::vector<StreamEvent> out = source_events(config.source_id, params, tokens_target);
    const Index sinks = source_sink_count(config.source_id, params);
    for (std::size_t i = 0; i < specs.size() && i < views.size(); ++i) {
        if (!specs[i] || !views[i]) continue;
        auto more = sketch_events(static_cast<int>(i), *specs[i], *views[i], tokens_seen, sinks);
        out.insert(out.end(), more.begin(), more.end());
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const StreamEvent& a, const StreamEvent& b) { return a.at < b.at; });
    return out;
}

std::vector<StreamEvent> session_events(const Session& session) {
    const auto& slots = session.sketches();
    std::vector<SketchView> views(slots.size());
    std::vector<const SketchInstanceSpec*> specs;
    std::vector<const SketchView*> view_ptrs;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        specs.push_back(&slots[i].spec);
        const bool ok = slots[i].error.empty();
        if (ok) views[i] = slots[i].sketch->view();
        view_ptrs.push_back(ok ? &views[i] : nullptr);
    }
    return run_events(session.config(), session.tokens_target(), session.tokens_seen(), specs,
                      view_ptrs);
}

json events_json(const std::vector<StreamEvent>& events) {
    json out = json::array();
    for (const auto& e : events) {
        out.push_back({{"at", e.at},
                       {"kind", e.kind},
                       {"label", e.label},
                       {"instance", e.instance},
                       {"sketch", e.sketch}});
    }
    return out;
}

}  // namespace kvscope
