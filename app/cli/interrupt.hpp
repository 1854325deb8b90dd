// Interruption of long commands by SIGINT (Ctrl+C) or SIGTERM. The handler only records the
// signal in an atomic flag; the command polls it at its safe points (`kvscope run` between
// chunks of tokens, the explorer once per frame), writes what it has and exits with
// 128 + the signal number (130 for SIGINT, 143 for SIGTERM, the Unix convention). A second
// signal while the first is pending ends the process at once (_exit, nothing more is written).
//
// Signal code lives here only: the engine never installs handlers; it is driven in steps by a
// caller that checks interrupt_signal() between them.
#pragma once

namespace kvscope {

/// Exit code of a command stopped by signal `signal`: 128 + its number.
int interrupt_exit_code(int signal);
/// "SIGINT", "SIGTERM", or "signal N".
const char* interrupt_signal_name(int signal);

/// Installs the SIGINT and SIGTERM handlers for its lifetime (restoring the previous ones when it
/// goes) and clears any signal recorded before. One at a time per process.
class InterruptGuard {
  public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};

/// The signal received since the InterruptGuard was made (SIGINT or SIGTERM), or 0. Safe from
/// any thread.
int interrupt_signal();

}  // namespace kvscope
