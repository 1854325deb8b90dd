#include "cli/interrupt.hpp"

#include <unistd.h>
#include <atomic>
#include <csignal>

namespace kvscope {

namespace {

// Lock-free, so reading and writing it is async-signal-safe (a volatile sig_atomic_t would not
// be safe to read from the explorer's thread while the handler runs on another).
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

struct sigaction g_previous_int;
struct sigaction g_previous_term;

extern "C" void on_interrupt(int signal) {
    int none = 0;
    if (!g_signal.compare_exchange_strong(none, signal)) {
        // Asked twice: the user does not want to wait for the safe point.
        static const char message[] = "kvscope: second signal, exiting at once\n";
        const ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
        (void)ignored;
        ::_exit(128 + signal);
    }
}

}  // namespace

int interrupt_exit_code(int signal) {
    return 128 + signal;
}

const char* interrupt_signal_name(int signal) {
    if (signal == SIGINT) return "SIGINT";
    if (signal == SIGTERM) return "SIGTERM";
    return "a signal";
}

InterruptGuard::InterruptGuard() {
    g_signal.store(0);
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // SA_RESTART: a read under way when the signal comes goes on instead of failing with EINTR
    // (which a loader would report as a truncated file); the loop checks the flag after it.
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, &g_previous_int);
    sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
    sigaction(SIGINT, &g_previous_int, nullptr);
    sigaction(SIGTERM, &g_previous_term, nullptr);
}

int interrupt_signal() {
    return g_signal.load();
}

}  // namespace kvscope
