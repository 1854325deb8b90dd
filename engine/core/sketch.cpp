#include "core/sketch.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace kvscope {

namespace {

void require_finite(ConstMatrixRef m, const char* what, Index first_position) {
    if (m.allFinite()) return;
    Index count = 0;
    Index first_row = -1, first_col = -1;
    for (Index r = 0; r < m.rows(); ++r) {
        for (Index c = 0; c < m.cols(); ++c) {
            if (!std::isfinite(m(r, c))) {
                if (count == 0) {
                    first_row = r;
                    first_col = c;
                }
                ++count;
            }
        }
    }
    std::ostringstream msg;
    msg << count << " non-finite " << what << " entr" << (count == 1 ? "y" : "ies")
        << "; first at token " << (first_position + first_row) << ", column " << first_col;
    throw std::invalid_argument(msg.str());
}

}  // namespace

Sketch::Sketch(const SketchContext& context) : context_(context) {
    if (context.dim <= 0 || context.value_dim <= 0) {
        throw std::invalid_argument(
            "sketch dimensions must be positive (got d=" + std::to_string(context.dim) +
            ", d_v=" + std::to_string(context.value_dim) + ")");
    }
    if (!(context.beta > 0.0) || !std::isfinite(context.beta)) {
        throw std::invalid_argument("beta must be a positive finite number");
    }
}

void Sketch::append(const TokenBlock& block) {
    if (block.keys.cols() != dim() || block.values.cols() != value_dim() ||
        block.values.rows() != block.keys.rows() ||
        (block.queries.rows() != 0 &&
         (block.queries.rows() != block.keys.rows() || block.queries.cols() != dim()))) {
        std::ostringstream msg;
        msg << "token block shape mismatch: keys [" << block.keys.rows() << " x "
            << block.keys.cols() << "], values [" << block.values.rows() << " x "
            << block.values.cols() << "], queries [" << block.queries.rows() << " x "
            << block.queries.cols() << "]; sketch expects d=" << dim() << ", d_v=" << value_dim();
        throw std::invalid_argument(msg.str());
    }
    if (block.size() == 0) return;
    require_finite(block.keys, "key", block.first_position);
    require_finite(block.values, "value", block.first_position);
    require_finite(block.queries, "query", block.first_position);
    do_append(block);
}

EstimateBatch Sketch::estimate_many(ConstMatrixRef queries) const {
    if (queries.cols() != dim()) {
        throw std::invalid_argument("query dimension " + std::to_string(queries.cols()) +
                                    " does not match the sketch's d=" + std::to_string(dim()));
    }
    if (queries.rows() == 0) return EstimateBatch::zeros(0, value_dim());
    return do_estimate(queries);
}

}  // namespace kvscope
