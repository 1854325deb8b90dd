// The one place where built-in sources are registered. Add one line per source.
#include "sources/ar1.hpp"
#include "sources/attention_sinks.hpp"
#include "sources/clustered_offset.hpp"
#include "sources/drifting_clusters.hpp"
#include "sources/file_source.hpp"
#include "sources/heavy_hitters.hpp"
#include "sources/incompressible.hpp"
#include "sources/isotropic_ball.hpp"
#include "sources/large_norm.hpp"
#include "sources/needle.hpp"
#include "sources/outlier_channels.hpp"
#include "sources/query_shift.hpp"
#include "sources/rope_rotation.hpp"
#include "sources/source_registry.hpp"
#include "sources/value_norm_spread.hpp"

namespace kvscope {

void register_builtin_sources(SourceRegistry& registry) {
    registry.add(isotropic_ball_source_info());
    registry.add(large_norm_source_info());
    registry.add(clustered_offset_source_info());
    registry.add(drifting_clusters_source_info());
    registry.add(value_norm_spread_source_info());
    registry.add(heavy_hitters_source_info());
    registry.add(attention_sinks_source_info());
    registry.add(needle_source_info());
    registry.add(rope_rotation_source_info());
    registry.add(outlier_channels_source_info());
    registry.add(incompressible_source_info());
    registry.add(query_shift_source_info());
    registry.add(ar1_source_info());
    registry.add(file_source_info());
}

}  // namespace kvscope
