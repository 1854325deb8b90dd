// Small geometric helpers shared by the synthetic sources (docs/algorithms.md 4.1): unit
// directions, balls, zero-mean cluster layouts and counter-based (position-addressable) random
// points. Everything here is O(n) per call and deterministic for its inputs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/random.hpp"
#include "core/types.hpp"

namespace kvscope {

/// A uniformly random unit vector in R^n (double).
Eigen::VectorXd random_unit(Rng& rng, int n);

/// A uniformly random unit vector orthogonal to the unit vector `axis`; returns `axis` negated
/// when n == 1 (no orthogonal direction exists).
Eigen::VectorXd random_orthogonal_unit(Rng& rng, const Eigen::VectorXd& axis);

/// Writes a uniformly random point of the ball of radius `radius` in R^n into `out`.
void ball_point(Rng& rng, int n, double radius, float* out);

/// Writes `norm * normalize(dir + noise * u)` into `out`, with u uniform on the unit sphere; a
/// degenerate sum (zero vector) is redrawn. `dir` need not be unit; the result has norm `norm`.
void noisy_direction(Rng& rng, const Eigen::VectorXd& dir, double noise, double norm, float* out);

/// `count` cluster deviations in R^n with exact zero mean and largest norm `radius` (all zero for
/// a single cluster).
std::vector<Eigen::VectorXd> zero_mean_deviations(Rng& rng, int count, int n, double radius);

/// A point of the sphere of radius `radius` in R^n that depends only on (seed, position):
/// counter-based, so any past position can be regenerated in O(n) without storing it.
void hashed_sphere_point(std::uint64_t seed, Index position, int n, double radius, float* out);

}  // namespace kvscope
