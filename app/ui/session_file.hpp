// Session files: a run config in the foundation schema (schema_version 1) plus an optional
// "view" object with the explorer's view state, so `kvscope gui --session` opens any config
// that `kvscope run` accepts and `kvscope run` accepts any saved session (it keeps "view"
// verbatim and ignores it). The view object holds:
//   stream_position  tokens streamed when saved (the explorer streams back to it on load)
//   theme, ui_scale, speed, selected_sketch, screenshot_scale, screenshot_ui,
//   error_metric (the metric's CSV key, e.g. "eps_fro"; an old session's index still loads),
//   show_theory, tab ("coreset", "buckets" or "polynomial": the Sketch internals tab)
//   embedding: {colour_by (retained, weight, tag, bucket, key_norm, token_index), size_by_weight,
//               field, field_mode (0 exact, 1 sketch, 2 log ratio), three_d, show_query,
//               show_hyperplanes, show_probes, auto_fit, zoom, centre[3], yaw, pitch}
//   plots: {name: {log_x, log_y, auto_fit, x_min, x_max, y_min, y_max, hidden[]}}
// Reading is lenient: unknown keys are ignored and bad values keep the current state (with a
// warning), so a session saved by a newer build still opens. The workspace writes the shared
// fields (stream position, theme, scale, speed, selection, screenshot options, tab); each panel
// writes and reads its own (ui/view_json.hpp), under the keys above.
#pragma once

#include <filesystem>
#include <string>

#include "session/runner.hpp"
#include "ui/workspace.hpp"

namespace kvscope::ui {

/// The view state as the session file's "view" object.
nlohmann::json view_to_json(const Workspace& workspace, Index stream_position);
/// Applies a "view" object to the workspace; returns the stream position it names (0 when
/// absent). Problems are described in `warnings` ("" when none); nothing throws.
Index view_from_json(const nlohmann::json& view, Workspace& workspace, std::string& warnings);

/// The whole session document: the snapshot's run config plus the view.
nlohmann::json session_document(const Snapshot& snap, const Workspace& workspace);
/// Writes session_document to `path` (atomically: a temporary file renamed over it). Returns
/// "" or an error message naming the path.
std::string save_session(const std::filesystem::path& path, const Snapshot& snap,
                         const Workspace& workspace);

/// Where the last session is autosaved: $XDG_CONFIG_HOME/kvscope/last_session.json, else
/// $HOME/.config/kvscope/last_session.json, else ./kvscope_last_session.json.
std::filesystem::path autosave_path();

/// The run-level CSV of the snapshot's history, byte for byte the schema `kvscope run` writes
/// to metrics.csv (header included).
std::string run_csv(const Snapshot& snap);

/// Streams back to a session's saved position in bounded steps, so the window keeps drawing
/// while a long stream replays: a saved position of 2^40 (or 10^8 tokens) sent as one step held
/// the Runner, and a scripted run's first frame, for minutes. The position is clamped to the
/// config's token count; one step is in flight at a time (the next goes once a newer snapshot
/// is published). A position of at most one step goes at once, as a single step did before.
class StreamCatchUp {
  public:
    static constexpr Index kStepTokens = Index{1} << 18;

    /// Starts streaming back to `position` (0: nothing to do) of a stream of `tokens` tokens;
    /// `version` is the newest snapshot's version now.
    void start(Index position, Index tokens, std::uint64_t version);
    /// The Step to send now given the newest snapshot, or 0 (done, or a step is in flight).
    Index next(const Snapshot& snap);
    /// The first step right after start(), or 0.
    Index first();
    Index remaining() const { return remaining_; }

  private:
    Index take();

    Index remaining_ = 0;
    std::uint64_t sent_at_version_ = 0;
};

/// The first free "<stem>_NNNN<ext>" in `dir` (0001 upwards).
std::filesystem::path numbered_path(const std::filesystem::path& dir, const std::string& stem,
                                    const std::string& ext);

}  // namespace kvscope::ui
