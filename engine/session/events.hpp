// Stream events: the moments worth a marker on a time plot or on the coreset timeline (a query
// shift, the needle, a budget filling up, a merge tree growing a level), each with a short
// label. They are plain data for the panels, the lessons and the CLI (`kvscope run` writes them
// to manifest.json).
//
// Two origins:
//  - the source, from its parameters: `shift_at` (query_shift), `needle_position` (needle),
//    `sinks` (attention_sinks). Known before the stream reaches them, so a plot can show what is
//    coming; a file source has none.
//  - a sketch, once the stream has passed them: its `budget` filling (subset sketches keep every
//    token until then), `compress_at` (balance_kv_reference), the source's sinks leaving its recent
//    window (only when the sketch has not kept them elsewhere), and each merge-tree level reached
//    for the first time, at the stream position the tree recorded when it happened
//    (MergeTreeView::level_reached_at).
// Nothing here touches the stream: events are a function of the config, the sketches' parameters
// and views, and the tokens seen, so `kvscope run` and the explorer give the same list.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sketch_view.hpp"
#include "session/run_config.hpp"

namespace kvscope {

class Session;

/// One marker-worthy moment of the stream.
struct StreamEvent {
    Index at = 0;        ///< stream position: tokens seen when it happens (the needle: its index)
    std::string kind;    ///< one of event_kinds()
    std::string label;   ///< a few words for the marker, e.g. "h2o full (512)"
    int instance = -1;   ///< sketch instance, or -1 for an event of the source
    std::string sketch;  ///< that instance's label ("" for the source)
};

/// Every event kind: "query_shift", "needle", "sinks" (source); "budget_full", "compress",
/// "sinks_leave_window", "new_level" (sketch).
const std::vector<std::string>& event_kinds();
/// True for kinds that come from the source (no sketch).
bool is_source_event_kind(const std::string& kind);

/// The source's events from its resolved parameters, those at or before `tokens` only, in
/// stream order.
std::vector<StreamEvent> source_events(const std::string& source_id,
                                       const nlohmann::json& resolved_params, Index tokens);

/// One sketch instance's events up to `tokens_seen`, from its parameters and its current view;
/// `source_sinks` is the source's sink count (0 when it has none).
std::vector<StreamEvent> sketch_events(int instance, const SketchInstanceSpec& spec,
                                       const SketchView& view, Index tokens_seen,
                                       Index source_sinks);

/// The source's sink count from its resolved parameters (0 when it has none).
Index source_sink_count(const std::string& source_id, const nlohmann::json& resolved_params);

/// Every event of a run of `config` so far: the source's up to `tokens_target`, and those of
/// each sketch instance i with spec specs[i] and view views[i] (null: skipped) up to
/// `tokens_seen`; sorted by position.
std::vector<StreamEvent> run_events(const RunConfig& config, Index tokens_target, Index tokens_seen,
                                    const std::vector<const SketchInstanceSpec*>& specs,
                                    const std::vector<const SketchView*>& views);

/// Every event of a session so far (run_events with each sketch's view, built once:
/// O(sum of view sizes)).
std::vector<StreamEvent> session_events(const Session& session);

/// Events as JSON: [{"at", "kind", "label", "instance", "sketch"}...].
nlohmann::json events_json(const std::vector<StreamEvent>& events);

}  // namespace kvscope
