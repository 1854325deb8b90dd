// The kvscope command line: run, list, gui.
#pragma once

#include <iosfwd>

namespace kvscope {

/// Runs the command line with `argv`; returns the process exit code (0 ok, 2 bad input, 1 other
/// failure). Output goes to `out`, one-line errors to `err`.
int run_cli(int argc, char** argv);
int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace kvscope
