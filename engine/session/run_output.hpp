// What `kvscope run` (and the explorer's export) writes: metrics.csv in long form and a JSON
// manifest beside it (full config, seed, version, input file hashes, column list, and whether the
// run was interrupted before its end).
//
// `kvscope run` writes metrics.csv as it goes (MetricsCsvWriter), one flush per batch of complete
// lines, so a run stopped by a signal leaves every row evaluated so far and no partial line.
#pragma once

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "session/session.hpp"

namespace kvscope {

/// The whole metric history as CSV text (header + one line per row).
std::string metrics_csv(const Session& session);
/// The same for rows held elsewhere (the explorer's snapshot history).
std::string metrics_csv(std::span<const MetricRow> rows, bool timing);
/// The manifest document for a session; `interrupted`: the run was stopped before its end (its
/// "tokens_seen" then says how far it got).
nlohmann::json run_manifest(const Session& session, bool interrupted = false);
/// One entry of a source sweep's "source_instances": index, label, the source parameters
/// resolved, input files with hashes, dim, value_dim, beta, tokens_seen, tokens_target, the
/// sketches' warnings and failures, and the events, of `session` (source instance `index`).
nlohmann::json source_instance_manifest(const Session& session, std::size_t index);
/// The manifest of a source sweep: `swept` as given (the sweep included) as "config",
/// "source_instances" (the entries of the instances run, the last one the instance `last` ran,
/// interrupted or not), "source_instance_count" (all of them), and the keys of run_manifest
/// that do not depend on the source (seed, sketch_instances, columns, interrupted).
nlohmann::json swept_run_manifest(const RunConfig& swept, const nlohmann::json& source_instances,
                                  std::size_t source_instance_count, const Session& last,
                                  bool interrupted);
/// Writes DIR/metrics.csv and DIR/manifest.json, creating DIR. Throws std::runtime_error naming
/// the path when a file cannot be written.
void write_run_output(const Session& session, const std::filesystem::path& dir);
/// Writes DIR/manifest.json alone (DIR exists). Throws std::runtime_error naming the path.
void write_run_manifest(const Session& session, const std::filesystem::path& dir, bool interrupted);

/// DIR/metrics.csv written while the run goes: the header at construction, then the session's
/// new rows at each append_new(). The finished file equals metrics_csv(session) byte for byte,
/// as long as the session only appends rows (no edits while it writes). A source sweep calls
/// next_session() before each further session, whose rows then follow the last one's.
class MetricsCsvWriter {
  public:
    /// Creates (truncates) DIR/metrics.csv and writes the header. Throws std::runtime_error
    /// naming the path when it cannot be written.
    MetricsCsvWriter(const std::filesystem::path& dir, bool timing);
    /// The same, then writes `kept` (CSV records of an earlier, interrupted run, each without
    /// its line end) after the header: `--resume` continues from them.
    MetricsCsvWriter(const std::filesystem::path& dir, bool timing,
                     const std::vector<std::string>& kept);
    /// Appends the rows the session added since the last call, as whole lines, and flushes.
    /// Throws std::runtime_error naming the path on a write error.
    void append_new(const Session& session);
    /// The rows of the next append_new() come from a new session (counted from its first row).
    /// `instances`, when not empty, renumbers their instance column: a row of the session's
    /// sketch i is written as instance instances[i] (a shard's sessions hold some of the run's
    /// sketch instances, the CSV numbers them as the full run does).
    void next_session(std::vector<int> instances = {}) {
        session_written_ = 0;
        instances_ = std::move(instances);
    }
    /// Rows written, every session together.
    std::size_t rows_written() const { return written_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::ofstream out_;
    bool timing_ = false;
    std::size_t written_ = 0;
    std::size_t session_written_ = 0;  ///< rows of the current session written
    std::vector<int> instances_;       ///< the current session's instance numbers, or empty
};

}  // namespace kvscope
