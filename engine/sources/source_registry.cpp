#include "sources/source_registry.hpp"

#include <nlohmann/json.hpp>

namespace kvscope {

const SourceRegistry& builtin_sources() {
    static const SourceRegistry registry = [] {
        SourceRegistry r;
        register_builtin_sources(r);
        return r;
    }();
    return registry;
}

std::unique_ptr<TokenSource> make_source(const std::string& id, const nlohmann::json& params,
                                         std::uint64_t seed) {
    const SourceInfo& info = builtin_sources().at(id, "source");
    SourceContext ctx;
    ctx.params = ParamSet::from_json(info.params, params, "source '" + id + "'");
    ctx.seed = seed;
    return info.make(ctx);
}

}  // namespace kvscope
