// Synthetic snapshots for panel tests: a published view is shared and immutable, so a test that
// wants a sketch to show something else gives that sketch a view of its own first.
#pragma once

#include <memory>

#include "session/runner.hpp"

namespace kvscope {

/// Sketch `s`'s view, copied into a view of its own that the test may change.
inline SketchView& edit_view(SketchSnapshot& s) {
    auto own = std::make_shared<SketchView>(*s.view);
    s.view = own;
    return *own;
}

}  // namespace kvscope
