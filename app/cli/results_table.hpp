// The readable results table `kvscope run` prints: one line per sketch instance at the last
// evaluation: its name in the scene (its label and every parameter that tells it from the other
// instances of its sketch, never cut; figure::instance_labels), retained tokens, memory, errors.
// A source sweep prints one ranking line per source instance instead.
#pragma once

#include <string>

#include "session/session.hpp"

namespace kvscope {

std::string results_table(const Session& session);

/// One source instance of a source sweep in one line: its label, then the sketch instances
/// (exact left out) by final rel_err_mean, best first ("uniform 1.2e-02"), failed ones last.
std::string ranking_line(const Session& session);
/// The heading over the ranking lines, saying what they rank.
std::string ranking_heading(const Session& session);

}  // namespace kvscope
