// isotropic_ball: keys and queries uniform on the sphere of radius `radius` in R^dim, values
// i.i.d. Gaussian. The logit bound is B = beta * radius^2 (high temperature when B <= 1).
// Good for: Taylor sketches (near exact at low degree), discrepancy vs sampling slopes.
#pragma once

#include "core/registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo isotropic_ball_source_info();

}  // namespace kvscope
