// isotropic_ball: keys and queries uniform on the sphere of radius `radius` in R^dim, values
// i.i.d. Gaussian. The logit bound is B = beta * radius^2 (high temperature when B <= 1).
// Good for: Taylor sketches (near exact at low degree), discrepancy vs sampling slopes.
#pragma once

#include <string>
#include "sources/source_registry.hpp"

#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo isotropic_ball_source_info();

/// The sphere stream with its own id, texts and default radius (large_norm reuses it).
SourceInfo sphere_source_info(std::string id, std::string name, std::string summary,
                              double default_radius, std::string radius_help);

}  // namespace kvscope
