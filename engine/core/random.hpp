// Seeded randomness. Every random choice takes a seed from the config; there is no global RNG.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "core/types.hpp"

namespace kvscope {

/// SplitMix64 finaliser: a well-mixed 64-bit hash of `x`.
std::uint64_t mix64(std::uint64_t x);
/// A child seed derived from `seed` and a label, so independent parts of a run (each sketch, the
/// probe set, the stream) get independent streams that do not shift when others are added.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view label);

/// The engine's random generator (std::mt19937_64 with convenience draws).
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
    double normal() { return normal_(engine_); }
    /// Uniform integer in [0, n).
    Index below(Index n) { return std::uniform_int_distribution<Index>(0, n - 1)(engine_); }
    bool coin() { return (engine_() >> 63) != 0; }
    /// A vector of i.i.d. standard normals, [n].
    Eigen::VectorXf normal_vector(Index n);
    /// A uniformly random point on the sphere of radius `radius` in R^n.
    Eigen::VectorXf on_sphere(Index n, double radius);
    std::mt19937_64& engine() { return engine_; }

  private:
    std::mt19937_64 engine_;
    std::normal_distribution<double> normal_{0.0, 1.0};
};

}  // namespace kvscope
