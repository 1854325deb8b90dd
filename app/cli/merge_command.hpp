// `kvscope merge DIR... --out DIR [--allow-partial]`: joins the folders of `kvscope run --shard
// I/N` into one metrics.csv and manifest.json. The shards must come from one config
// (config_sha256) and kvscope version, with one N, each shard once and complete, their
// instances disjoint and together every instance of the run; anything else is bad input (exit
// 2) naming the folder or shard. --allow-partial merges what there is (missing shards,
// unfinished groups of interrupted shards) and lists what is missing on stderr and in the
// manifest.
//
// Rows are ordered as the unsharded run writes them: source instance, then tokens_seen, then
// the sketch instance. Each row keeps its bytes, so with "timing": false the merged metrics.csv
// equals the unsharded run's byte for byte.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace kvscope {

struct MergeOptions {
    std::vector<std::string> inputs;  ///< shard folders
    std::string out_dir;
    bool allow_partial = false;
    bool quiet = false;
};

/// Runs the merge; returns 0 (also when --allow-partial left something out). Throws
/// std::invalid_argument (exit 2) naming the folder or shard at fault.
int do_merge(const MergeOptions& opt, std::ostream& out, std::ostream& err);

}  // namespace kvscope
