// `kvscope run --shard I/N` and `kvscope run --resume`: a run as a plan of groups (one Session
// per source instance, holding the shard's sketch instances of it), its manifest rewritten after
// every group so that a run stopped at any point can be resumed without repeating finished
// groups. The unsharded run (cli.cpp) writes the same "config_sha256", "shard" and "groups"
// keys, so it can be resumed the same way.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "session/run_config.hpp"
#include "session/shard.hpp"

namespace kvscope {

struct ShardedRunOptions {
    std::string out_dir;
    ShardSpec shard;
    bool resume = false;
    bool quiet = false;
};

/// Runs shard `opt.shard` of `config` into opt.out_dir (resuming what is there with
/// opt.resume); returns the exit code (0, 1 a sketch failed, 128 + signal when interrupted).
/// Throws std::invalid_argument on bad input, and for --resume over a folder whose manifest
/// comes from another config, version or shard.
int run_sharded(const RunConfig& config, const ShardedRunOptions& opt, std::ostream& out,
                std::ostream& err);

/// One entry of the manifest's "groups": source instance `source` ran to its end with the run
/// instances `ids`, writing `rows` rows (after the rows of the groups before it).
nlohmann::json group_entry(std::size_t source, const std::string& source_label,
                           const std::vector<std::size_t>& ids, std::size_t rows);

/// The keys every `kvscope run` manifest carries for --resume and merge: config_sha256,
/// shard {index, count}, instance_count (the full run's), run_instances (this run's: id, source,
/// source_label, sketch_instance, label, cost).
void add_plan_keys(nlohmann::json& manifest, const RunConfig& config, ShardSpec shard,
                   const std::vector<RunInstance>& all, const std::vector<RunInstance>& mine);

}  // namespace kvscope
