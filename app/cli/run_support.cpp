#include "cli/run_support.hpp"

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli/interrupt.hpp"
#include "io/input_file.hpp"

namespace kvscope {

void prepare_output_folder(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
        throw std::invalid_argument(printable(dir) + ": the output folder is an existing file");
    }
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
        throw std::invalid_argument(printable(dir) + ": cannot create the output folder (" +
                                    (ec ? ec.message() : std::string("not a folder")) + ")");
    }
}

namespace {

std::string clock_text(double seconds) {
    const long long s = seconds < 0 ? 0 : static_cast<long long>(seconds + 0.5);
    char text[32];
    if (s >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
    }
    return text;
}

}  // namespace

std::string progress_line(std::size_t done, std::size_t total, Index tokens, Index tokens_total,
                          double elapsed_seconds) {
    std::string line = "kvscope run: " + std::to_string(done) + "/" + std::to_string(total) +
                       " instances, " + std::to_string(tokens) + "/" +
                       std::to_string(tokens_total) + " tokens, " + clock_text(elapsed_seconds) +
                       " elapsed, ETA ";
    if (tokens <= 0 || tokens_total < tokens) return line + "?";
    const double left = static_cast<double>(tokens_total - tokens) / static_cast<double>(tokens);
    return line + clock_text(elapsed_seconds * left);
}

ProgressMeter::ProgressMeter(std::ostream& err, bool enabled, std::size_t instances,
                             Index tokens_total)
    : err_(err),
      enabled_(enabled),
      total_(instances),
      tokens_total_(tokens_total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressMeter::start_session(std::size_t instances, Index tokens_target,
                                  Index estimated_tokens) {
    session_instances_ = instances;
    tokens_total_ += tokens_target - estimated_tokens;
}

void ProgressMeter::update(Index tokens) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    err_ << '\r' << progress_line(done_, total_, tokens_done_ + tokens, tokens_total_, elapsed)
         << "\x1b[K" << std::flush;
    drawn_ = true;
}

void ProgressMeter::end_session(Index tokens) {
    done_ += session_instances_;
    tokens_done_ += tokens;
    session_instances_ = 0;
}

void ProgressMeter::clear() {
    if (!drawn_) return;
    err_ << "\r\x1b[K" << std::flush;
    drawn_ = false;
}

bool progress_wanted(bool quiet, const std::ostream& err) {
    return !quiet && &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

int stream_run(Session& session, MetricsCsvWriter& csv, ProgressMeter* progress) {
    constexpr Index kTokensPerCheck = 4096;
    while (!session.finished()) {
        if (const int signal = interrupt_signal()) return signal;
        session.advance(kTokensPerCheck);
        csv.append_new(session);
        if (progress) progress->update(session.tokens_seen());
    }
    session.evaluate_now();
    csv.append_new(session);
    return 0;
}

}  // namespace kvscope
