// Helpers for the sketches' unit tests: feed a batch in blocks, and the retained positions as a
// set to compare with an expected range.
#pragma once

#include <algorithm>
#include <set>

#include "core/sketch.hpp"
#include "core/types.hpp"

namespace kvscope::test {

/// The stream positions of the tokens `s` retains.
inline std::set<Index> positions(const Sketch& s) {
    std::set<Index> out;
    for (const auto& t : s.view().retained)
        out.insert(t.position);
    return out;
}

/// The positions [begin, end).
inline std::set<Index> range(Index begin, Index end) {
    std::set<Index> out;
    for (Index i = begin; i < end; ++i)
        out.insert(i);
    return out;
}

/// Appends a batch in blocks of `block` tokens.
inline void feed(Sketch& s, const TokenBatch& b, Index block) {
    for (Index i = 0; i < b.size(); i += block) {
        const Index c = std::min(block, b.size() - i);
        s.append(TokenBlock(b.queries.middleRows(i, c), b.keys.middleRows(i, c),
                            b.values.middleRows(i, c), b.first_position + i));
    }
}

}  // namespace kvscope::test
