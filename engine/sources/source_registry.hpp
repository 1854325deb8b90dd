// The source registry: every token source's id, parameters and factory, filled by
// register_builtin_sources (engine/sources/builtin_sources.cpp, one line per source). It lives
// here rather than in core/ because its factories return TokenSources.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/params.hpp"
#include "core/registry.hpp"
#include "sources/token_source.hpp"

namespace kvscope {

struct SourceInfo {
    std::string id;
    std::string name;
    std::string summary;
    std::vector<ParamSpec> params;
    std::function<std::unique_ptr<TokenSource>(const SourceContext&)> make;
};

using SourceRegistry = Registry<SourceInfo>;

/// Fills `registry` with every built-in source (engine/sources/builtin_sources.cpp).
void register_builtin_sources(SourceRegistry& registry);

/// Process-wide registry with the built-ins, built on first use (thread-safe).
const SourceRegistry& builtin_sources();

/// Builds a source from an id and a JSON params object (validated; throws invalid_argument).
std::unique_ptr<TokenSource> make_source(const std::string& id, const nlohmann::json& params,
                                         std::uint64_t seed);

}  // namespace kvscope
