// The one place where built-in sketches are registered. Add one line per sketch.
#include "core/registry.hpp"
#include "sketches/balance_kv.hpp"
#include "sketches/balance_kv_reference.hpp"
#include "sketches/exact.hpp"
#include "sketches/merge_reduce.hpp"
#include "sketches/uniform.hpp"
#include "sketches/uniform_halving.hpp"
#include "sketches/weighted_merge_reduce.hpp"

namespace kvscope {

void register_builtin_sketches(SketchRegistry& registry) {
    registry.add(exact_sketch_info());
    registry.add(uniform_sketch_info());
    registry.add(uniform_halving_sketch_info());
    registry.add(merge_reduce_sketch_info());
    registry.add(weighted_merge_reduce_sketch_info());
    registry.add(balance_kv_sketch_info());
    registry.add(balance_kv_reference_sketch_info());
}

}  // namespace kvscope
