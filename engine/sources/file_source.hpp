// file: a finite token stream loaded from files (a real KV cache dump, or any key/value arrays).
//
// Keys, values and optional queries come from .npy, .npz, .safetensors or .csv files (format by
// extension; see engine/io and docs/loading_data.md). Array layouts, the token axis being the
// stream:
//   2-D [tokens, dim]
//   3-D [heads, tokens, dim]                      (`head` selects)
//   4-D [layers or batch, heads, tokens, head_dim] (`layer` and `head` select)
// Keys and values must have the same token count; queries too, and the key dimension.
// Non-finite values are rejected at load with their count and first location.
//
// Queries: without a queries file, each stream query and each probe query is a seeded uniformly
// random direction scaled to the median key norm (1 if that median is 0). With a queries file,
// the stream's queries are its rows and probe_queries(count, seed) draws `count` of them (seeded;
// without replacement when count <= tokens).
//
// Everything is loaded and validated in the constructor; next() only copies rows. Paths are used
// as given (the config loader resolves relative paths).
#pragma once

#include "sources/source_registry.hpp"
#include "sources/token_source.hpp"

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
    /// True when the queries came from a file.
    bool has_query_file() const { return has_query_file_; }

  private:
    Matrix keys_;     ///< [T x d]
    Matrix values_;   ///< [T x d_v]
    Matrix queries_;  ///< [T x d]
    double median_key_norm_ = 1;
    bool has_query_file_ = false;
    Index position_ = 0;
    std::vector<InputFile> files_;
};

SourceInfo file_source_info();

}  // namespace kvscope
