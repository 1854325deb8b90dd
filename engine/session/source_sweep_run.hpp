// A source sweep run in the background: every source instance of a config whose source sweeps
// a parameter (a layer and head of a real model, a temperature, a radius), each a Session of its
// own streamed to its end, on one worker thread. The explorer shows one source instance live;
// this gives it what `kvscope run` gives: the final error of every sketch on every instance, so
// it can plot a metric against the swept parameter.
//
// The rows equal `kvscope run`'s for the same config (same sessions, same seeds; timing columns
// aside). The caller polls progress() and never waits on the worker, except when it destroys
// the run, which stops it between chunks (at most one chunk of 4,096 tokens).
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "session/metric_history.hpp"
#include "session/run_config.hpp"

namespace kvscope {

struct SourceSweepProgress {
    std::size_t done = 0;   ///< source instances finished
    std::size_t total = 0;  ///< source instances in the sweep
    /// Every sketch instance's last row of every finished source instance, in source order
    /// (source_params names the instance).
    std::vector<MetricRow> final_rows;
    std::vector<std::string> labels;  ///< every source instance's label, in order
    std::string error;                ///< why the run stopped early, or ""
    bool finished() const { return done == total || !error.empty(); }
};

class SourceSweepRun {
  public:
    /// Starts the worker on `swept` (a config with a source sweep). Throws std::invalid_argument
    /// when the config sweeps nothing or cannot be expanded; an instance that fails later (a bad
    /// file) stops the run with progress().error.
    explicit SourceSweepRun(const RunConfig& swept);
    ~SourceSweepRun();
    SourceSweepRun(const SourceSweepRun&) = delete;
    SourceSweepRun& operator=(const SourceSweepRun&) = delete;

    /// A copy of the progress so far (cheap: final rows only).
    SourceSweepProgress progress() const;
    const RunConfig& config() const { return swept_; }
    /// numeric_sweep_values(config()) and single_sweep_key(config()), computed once (an "all"
    /// sweep reads the keys file's header to expand).
    const std::vector<double>& numeric_values() const { return numeric_; }
    const std::string& sweep_key() const { return key_; }

  private:
    void work();

    RunConfig swept_;
    std::vector<double> numeric_;
    std::string key_;
    mutable std::mutex mutex_;
    SourceSweepProgress progress_;
    std::atomic<bool> stop_{false};
    std::thread worker_;
};

/// The swept value of each source instance as a number, when the sweep has exactly one key and
/// all its values are numbers (a plot's x axis); otherwise empty (plot against the instance).
std::vector<double> numeric_sweep_values(const RunConfig& swept);
/// The swept key when there is exactly one ("radius"), else "".
std::string single_sweep_key(const RunConfig& swept);

}  // namespace kvscope
