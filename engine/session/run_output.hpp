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
/// Writes DIR/metrics.csv and DIR/manifest.json, creating DIR. Throws std::runtime_error naming
/// the path when a file cannot be written.
void write_run_output(const Session& session, const std::filesystem::path& dir);
/// Writes DIR/manifest.json alone (DIR exists). Throws std::runtime_error naming the path.
void write_run_manifest(const Session& session, const std::filesystem::path& dir, bool interrupted);

/// DIR/metrics.csv written while the run goes: the header at construction, then the session's
/// new rows at each append_new(). The finished file equals metrics_csv(session) byte for byte,
/// as long as the session only appends rows (no edits while it writes).
class MetricsCsvWriter {
  public:
    /// Creates (truncates) DIR/metrics.csv and writes the header. Throws std::runtime_error
    /// naming the path when it cannot be written.
    MetricsCsvWriter(const std::filesystem::path& dir, bool timing);
    /// Appends the rows the session added since the last call, as whole lines, and flushes.
    /// Throws std::runtime_error naming the path on a write error.
    void append_new(const Session& session);
    std::size_t rows_written() const { return written_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::ofstream out_;
    bool timing_ = false;
    std::size_t written_ = 0;
};

}  // namespace kvscope
