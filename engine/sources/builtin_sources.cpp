// The one place where built-in sources are registered. Add one line per source.
#include "core/registry.hpp"
#include "sources/file_source.hpp"
#include "sources/isotropic_ball.hpp"

namespace kvscope {

void register_builtin_sources(SourceRegistry& registry) {
    registry.add(isotropic_ball_source_info());
    registry.add(file_source_info());
}

}  // namespace kvscope
