// The run config, schema version 1: one JSON document serves `kvscope run`, the explorer's
// session files (plus an optional "view" object) and the manifest beside every CSV.
//
//   { "schema_version": 1, "seed": 7, "beta": "inv_sqrt_d" | <number>,
//     "tokens": 32768, "eval_every": 4096, "probe_queries": 256,
//     "source": { "id": "isotropic_ball", "params": { "dim": 16 } },
//     "sketches": [ { "id": "exact" },
//                   { "id": "uniform", "params": { "budget": 512 } },
//                   { "id": "uniform", "sweep": { "budget": [64, 128, 256] } } ] }
//
// A source sweep ("source": {"id": "file", "params": {...}, "sweep": {"layer": [0, 1],
// "head": "all"}}) runs every sketch on every source instance: the Cartesian product of the
// swept values, the keys varying in the order the source lists its parameters (`kvscope list`),
// the first slowest. "all" (file source, "layer" or "head" only) is every index of that axis of
// the keys array. A Session runs one source instance: config_for_source() makes its config.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/params.hpp"

namespace kvscope {

constexpr int kSchemaVersion = 1;

// Limits every config obeys; the command line's overrides obey the same ones.
inline constexpr std::int64_t kMaxTokens = 100'000'000;      ///< "tokens", --tokens
inline constexpr std::int64_t kMaxEvalEvery = 100'000'000;   ///< "eval_every"
inline constexpr std::int64_t kMaxProbeQueries = 65'536;     ///< "probe_queries"
inline constexpr double kMaxBeta = 1e4;                      ///< "beta" lies in (0, kMaxBeta]
inline constexpr std::uint64_t kMaxSketchInstances = 1'024;  ///< after sweep expansion
/// Source instances x sketch instances of one run (a source sweep multiplies the sketches).
inline constexpr std::uint64_t kMaxRunInstances = 16'384;

/// One entry of "sketches" as written (a sweep expands into several instances).
struct SketchEntry {
    std::string id;
    nlohmann::json params = nlohmann::json::object();
    nlohmann::json sweep = nlohmann::json::object();  ///< key -> array of values
    std::optional<std::uint64_t> seed;                ///< overrides the derived seed
    std::string label;                                ///< optional display label
};

/// One concrete sketch of a run after sweep expansion.
struct SketchInstanceSpec {
    std::string id;
    std::string label;        ///< entry label, or id
    ParamSet params;          ///< validated, defaults filled in
    std::string params_text;  ///< "key=value;..." for the CSV
    std::uint64_t seed = 0;
};

/// One concrete source of a run after source-sweep expansion.
struct SourceInstanceSpec {
    nlohmann::json params;  ///< the config's "params" plus this instance's swept values
    std::string label;      ///< "layer=1;head=3": the swept keys only; "" without a sweep
};

struct RunConfig {
    int schema_version = kSchemaVersion;
    std::uint64_t seed = 7;
    std::optional<double> beta;  ///< nullopt: 1/sqrt(d)
    std::int64_t tokens = 32768;
    std::int64_t eval_every = 4096;
    int probe_queries = 256;
    bool timing = true;  ///< measure update_us/query_us; false writes nan (byte-identical CSVs)
    std::string source_id = "isotropic_ball";
    nlohmann::json source_params = nlohmann::json::object();
    /// Source sweep as written: key -> list of values, or "all" (file layer/head); {} for none.
    nlohmann::json source_sweep = nlohmann::json::object();
    /// The source instance this config runs ("layer=1;head=3"), set by config_for_source; it
    /// fills the CSV's source_params column. Not part of the JSON.
    std::string source_label;
    std::vector<SketchEntry> sketches;
    std::string description;                         ///< free text shown by presets
    nlohmann::json view = nlohmann::json::object();  ///< explorer view state, kept verbatim
    std::filesystem::path base_dir;  ///< relative Path parameters resolve against this

    /// The beta this run uses for key dimension d.
    double beta_for(int d) const;
};

/// Parses and validates a config (ids, keys, ranges, sweep values, the instance limit). Throws
/// std::invalid_argument with a one-line message naming the problem.
RunConfig parse_run_config(const nlohmann::json& doc, const std::filesystem::path& base_dir);
/// Reads a config file: a regular file of at most 16 MiB, JSON nested at most 256 levels (see
/// io/json_text.hpp). Errors name the file.
RunConfig load_run_config(const std::filesystem::path& path);
/// Applies a command-line override of "seed" or "tokens" (`text` as typed, e.g. "1e15"), under
/// the same rules and limits as the config's key; `option` ("--tokens") names it in the error.
/// Throws std::invalid_argument.
void override_seed(RunConfig& config, const std::string& text, const std::string& option);
void override_tokens(RunConfig& config, const std::string& text, const std::string& option);
/// The config as JSON (round-trips through parse_run_config).
nlohmann::json to_json(const RunConfig& config);

/// Source parameters with defaults filled and relative paths resolved against base_dir.
nlohmann::json resolved_source_params(const RunConfig& config);
/// Instances the config's entries expand into (sweeps multiply), saturating at UINT64_MAX.
std::uint64_t sketch_instance_count(const RunConfig& config);
/// Expands sweeps into concrete instances with validated parameters and derived seeds. Throws
/// std::invalid_argument, before expanding, when there would be more than kMaxSketchInstances.
std::vector<SketchInstanceSpec> expand_sketches(const RunConfig& config);
/// The config entry that builds exactly instance `spec` on its own: every parameter written
/// out, its seed pinned, its label kept when it is not the id (a sweep expanded to one entry per
/// instance).
SketchEntry explicit_entry(const SketchInstanceSpec& spec);
/// Expands the source sweep into concrete instances, in sweep order (the keys in the source's
/// parameter order, the first varying slowest); "all" reads the keys file's shape (its header
/// for npy, npz and safetensors). Without a sweep: one instance, the config's params, label "".
/// Throws std::invalid_argument for a bad value, an unreadable keys file behind "all", or when
/// source instances x sketch instances would exceed kMaxRunInstances (before expanding).
std::vector<SourceInstanceSpec> expand_sources(const RunConfig& config);
/// The config of source instance `index` of expand_sources(config): concrete source params, no
/// source sweep, source_label set. Throws std::invalid_argument when index is out of range.
RunConfig config_for_source(const RunConfig& config, std::size_t index);

}  // namespace kvscope
