#include "blocks/lsh_hash.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/random.hpp"

namespace kvscope {

namespace {

int inverse_gray(unsigned g) {
    unsigned b = g;
    for (unsigned shift = 1; shift < 32; shift <<= 1)
        b ^= b >> shift;
    return static_cast<int>(b);
}

}  // namespace

LshHasher LshHasher::simhash(int dim, int bits, std::uint64_t seed) {
    LshHasher h;
    h.family_ = Family::SimHash;
    h.dim_ = dim;
    h.max_buckets_ = 1 << bits;
    Rng rng(seed);
    h.directions_.resize(bits, dim);
    for (int j = 0; j < bits; ++j)
        h.directions_.row(j) = rng.normal_vector(dim);
    return h;
}

LshHasher LshHasher::spherical_caps(int dim, int caps, double eta, std::uint64_t seed) {
    LshHasher h;
    h.family_ = Family::Caps;
    h.dim_ = dim;
    h.max_buckets_ = caps + 1;
    h.eta_ = eta;
    Rng rng(seed);
    h.directions_.resize(caps, dim);
    for (int j = 0; j < caps; ++j)
        h.directions_.row(j) = rng.on_sphere(dim, 1.0);
    return h;
}

LshHasher LshHasher::norm_shells(int dim, int shells, double base, double ratio) {
    LshHasher h;
    h.family_ = Family::Shells;
    h.dim_ = dim;
    h.max_buckets_ = shells;
    h.shell_base_ = base;
    h.shell_ratio_ = ratio;
    return h;
}

int LshHasher::bucket_of(const float* x) const {
    const Eigen::Map<const Eigen::VectorXf> v(x, dim_);
    switch (family_) {
        case Family::SimHash: {
            unsigned code = 0;
            for (Index j = 0; j < directions_.rows(); ++j) {
                if (directions_.row(j).dot(v) >= 0.0f) code |= 1u << j;
            }
            return inverse_gray(code);
        }
        case Family::Caps: {
            const float norm = v.norm();
            if (norm > 0.0f) {
                for (Index j = 0; j < directions_.rows(); ++j) {
                    if (directions_.row(j).dot(v) >= eta_ * norm) return static_cast<int>(j);
                }
            }
            return static_cast<int>(directions_.rows());
        }
        case Family::Shells: {
            const double norm = v.norm();
            if (!(norm >= shell_base_)) return 0;
            const int id = static_cast<int>(
                               std::floor(std::log(norm / shell_base_) / std::log(shell_ratio_))) +
                           1;
            return std::clamp(id, 0, max_buckets_ - 1);
        }
    }
    return 0;
}

std::vector<std::vector<double>> shares_of_z(const std::vector<EstimateBatch>& parts,
                                             const EstimateBatch& total, Index queries) {
    std::vector<std::vector<double>> shares(static_cast<std::size_t>(queries),
                                            std::vector<double>(parts.size(), 0.0));
    for (Index r = 0; r < queries; ++r) {
        auto& row = shares[static_cast<std::size_t>(r)];
        double sum = 0;
        for (std::size_t b = 0; b < parts.size(); ++b) {
            row[b] = std::abs(parts[b].den[r]) * std::exp(parts[b].shift[r] - total.shift[r]);
            sum += row[b];
        }
        if (sum > 0) {
            for (double& z : row)
                z /= sum;
        }
    }
    return shares;
}

std::vector<BucketRows> split_by_bucket(const LshHasher& hasher, const TokenBlock& block,
                                        std::vector<int>* ids_of_rows) {
    std::map<int, std::vector<Index>> rows;
    for (Index r = 0; r < block.size(); ++r) {
        const int id = hasher.bucket_of(block.keys.row(r).data());
        rows[id].push_back(r);
        if (ids_of_rows) ids_of_rows->push_back(id);
    }
    std::vector<BucketRows> out;
    out.reserve(rows.size());
    for (auto& [id, list] : rows) {
        BucketRows b;
        b.id = id;
        const Index m = static_cast<Index>(list.size());
        b.keys.resize(m, block.keys.cols());
        b.values.resize(m, block.values.cols());
        for (Index i = 0; i < m; ++i) {
            b.keys.row(i) = block.keys.row(list[i]);
            b.values.row(i) = block.values.row(list[i]);
        }
        b.rows = std::move(list);
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace kvscope
