// Session: one run of several sketches side by side on the same stream. Synchronous and
// deterministic for a config (same config -> same metric rows; with "timing": false the CSV is
// byte-identical). Tests and `kvscope run` drive it directly; the Runner wraps it in a thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "metrics/error_metrics.hpp"
#include "metrics/exact_reference.hpp"
#include "session/run_config.hpp"
#include "sources/token_source.hpp"

namespace kvscope {

/// One row of the metric history: one sketch instance at one evaluation step.
struct MetricRow {
    int instance = 0;
    std::string sketch;
    std::string label;
    std::string params;
    std::uint64_t seed = 0;
    Index tokens_seen = 0;
    Index retained_tokens = 0;
    double memory_floats = 0;
    double memory_bytes = 0;
    double compression = 0;  ///< memory_floats / (tokens_seen (d + d_v))
    ErrorSummary errors;
    double mass_recall = 0;  ///< NaN for sketches that are not a subset of the stream
    double update_us = 0;    ///< mean microseconds per appended token since the last row
    double query_us = 0;     ///< microseconds per probe query of this evaluation
};

/// A live sketch of the session and what it was built from.
struct SketchSlot {
    SketchInstanceSpec spec;
    const SketchInfo* info = nullptr;
    std::unique_ptr<Sketch> sketch;
    double append_seconds = 0;  ///< since the last evaluation
    Index appended = 0;         ///< tokens since the last evaluation
    std::string error;          ///< set when the sketch threw; it then stops receiving tokens
};

class Session {
  public:
    /// Builds the source, the sketches and the probe set. Throws std::invalid_argument on a bad
    /// config or input file; nothing is left half-built.
    explicit Session(RunConfig config);

    /// Ingests up to `max_tokens` tokens (stopping at config.tokens or the source's end),
    /// evaluating at every multiple of eval_every and at the end. Returns tokens ingested.
    Index advance(Index max_tokens);
    /// Runs to the end of the stream.
    void run_to_end();
    bool finished() const;

    /// Appends metric rows for the current state (no-op if already evaluated at this count).
    void evaluate_now();

    /// Rewinds the stream and every sketch (same seeds).
    void reset();
    /// Replaces sketch `index` with new params and replays it over the stored stream, evaluating
    /// it again at every past evaluation point (its history is replaced), so the
    /// comparison with the others stays fair. Throws std::invalid_argument on bad params.
    void reconfigure_sketch(std::size_t index, const nlohmann::json& params);
    /// Adds a sketch (replayed over the stream so far, with its history) or removes one (its
    /// rows go, later instances move down by one).
    void add_sketch(const SketchEntry& entry);
    void remove_sketch(std::size_t index);
    /// Moves sketch `from` to position `to` (the others keep their order); the history follows.
    void move_sketch(std::size_t from, std::size_t to);

    const RunConfig& config() const { return config_; }
    Index tokens_seen() const { return reference_.size(); }
    Index tokens_target() const;
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    double beta() const { return beta_; }
    const std::vector<SketchSlot>& sketches() const { return slots_; }
    const std::vector<MetricRow>& history() const { return history_; }
    const Matrix& probes() const { return probes_; }
    const ExactReference& reference() const { return reference_; }
    /// Stored stream queries [tokens_seen x d].
    Eigen::Map<const Matrix> queries() const;
    const TokenSource& source() const { return *source_; }

  private:
    void ingest(const TokenBatch& batch);
    void build_slot(SketchSlot& slot, const SketchInstanceSpec& spec);
    /// The exact results at one evaluation point, kept so a replayed sketch is evaluated
    /// against the same reference at every past point (mass recall is recomputed per sketch).
    struct EvalPoint {
        Index tokens = 0;
        ReferenceResult reference;
        ValueNorms norms;
    };
    /// Feeds the stored stream to a fresh slot, evaluating at every past point.
    std::vector<MetricRow> replay(SketchSlot& slot, int instance);
    /// Rewrites config().sketches as one explicit entry per running sketch when sweeps made
    /// them differ.
    void align_config();
    void replace_history(int instance, std::vector<MetricRow> rows);
    /// Stream positions (< n) a subset sketch keeps; nullopt when mass recall is undefined.
    std::optional<std::vector<Index>> subset_positions(const SketchSlot& slot, Index n) const;
    double mass_recall_at(const EvalPoint& point, const std::vector<Index>& positions) const;
    MetricRow make_row(SketchSlot& slot, int instance, const EvalPoint& point,
                       double mass_recall) const;
    void evaluate();

    RunConfig config_;
    std::unique_ptr<TokenSource> source_;
    int dim_ = 0;
    int value_dim_ = 0;
    double beta_ = 0;
    Matrix probes_;
    ExactReference reference_;
    std::vector<float> queries_;
    std::vector<SketchSlot> slots_;
    std::vector<MetricRow> history_;
    std::vector<EvalPoint> eval_points_;
    Index last_eval_at_ = -1;
    bool source_exhausted_ = false;
};

/// The CSV header of metrics.csv (the schema `kvscope run` and the explorer both write).
const std::vector<std::string>& metric_columns();
/// One CSV line (no newline) for a row, in metric_columns() order.
std::string metric_csv_line(const MetricRow& row, bool timing);

}  // namespace kvscope
