#include "core/registry.hpp"

namespace kvscope {

const SketchRegistry& builtin_sketches() {
    static const SketchRegistry registry = [] {
        SketchRegistry r;
        register_builtin_sketches(r);
        return r;
    }();
    return registry;
}

}  // namespace kvscope
