// LshHasher: the hash families of space partitioning (docs/algorithms.md 2.12), shared by
// `lsh_partition` and the partitioned `hybrid`.
//   - simhash: P Gaussian hyperplanes through the origin, code sign(<g_j, x>), mapped through the
//     inverse Gray code so that adjacent bucket ids differ in one bit (KDEformer's ordering;
//     Zandieh, Han, Daliri, Karbasi, "KDEformer", arXiv 2302.02451). 2^P buckets.
//   - spherical_caps [M, ALRW'17-style]: x/|x| joins the first of `caps` random unit directions
//     with <g_j, x/|x|> >= eta, else the overflow bucket `caps`.
//   - norm_shells: geometric shells of |x|: bucket floor(log(|x|/base)/log(ratio)) + 1, clamped
//     to [0, shells - 1] (bucket 0 holds |x| < base).
// Deterministic for the seed; bucket_of costs O(P d) (simhash, caps) or O(d) (shells).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace kvscope {

class LshHasher {
  public:
    enum class Family { SimHash, Caps, Shells };

    /// P = `bits` Gaussian normals drawn from Rng(seed).
    static LshHasher simhash(int dim, int bits, std::uint64_t seed);
    /// `caps` unit directions drawn from Rng(seed), threshold eta.
    static LshHasher spherical_caps(int dim, int caps, double eta, std::uint64_t seed);
    static LshHasher norm_shells(int dim, int shells, double base, double ratio);

    /// Bucket id of a key or query [dim], in [0, max_buckets()).
    int bucket_of(const float* x) const;
    int max_buckets() const { return max_buckets_; }
    Family family() const { return family_; }
    /// simhash normals [P x d] or unit cap directions [caps x d]; empty for shells.
    const Matrix& directions() const { return directions_; }
    /// Floats of hash parameters a sketch must store (the directions).
    double memory_floats() const { return static_cast<double>(directions_.size()); }

  private:
    Family family_ = Family::Shells;
    int dim_ = 0;
    int max_buckets_ = 1;
    Matrix directions_;
    double eta_ = 0;
    double shell_base_ = 1, shell_ratio_ = 2;
};

/// Share of |Z| each part (bucket) contributes to the first `queries` queries of a combined
/// estimate: [query][part], each row summing to 1 (all 0 when every part is 0). `total` is the
/// log-space sum of `parts` (only its shifts are used).
std::vector<std::vector<double>> shares_of_z(const std::vector<EstimateBatch>& parts,
                                             const EstimateBatch& total, Index queries);

/// The rows of a block that fall in one bucket, gathered (keys, values) in stream order.
struct BucketRows {
    int id = 0;
    std::vector<Index> rows;  ///< row indices into the block
    Matrix keys, values;      ///< [rows x d], [rows x d_v]
};

/// Splits a block by bucket (buckets in increasing id). Each row's id is appended to
/// `ids_of_rows` (in row order) when it is not null.
std::vector<BucketRows> split_by_bucket(const LshHasher& hasher, const TokenBlock& block,
                                        std::vector<int>* ids_of_rows = nullptr);

}  // namespace kvscope
