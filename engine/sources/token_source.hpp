// A token stream: synthetic (seeded, replayable) or loaded from files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/types.hpp"

namespace kvscope {

/// A file that fed a source, with its content hash, for the run manifest.
struct InputFile {
    std::string path;
    std::string sha256;  ///< lowercase hex
    std::size_t bytes = 0;
};

class TokenSource {
  public:
    virtual ~TokenSource() = default;

    virtual int dim() const = 0;        ///< key/query dimension d
    virtual int value_dim() const = 0;  ///< value dimension d_v
    /// Number of tokens the source can yield, or nullopt for an unbounded synthetic stream.
    virtual std::optional<Index> length() const = 0;

    /// Next up to `max_tokens` tokens in stream order; fewer (possibly zero) at the end of a
    /// finite source. All values are finite. Cost O(max_tokens * d).
    virtual TokenBatch next(Index max_tokens) = 0;

    /// The seeded probe query set used for "for all q" errors, [count x d]. Deterministic for
    /// (source parameters, count, seed); does not advance the stream.
    virtual Matrix probe_queries(int count, std::uint64_t seed) const = 0;

    /// Rewinds to the first token; the replay yields exactly the same tokens.
    virtual void reset() = 0;

    /// Files read by this source (empty for synthetic sources).
    virtual std::vector<InputFile> input_files() const { return {}; }
};

/// Everything a source factory gets: validated parameters and the run seed.
struct SourceContext {
    ParamSet params;
    std::uint64_t seed = 0;
};

}  // namespace kvscope
