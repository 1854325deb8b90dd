#include "sources/source_geometry.hpp"

#include <cmath>
#include <numbers>

namespace kvscope {

Eigen::VectorXd random_unit(Rng& rng, int n) {
    Eigen::VectorXd v(n);
    double norm2 = 0;
    do {
        for (int i = 0; i < n; ++i)
            v[i] = rng.normal();
        norm2 = v.squaredNorm();
    } while (norm2 == 0.0);
    return v / std::sqrt(norm2);
}

Eigen::VectorXd random_orthogonal_unit(Rng& rng, const Eigen::VectorXd& axis) {
    const int n = static_cast<int>(axis.size());
    if (n == 1) return -axis;
    for (;;) {
        Eigen::VectorXd v = random_unit(rng, n);
        v -= v.dot(axis) * axis;
        const double norm = v.norm();
        if (norm > 1e-6) return v / norm;
    }
}

void ball_point(Rng& rng, int n, double radius, float* out) {
    const Eigen::VectorXd u = random_unit(rng, n);
    const double r = radius * std::pow(rng.uniform(), 1.0 / n);
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<float>(r * u[i]);
}

void noisy_direction(Rng& rng, const Eigen::VectorXd& dir, double noise, double norm, float* out) {
    const int n = static_cast<int>(dir.size());
    Eigen::VectorXd v(n);
    double len = 0;
    do {
        v = dir + noise * random_unit(rng, n);
        len = v.norm();
    } while (len == 0.0);
    const double s = norm / len;
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<float>(s * v[i]);
}

std::vector<Eigen::VectorXd> zero_mean_deviations(Rng& rng, int count, int n, double radius) {
    std::vector<Eigen::VectorXd> dev(count, Eigen::VectorXd::Zero(n));
    if (count < 2) return dev;
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(n);
    for (auto& d : dev) {
        d = random_unit(rng, n);
        mean += d;
    }
    mean /= count;
    double largest = 0;
    for (auto& d : dev) {
        d -= mean;
        largest = std::max(largest, d.norm());
    }
    // Random units with exactly opposite mean are measure zero; guard anyway.
    const double s = largest > 0 ? radius / largest : 0.0;
    for (auto& d : dev)
        d *= s;
    return dev;
}

namespace {

/// Uniform in (0, 1) from a 64-bit hash.
double open_unit(std::uint64_t h) {
    return (static_cast<double>(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

}  // namespace

void hashed_sphere_point(std::uint64_t seed, Index position, int n, double radius, float* out) {
    std::uint64_t state = mix64(seed ^ mix64(static_cast<std::uint64_t>(position)));
    std::vector<double> g(n);
    double norm2 = 0;
    do {
        norm2 = 0;
        for (int i = 0; i < n; i += 2) {
            // Box-Muller on two counter-based uniforms.
            const double u1 = open_unit(state = mix64(state));
            const double u2 = open_unit(state = mix64(state));
            const double r = std::sqrt(-2.0 * std::log(u1));
            const double a = 2.0 * std::numbers::pi * u2;
            g[i] = r * std::cos(a);
            if (i + 1 < n) g[i + 1] = r * std::sin(a);
        }
        for (double x : g)
            norm2 += x * x;
    } while (norm2 == 0.0);
    const double s = radius / std::sqrt(norm2);
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<float>(g[i] * s);
}

}  // namespace kvscope
