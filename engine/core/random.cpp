#include "core/random.hpp"

namespace kvscope {

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::string_view label) {
    // FNV-1a over the label, then mixed with the parent seed.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : label) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return mix64(seed ^ mix64(h));
}

Eigen::VectorXf Rng::normal_vector(Index n) {
    Eigen::VectorXf v(n);
    for (Index i = 0; i < n; ++i)
        v[i] = static_cast<float>(normal());
    return v;
}

Eigen::VectorXf Rng::on_sphere(Index n, double radius) {
    Eigen::VectorXf v = normal_vector(n);
    double norm = v.cast<double>().norm();
    while (norm == 0.0) {
        v = normal_vector(n);
        norm = v.cast<double>().norm();
    }
    return (v.cast<double>() * (radius / norm)).cast<float>();
}

}  // namespace kvscope
