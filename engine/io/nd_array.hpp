// NdArray: a dense array read from a file (any rank, C order), converted to float.
//
// Every loader in engine/io returns one. `dtype` keeps the stored type as the file names it
// ("<f2", "F16", "csv", ...), so messages and manifests can say what was on disk.
#pragma once

#include <functional>
#include <string>
#include <utility>
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

/// A contiguous run of elements of a stored array in C order, such as one head's
/// [tokens x dim] slice of a [layers, heads, tokens, dim] cache: only that run is converted, so
/// selecting one head of a large dump does not hold the whole dump as float.
struct ArrayBlock {
    std::vector<Index> shape;  ///< the full shape of the stored array
    std::string dtype;         ///< the stored element type, as the file spells it
    Index offset = 0;          ///< flat C-order index of the first element of `data`
    std::vector<float> data;   ///< elements [offset, offset + data.size())
};

/// Chooses the block once the stored shape is known: returns {first element, element count}
/// with 0 <= first and first + count <= product(shape), or throws std::invalid_argument (for a
/// shape the caller cannot use). Loaders validate the whole file before calling it.
using BlockSelector = std::function<std::pair<Index, Index>(const std::vector<Index>& shape)>;

/// Selects every element.
std::pair<Index, Index> whole_array(const std::vector<Index>& shape);

/// Product of `shape`; throws std::invalid_argument naming `where` if a dimension is negative or
/// the product overflows 2^62.
Index shape_product(const std::vector<Index>& shape, const std::string& where);

/// Throws std::logic_error unless `block` lies inside [0, count).
void check_block(const std::pair<Index, Index>& block, Index count, const std::string& where);

/// "[2, 3, 4]" ("[]" for rank 0).
std::string shape_to_string(const std::vector<Index>& shape);

/// An array named inside a container file (npz member, safetensors tensor), for writers.
struct NamedArray {
    std::string name;
    NdArray array;
};

}  // namespace kvscope
