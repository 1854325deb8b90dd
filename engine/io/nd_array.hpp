// NdArray: a dense array read from a file (any rank, C order), converted to float.
//
// Every loader in engine/io returns one. `dtype` keeps the stored type as the file names it
// ("<f2", "F16", "csv", ...), so messages and manifests can say what was on disk.
#pragma once

#include <string>
#include <vector>

#include "core/types.hpp"

namespace kvscope {

struct NdArray {
    std::vector<Index> shape;  ///< C order: the last axis varies fastest
    std::vector<float> data;   ///< product(shape) values
    std::string dtype;         ///< the stored element type, as the file spells it

    /// Product of the shape (1 for rank 0).
    Index element_count() const;
};

/// Product of `shape`; throws std::invalid_argument naming `where` if a dimension is negative or
/// the product overflows 2^62.
Index shape_product(const std::vector<Index>& shape, const std::string& where);

/// "[2, 3, 4]" ("[]" for rank 0).
std::string shape_to_string(const std::vector<Index>& shape);

/// An array named inside a container file (npz member, safetensors tensor), for writers.
struct NamedArray {
    std::string name;
    NdArray array;
};

}  // namespace kvscope
