// Compact per-token storage for the quantizing sketches (qjl, kivi), so that what they hold is
// what they report: ChunkedArray grows in fixed chunks (no reallocation that briefly holds the
// old and the new copy, and at most one partly filled chunk of slack), PackedCodes keeps b-bit
// codes back to back in 64-bit words (b bits per code, nothing more), and PositionRuns keeps
// stream positions as runs of consecutive positions (a sketch that keeps every token in order
// holds one run, not one integer per token).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace kvscope {

/// An append-only array in chunks of 2^16 elements. The first chunk grows geometrically, so a
/// small array stays small; later chunks are allocated whole.
template <class T>
class ChunkedArray {
  public:
    static constexpr std::size_t kChunkShift = 16;
    static constexpr std::size_t kChunk = std::size_t{1} << kChunkShift;

    void push_back(const T& value) {
        if (chunks_.empty() || chunks_.back().size() == kChunk) {
            chunks_.emplace_back();
            if (chunks_.size() > 1) chunks_.back().reserve(kChunk);
        }
        chunks_.back().push_back(value);
        ++size_;
    }
    void append(const T* values, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            push_back(values[i]);
    }
    T& operator[](std::size_t i) { return chunks_[i >> kChunkShift][i & (kChunk - 1)]; }
    const T& operator[](std::size_t i) const { return chunks_[i >> kChunkShift][i & (kChunk - 1)]; }
    /// Copies elements [first, first + count) to `out`.
    void copy_out(std::size_t first, std::size_t count, T* out) const {
        for (std::size_t i = 0; i < count; ++i)
            out[i] = (*this)[first + i];
    }
    std::size_t size() const { return size_; }
    void clear() {
        chunks_.clear();
        size_ = 0;
    }
    /// Bytes allocated, capacity included.
    std::size_t held_bytes() const {
        std::size_t bytes = chunks_.capacity() * sizeof(std::vector<T>);
        for (const auto& c : chunks_)
            bytes += c.capacity() * sizeof(T);
        return bytes;
    }

  private:
    std::vector<std::vector<T>> chunks_;
    std::size_t size_ = 0;
};

/// Unsigned codes of a fixed width (1 to 32 bits), appended back to back.
class PackedCodes {
  public:
    /// Throws std::invalid_argument unless 1 <= bits <= 32.
    explicit PackedCodes(int bits);

    /// Appends `code` (its low `bits` bits). Amortised O(1).
    void push(std::uint32_t code);
    /// Code `i` (0 <= i < size()).
    std::uint32_t get(Index i) const {
        const auto bit = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(bits_);
        const std::size_t word = bit >> 6;
        const unsigned offset = bit & 63u;
        std::uint64_t v = words_[word] >> offset;
        if (offset + static_cast<unsigned>(bits_) > 64u) v |= words_[word + 1] << (64u - offset);
        return static_cast<std::uint32_t>(v & mask_);
    }
    Index size() const { return size_; }
    int bits() const { return bits_; }
    void clear();
    std::size_t held_bytes() const { return words_.held_bytes(); }

  private:
    int bits_;
    std::uint64_t mask_;
    Index size_ = 0;
    ChunkedArray<std::uint64_t> words_;
};

/// Stream positions in the order they were added, stored as runs [first, first + count).
class PositionRuns {
  public:
    /// Appends a position; extends the last run when it follows it. Amortised O(1).
    void push(Index position);
    Index size() const { return size_; }
    void clear();
    std::size_t held_bytes() const { return runs_.capacity() * sizeof(runs_[0]); }
    /// Calls f(position) for every position, in order.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& [first, count] : runs_)
            for (Index p = first; p < first + count; ++p)
                f(p);
    }

  private:
    std::vector<std::pair<Index, Index>> runs_;  ///< (first, count)
    Index size_ = 0;
};

}  // namespace kvscope
