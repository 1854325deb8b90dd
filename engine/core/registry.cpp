#include "core/registry.hpp"

#include "core/random.hpp"

namespace kvscope {

const SketchRegistry& builtin_sketches() {
    static const SketchRegistry registry = [] {
        SketchRegistry r;
        register_builtin_sketches(r);
        return r;
    }();
    return registry;
}

ParamSpec sketch_param(std::string key, std::string label, std::string help,
                       std::vector<std::string> ids, std::string def) {
    return ParamSpec::sketch(std::move(key), std::move(label), std::move(help), std::move(ids),
                             std::move(def),
                             [](const std::string& id) -> const std::vector<ParamSpec>& {
                                 return builtin_sketches().at(id, "sketch").params;
                             });
}

NestedSketch default_sketch(const std::string& id) {
    return NestedSketch::defaults(id, builtin_sketches().at(id, "sketch").params);
}

SketchContext child_context(const SketchContext& parent, const ParamSet& params,
                            const std::string& label) {
    SketchContext c = parent;
    c.seed = derive_seed(parent.seed, label);
    c.params = params;
    return c;
}

std::unique_ptr<Sketch> make_child_sketch(const SketchContext& parent, const NestedSketch& child,
                                          const std::string& label) {
    return builtin_sketches()
        .at(child.id, "sketch")
        .make(child_context(parent, child.params, label));
}

}  // namespace kvscope
