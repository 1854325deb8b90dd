#include "core/registry.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kvscope {

template <class Info>
void Registry<Info>::add(Info info) {
    if (find(info.id)) throw std::logic_error("duplicate registry id '" + info.id + "'");
    entries_.push_back(std::move(info));
}

template <class Info>
const Info* Registry<Info>::find(const std::string& id) const {
    for (const auto& e : entries_) {
        if (e.id == id) return &e;
    }
    return nullptr;
}

template <class Info>
const Info& Registry<Info>::at(const std::string& id, const char* what) const {
    if (const Info* e = find(id)) return *e;
    std::string known;
    for (const auto& e : entries_)
        known += (known.empty() ? "" : ", ") + e.id;
    throw std::invalid_argument(std::string("unknown ") + what + " '" + id + "' (known: " + known +
                                ")");
}

template class Registry<SketchInfo>;
template class Registry<SourceInfo>;

const SketchRegistry& builtin_sketches() {
    static const SketchRegistry registry = [] {
        SketchRegistry r;
        register_builtin_sketches(r);
        return r;
    }();
    return registry;
}

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
