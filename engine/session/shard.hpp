// Sharding a run over several processes or machines (`kvscope run --shard I/N`) and merging the
// shards back (`kvscope merge`): the run's instances, their estimated cost, the deterministic
// partition, the config hash that ties shards to one config, and the CSV record handling the
// merge and `--resume` need.
//
// A run instance is one sketch instance on one source instance (expand_sketches x
// expand_sources); its id is its index in the full expansion, source instance slowest:
// id = source * sketch_count + sketch. Shard I of N (1-based, 1 <= I <= N, as Slurm array ids
// are) holds the instances the longest-processing-time-first partition puts in bin I - 1.
// A shard runs one Session per source instance it touches, holding only its sketch instances
// (same seeds, labels and parameters as the full run: explicit entries, seeds pinned); each
// sketch's rows depend only on the stream, the probes and its own state, so they equal the
// unsharded run's byte for byte with "timing": false, once the instance column is renumbered
// to the full run's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "session/run_config.hpp"

namespace kvscope {

/// Shard `index` of `count`, 1-based.
struct ShardSpec {
    int index = 1;
    int count = 1;
};

/// Parses "I/N" (1 <= I <= N <= 100000). Throws std::invalid_argument naming the text.
ShardSpec parse_shard(const std::string& text);

/// One sketch instance on one source instance.
struct RunInstance {
    std::size_t id = 0;      ///< source * sketch_count + sketch
    std::size_t source = 0;  ///< index in expand_sources
    std::size_t sketch = 0;  ///< index in expand_sketches (the CSV's instance column)
    std::string source_label;
    std::string sketch_label;  ///< the sketch's label and parameters, "uniform budget=64"
    double cost = 0;           ///< estimated work, arbitrary units (sketch_cost_estimate)
};

/// Estimated work of running `spec` over `tokens` tokens [R]: tokens x (1 + size / 256), where
/// size is the largest integer parameter (budget, rank, bits...) or, for a sketch whose state
/// grows with the stream (state_bytes_at set: exact, kivi, qjl), half the tokens (its mean
/// state). A relative guide for balancing shards, not a prediction of seconds.
double sketch_cost_estimate(const SketchInstanceSpec& spec, std::int64_t tokens);

/// Every run instance of `config` in id order. Throws std::invalid_argument as expand_sketches
/// and expand_sources do.
std::vector<RunInstance> run_instances(const RunConfig& config);

/// Longest processing time first: items by cost, largest first (ties: lower index first), each
/// onto the bin with the least load so far (ties: the lower bin). Returns each item's bin in
/// [0, bins). Deterministic; the largest load is at most 4/3 of the optimum (Graham 1969) and
/// at most mean load + largest item. Throws std::invalid_argument when bins < 1.
std::vector<int> partition_by_cost(std::span<const double> costs, int bins);

/// The instances of shard `shard` of `instances`, in id order (possibly none).
std::vector<RunInstance> shard_instances(const std::vector<RunInstance>& instances,
                                         ShardSpec shard);

/// The config of source instance `source` with only the sketch instances `sketches` (indices
/// into expand_sketches, ascending), each an explicit entry with its seed and label pinned, so
/// it runs them exactly as the full config does.
RunConfig config_for_instances(const RunConfig& config, std::size_t source,
                               const std::vector<std::size_t>& sketches);

/// SHA-256 (hex) of the config's canonical JSON (to_json, keys sorted): equal for the same
/// config whatever its file's spacing or key order, different after --seed or --tokens.
std::string config_sha256(const RunConfig& config);

/// The records of CSV text (after its header line when `skip_header`), each without its line
/// end; a quoted field may hold commas and newlines. The text must end with a newline
/// (metrics.csv does); a last record without one is dropped (cut short by a kill).
std::vector<std::string> csv_records(const std::string& text, bool skip_header);
/// The fields of one CSV record, quotes removed.
std::vector<std::string> csv_fields(const std::string& record);

}  // namespace kvscope
