// file: a finite token stream loaded from files (a real KV cache dump, or any key/value arrays).
//
// Keys, values and optional queries come from .npy, .npz, .safetensors or .csv files (format by
// extension; see engine/io and docs/loading_data.md). Array layouts, the token axis being the
// stream:
//   2-D [tokens, dim]
//   3-D [heads, tokens, dim]                      (`head` selects)
//   4-D [layers or batch, heads, tokens, head_dim] (`layer` and `head` select)
// Keys and values must have the same token count; queries need the key dimension.
// Non-finite values are rejected at load with their count and first location.
//
// Queries (`queries_role`):
//   - no queries file: each stream query and each probe query is a seeded uniformly random
//     direction scaled to the median key norm (1 if that median is 0);
//   - per_token (auto when the file has as many rows as the keys): the stream's queries are its
//     rows and probe_queries(count, seed) draws `count` of them (seeded; without replacement when
//     count <= tokens);
//   - probes (auto for any other row count m, e.g. a published 256-query probe set): the rows are
//     the probe set, all m of them in file order when count >= m (the session then has m probes,
//     not count), else `count` distinct rows drawn with the seed, in file order. The stream's
//     queries (which h2o and snapkv score with) are random directions as without a file, so the
//     probes never leak into a sketch's state.
// Everything is loaded and validated in the constructor; next() only copies rows. Paths are used
// as given (the config loader resolves relative paths).
#pragma once

#include "sources/source_registry.hpp"
#include "sources/token_source.hpp"

#include <nlohmann/json.hpp>

namespace kvscope {

class FileSource final : public TokenSource {
  public:
    /// Loads and validates every file; throws std::invalid_argument naming the file and the
    /// problem. Cost O(file sizes) (files are also hashed for input_files()).
    explicit FileSource(const SourceContext& context);

    int dim() const override { return static_cast<int>(keys_.cols()); }
    int value_dim() const override { return static_cast<int>(values_.cols()); }
    std::optional<Index> length() const override { return keys_.rows(); }
    TokenBatch next(Index max_tokens) override;
    Matrix probe_queries(int count, std::uint64_t seed) const override;
    void reset() override { position_ = 0; }
    std::vector<InputFile> input_files() const override { return files_; }

    /// Median Euclidean norm of the key rows (the scale of random queries).
    double median_key_norm() const { return median_key_norm_; }
    /// True when the stream's queries came from a file (one per token).
    bool has_query_file() const { return has_query_file_; }
    /// True when the queries file is a probe set (its rows are the probe queries).
    bool has_probe_set() const { return has_probe_set_; }

  private:
    Matrix probes_from_set(int count, std::uint64_t probe_seed) const;

    Matrix keys_;       ///< [T x d]
    Matrix values_;     ///< [T x d_v]
    Matrix queries_;    ///< [T x d]
    Matrix probe_set_;  ///< [m x d] when has_probe_set_
    double median_key_norm_ = 1;
    bool has_query_file_ = false;
    bool has_probe_set_ = false;
    Index position_ = 0;
    std::vector<InputFile> files_;
};

SourceInfo file_source_info();

/// The `file` source parameters for one data file opened by itself (the explorer's open and
/// drop, `kvscope gui FILE`), and one sentence saying what they use. A .npy or .csv file is one
/// array, so its values and queries come from the files beside it whose names swap "keys" for
/// "values" and "queries" (also "key"/"value"/"query" and "k"/"v"/"q"); without a values file the
/// values are the keys (V = K), and the note says so. An .npz or .safetensors file holds its own
/// "values" tensor. Does not read the files (FileSource validates them).
struct DataFileOpening {
    nlohmann::json params;
    std::string note;
};
DataFileOpening open_data_file(const std::string& path);

}  // namespace kvscope
