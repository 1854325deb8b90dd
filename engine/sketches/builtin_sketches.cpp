// The one place where built-in sketches are registered. Add one line per sketch.
#include "core/registry.hpp"
#include "sketches/exact.hpp"
#include "sketches/hybrid.hpp"
#include "sketches/lsh_partition.hpp"
#include "sketches/subgen.hpp"
#include "sketches/taylor.hpp"
#include "sketches/uniform.hpp"
#include "sketches/uniform_halving.hpp"

namespace kvscope {

void register_builtin_sketches(SketchRegistry& registry) {
    registry.add(exact_sketch_info());
    registry.add(uniform_sketch_info());
    registry.add(uniform_halving_sketch_info());
    registry.add(taylor_sketch_info());
    registry.add(lsh_partition_sketch_info());
    registry.add(hybrid_sketch_info());
    registry.add(subgen_sketch_info());
}

}  // namespace kvscope
