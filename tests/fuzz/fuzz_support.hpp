// Shared by the libFuzzer targets: every loader must either return or throw
// std::invalid_argument (bad input, one line); any other exception, crash, hang or sanitizer
// report is a finding. A message over one line is a finding too (the one-line error rule).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace kvscope::fuzz {

/// Runs `f`; aborts (a finding) when it throws anything but std::invalid_argument, or when the
/// message holds a newline.
template <class F>
void expect_clean(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        if (std::string(e.what()).find('\n') != std::string::npos) std::abort();
    }
}

}  // namespace kvscope::fuzz
