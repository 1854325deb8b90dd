// The readable results table `kvscope run` prints: one line per sketch instance at the last
// evaluation (sketch, params, retained tokens, memory, errors).
#pragma once

#include <string>

#include "session/session.hpp"

namespace kvscope {

std::string results_table(const Session& session);

}  // namespace kvscope
