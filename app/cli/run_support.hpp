// What the ways of `kvscope run` share (one config, a shard of it, a resumed run): the output
// folder, the chunked streaming loop that polls for a signal, and the progress line shown on a
// terminal.
//
// Progress: only when stderr is a terminal (isatty) and --quiet is not given, one line on
// stderr rewritten in place with "\r" at most five times a second and erased at the end, so a
// log file or a pipe gets exactly what it got before progress existed.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>

#include "session/run_output.hpp"
#include "session/session.hpp"

namespace kvscope {

/// Creates the output folder before the run. Throws std::invalid_argument when the path is an
/// existing file or cannot be created.
void prepare_output_folder(const std::string& dir);

/// The progress line (no "\r", no newline): "kvscope run: 3/12 instances, 40960/131072 tokens,
/// 0:12 elapsed, ETA 0:27". The ETA assumes the remaining tokens go as fast as those done; "?"
/// before any token. Times as m:ss, or h:mm:ss from an hour.
std::string progress_line(std::size_t done, std::size_t total, Index tokens, Index tokens_total,
                          double elapsed_seconds);

/// The progress of a run over several sessions, drawn on `err` when enabled.
class ProgressMeter {
  public:
    /// `enabled`: draw at all (progress_wanted). `instances`: run instances of the whole run;
    /// `tokens_total`: the tokens all its sessions will stream (an estimate: corrected as each
    /// session tells its own target).
    ProgressMeter(std::ostream& err, bool enabled, std::size_t instances, Index tokens_total);
    /// A session of `instances` run instances and `tokens_target` tokens (its estimate was
    /// `estimated_tokens`) starts.
    void start_session(std::size_t instances, Index tokens_target, Index estimated_tokens);
    /// The current session has streamed `tokens`; redraws when 0.2 s have passed.
    void update(Index tokens);
    /// The current session is done.
    void end_session(Index tokens);
    /// Instances done before this process started (a resumed run).
    void add_done(std::size_t instances) { done_ += instances; }
    /// Erases the line (before any other output).
    void clear();

  private:
    std::ostream& err_;
    bool enabled_ = false;
    bool drawn_ = false;
    std::size_t done_ = 0;
    std::size_t total_ = 0;
    std::size_t session_instances_ = 0;
    Index tokens_done_ = 0;
    Index tokens_total_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

/// True when progress should be drawn: not quiet, `err` is std::cerr and stderr a terminal.
bool progress_wanted(bool quiet, const std::ostream& err);

/// Streams the session to its end, appending rows to metrics.csv after every chunk (at most
/// 4,096 tokens and one evaluation); between chunks it stops when a signal came. Returns the
/// signal, or 0 when the run reached its end.
int stream_run(Session& session, MetricsCsvWriter& csv, ProgressMeter* progress = nullptr);

}  // namespace kvscope
