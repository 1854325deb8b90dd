// The registries of sources and sketches, filled by explicit functions (no self-registering
// statics: linkers drop them from static libraries).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/params.hpp"
#include "core/sketch.hpp"
#include "sources/token_source.hpp"
#include "theory/theory_curve.hpp"

namespace kvscope {

struct SketchInfo {
    std::string id;                ///< stable snake_case id
    std::string name;              ///< display name
    std::string summary;           ///< one line: what it is and where it comes from
    std::string paper;             ///< title and arXiv id, or "" for classic baselines
    bool subset_of_stream = true;  ///< keeps a (weighted) subset of stream tokens
    std::vector<ParamSpec> params;
    std::function<std::unique_ptr<Sketch>(const SketchContext&)> make;
    /// Space bounds or estimates for this method (empty for heuristics without one).
    std::vector<TheoryCurve> theory;
    /// Parameters under which the sketch is exact for a stream of n tokens (e.g. budget >= n),
    /// or empty when it has no exact mode. The contract test checks that promise.
    std::function<nlohmann::json(Index n)> exact_params;
};

struct SourceInfo {
    std::string id;
    std::string name;
    std::string summary;
    std::vector<ParamSpec> params;
    std::function<std::unique_ptr<TokenSource>(const SourceContext&)> make;
};

template <class Info>
class Registry {
  public:
    /// Adds an entry; throws std::logic_error on a duplicate id.
    void add(Info info);
    /// The entry with this id, or nullptr.
    const Info* find(const std::string& id) const;
    /// The entry with this id; throws std::invalid_argument listing the known ids.
    const Info& at(const std::string& id, const char* what) const;
    const std::vector<Info>& all() const { return entries_; }

  private:
    std::vector<Info> entries_;
};

using SketchRegistry = Registry<SketchInfo>;
using SourceRegistry = Registry<SourceInfo>;

/// Fills `registry` with every built-in sketch (engine/sketches/builtin_sketches.cpp).
void register_builtin_sketches(SketchRegistry& registry);
/// Fills `registry` with every built-in source (engine/sources/builtin_sources.cpp).
void register_builtin_sources(SourceRegistry& registry);

/// Process-wide registries with the built-ins, built on first use (thread-safe).
const SketchRegistry& builtin_sketches();
const SourceRegistry& builtin_sources();

/// Builds a source from an id and a JSON params object (validated; throws invalid_argument).
std::unique_ptr<TokenSource> make_source(const std::string& id, const nlohmann::json& params,
                                         std::uint64_t seed);

}  // namespace kvscope
