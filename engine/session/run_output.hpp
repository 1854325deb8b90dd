// What `kvscope run` (and the explorer's export) writes: metrics.csv in long form and a JSON
// manifest beside it (full config, seed, version, input file hashes, column list).
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "session/session.hpp"

namespace kvscope {

/// The whole metric history as CSV text (header + one line per row).
std::string metrics_csv(const Session& session);
/// The same for rows held elsewhere (the explorer's snapshot history).
std::string metrics_csv(std::span<const MetricRow> rows, bool timing);
/// The manifest document for a session.
nlohmann::json run_manifest(const Session& session);
/// Writes DIR/metrics.csv and DIR/manifest.json, creating DIR. Throws std::runtime_error naming
/// the path when a file cannot be written.
void write_run_output(const Session& session, const std::filesystem::path& dir);

}  // namespace kvscope
