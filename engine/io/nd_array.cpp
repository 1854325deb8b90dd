#include "io/nd_array.hpp"

#include <stdexcept>

namespace kvscope {

Index NdArray::element_count() const {
    Index n = 1;
    for (Index s : shape)
        n *= s;
    return n;
}

Index shape_product(const std::vector<Index>& shape, const std::string& where) {
    constexpr Index kLimit = Index{1} << 62;
    Index n = 1;
    for (Index s : shape) {
        if (s < 0) {
            throw std::invalid_argument(where + ": negative dimension in shape " +
                                        shape_to_string(shape));
        }
        if (s != 0 && n > kLimit / s) {
            throw std::invalid_argument(where + ": absurd shape " + shape_to_string(shape) +
                                        " (element count overflows)");
        }
        n *= s;
    }
    return n;
}

std::pair<Index, Index> whole_array(const std::vector<Index>& shape) {
    Index n = 1;
    for (Index s : shape)
        n *= s;
    return {0, n};
}

// Checks a selector's answer against the array (a selector bug must not read out of bounds).
void check_block(const std::pair<Index, Index>& block, Index count, const std::string& where) {
    if (block.first < 0 || block.second < 0 || block.first > count ||
        block.second > count - block.first) {
        throw std::logic_error(where + ": block [" + std::to_string(block.first) + ", +" +
                               std::to_string(block.second) + ") outside " + std::to_string(count) +
                               " elements");
    }
}

std::string shape_to_string(const std::vector<Index>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + "]";
}

}  // namespace kvscope
