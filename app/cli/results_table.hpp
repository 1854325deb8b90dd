// The readable results table `kvscope run` prints: one line per sketch instance at the last
// evaluation: its name in the scene (its label and every parameter that tells it from the other
// instances of its sketch, never cut; figure::instance_labels), retained tokens, memory, errors.
#pragma once

#include <string>

#include "session/session.hpp"

namespace kvscope {

std::string results_table(const Session& session);

}  // namespace kvscope
