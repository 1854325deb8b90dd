#include "blocks/packed_store.hpp"

#include <stdexcept>
#include <string>

namespace kvscope {

PackedCodes::PackedCodes(int bits)
    : bits_(bits), mask_(bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1) {
    if (bits < 1 || bits > 32) {
        throw std::invalid_argument("PackedCodes: " + std::to_string(bits) +
                                    " bits per code (1 to 32)");
    }
}

void PackedCodes::push(std::uint32_t code) {
    const auto bit = static_cast<std::uint64_t>(size_) * static_cast<std::uint64_t>(bits_);
    const std::size_t word = bit >> 6;
    const unsigned offset = bit & 63u;
    const std::size_t needed = (bit + static_cast<std::uint64_t>(bits_) + 63) >> 6;
    while (words_.size() < needed)
        words_.push_back(0);
    const std::uint64_t v = static_cast<std::uint64_t>(code) & mask_;
    words_[word] |= v << offset;
    if (offset + static_cast<unsigned>(bits_) > 64u) words_[word + 1] |= v >> (64u - offset);
    ++size_;
}

void PackedCodes::clear() {
    words_.clear();
    size_ = 0;
}

void PositionRuns::push(Index position) {
    if (!runs_.empty() && runs_.back().first + runs_.back().second == position) {
        ++runs_.back().second;
    } else {
        runs_.emplace_back(position, 1);
    }
    ++size_;
}

void PositionRuns::clear() {
    runs_.clear();
    size_ = 0;
}

}  // namespace kvscope
