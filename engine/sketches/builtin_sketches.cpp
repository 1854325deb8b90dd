// The one place where built-in sketches are registered. Add one line per sketch.
#include "blocks/weighted_merge_reduce.hpp"
#include "core/registry.hpp"
#include "sketches/balance_kv.hpp"
#include "sketches/balance_kv_reference.hpp"
#include "sketches/exact.hpp"
#include "sketches/h2o.hpp"
#include "sketches/hybrid.hpp"
#include "sketches/key_norm.hpp"
#include "sketches/kivi.hpp"
#include "sketches/lsh_partition.hpp"
#include "sketches/merge_reduce.hpp"
#include "sketches/qjl.hpp"
#include "sketches/sinks_window.hpp"
#include "sketches/sliding_window.hpp"
#include "sketches/snapkv.hpp"
#include "sketches/streaming_llm.hpp"
#include "sketches/subgen.hpp"
#include "sketches/taylor.hpp"
#include "sketches/uniform.hpp"
#include "sketches/uniform_halving.hpp"

namespace kvscope {

void register_builtin_sketches(SketchRegistry& registry) {
    registry.add(exact_sketch_info());
    registry.add(uniform_sketch_info());
    registry.add(uniform_halving_sketch_info());
    registry.add(merge_reduce_sketch_info());
    registry.add(weighted_merge_reduce_sketch_info());
    registry.add(balance_kv_sketch_info());
    registry.add(balance_kv_reference_sketch_info());
    registry.add(sliding_window_sketch_info());
    registry.add(streaming_llm_sketch_info());
    registry.add(h2o_sketch_info());
    registry.add(snapkv_sketch_info());
    registry.add(key_norm_sketch_info());
    registry.add(kivi_sketch_info());
    registry.add(qjl_sketch_info());
    registry.add(sinks_window_sketch_info());
    registry.add(taylor_sketch_info());
    registry.add(lsh_partition_sketch_info());
    registry.add(hybrid_sketch_info());
    registry.add(subgen_sketch_info());
}

}  // namespace kvscope
