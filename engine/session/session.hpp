// Session: one run of several sketches side by side on the same stream. Synchronous and
// deterministic for a config (same config -> same metric rows; with "timing": false the CSV is
// byte-identical). Tests and `kvscope run` drive it directly; the Runner wraps it in a thread.
//
// The session's config is the one record of what runs: the sketches are built from it, and every
// edit (reconfigure, add, remove, move) changes the config first and rebuilds the affected sketch
// from it, so config().sketches expanded by expand_sketches() always equals sketches()' specs.
// The config, the probes and the history are shared with the Runner's snapshots, never copied:
// the config and the probes are immutable (an edit makes a new config), the history is
// append-only (metric_history.hpp).
//
// Scrubbing (seek): with StreamStorage::Keep the session can take every sketch back to any past
// evaluation point and forward again, by replaying the stored stream (docs/architecture.md,
// "Scrubbing"). The stream and the metric history stay whole: tokens_seen() is where the
// sketches are, tokens_recorded() how far the stream has run, and rows past tokens_seen() are
// kept. Advancing from a rewound point replays the recorded stream first and then streams on.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "metrics/error_metrics.hpp"
#include "metrics/exact_reference.hpp"
#include "metrics/logit_bound.hpp"
#include "session/metric_history.hpp"
#include "session/run_config.hpp"
#include "sources/token_source.hpp"

namespace kvscope {

/// A live sketch of the session and what it was built from.
struct SketchSlot {
    SketchInstanceSpec spec;
    const SketchInfo* info = nullptr;
    std::unique_ptr<Sketch> sketch;
    double append_seconds = 0;  ///< since the last evaluation
    Index appended = 0;         ///< tokens since the last evaluation
    std::string error;          ///< set when the sketch threw; it then stops receiving tokens
    /// True when the config fixed this instance's seed; false when it was derived from the run
    /// seed (or pinned by an edit, which keeps the seed it had), so a new run seed changes it.
    bool seed_fixed = false;
    /// Changes (process-wide unique) whenever the sketch's state may have changed: built,
    /// appended to, estimated with or reset. Equal revisions mean equal view() and stats().
    std::uint64_t revision = 0;
};

/// The most RAM the states that grow with the stream (SketchInfo::state_bytes_at: exact, kivi,
/// qjl) may need at the end of the run together: a session above it is refused before anything
/// is allocated, with the estimate.
inline constexpr double kMaxGrowingStateBytes = 16.0 * 1024 * 1024 * 1024;
/// The most RAM a session with StreamStorage::Keep (the explorer) spends on the stream itself:
/// it streams up to the token count that fills it and stops there, saying so (stream_cap_note).
inline constexpr double kKeptStreamBytes = 4.0 * 1024 * 1024 * 1024;

/// What a session keeps of the stream it has seen (docs/architecture.md, "Memory").
enum class StreamStorage {
    /// Every key, value and query: edits replay the stream, and the explorer's views draw it.
    /// Memory grows with the stream, (2 d + d_v) floats per token.
    Keep,
    /// Only what the sketches, the exact reference and mass recall need: the exact sums stream
    /// against the fixed probes (ExactReference::stream_against), and the keys kept are those of
    /// the positions some subset sketch retains. Memory is flat whenever the sketches' is.
    /// `kvscope run` uses it; edits (reconfigure, add) need the stream and throw logic_error.
    Discard,
};

class Session {
  public:
    /// Builds the source, the sketches (from `sketches`, which must outlive the session) and the
    /// probe set. Throws std::invalid_argument on a bad config or input file, and on a config
    /// that still has a source sweep (a session runs one source: pass config_for_source(c, i));
    /// nothing is left half-built.
    explicit Session(RunConfig config, const SketchRegistry& sketches = builtin_sketches(),
                     StreamStorage storage = StreamStorage::Keep);

    /// Ingests up to `max_tokens` tokens (stopping at config.tokens or the source's end),
    /// evaluating at every multiple of eval_every and at the end. Returns tokens ingested.
    /// While rewound it first replays the recorded stream (its rows exist already, so none is
    /// added) to the last evaluation point within `max_tokens`, or the next one (so it may
    /// return more), and streams new tokens only once the sketches are at tokens_recorded().
    Index advance(Index max_tokens);
    /// Runs to the end of the stream.
    void run_to_end();
    bool finished() const;

    /// Appends metric rows for the current state (no-op if already evaluated at this count, and
    /// while rewound: the rows of the recorded stream exist).
    void evaluate_now();

    /// Takes every sketch to stream position `tokens`: 0, an evaluation point of the history,
    /// or tokens_recorded(). Back: the sketches are reset and replay the stored stream; forward:
    /// they replay from where they are. The stream, the exact reference and the history are
    /// untouched, and each sketch ends in the state a fresh run stopped there has (the same
    /// blocks, and the estimates of the evaluations it passes). Sketches replay in parallel.
    /// Throws std::invalid_argument for any other position, std::logic_error with
    /// StreamStorage::Discard (the stream is gone).
    void seek(Index tokens);
    /// The positions seek() accepts, ascending: 0, every evaluation point, tokens_recorded().
    std::vector<Index> seek_points() const;

    /// Rewinds the stream and every sketch (same seeds).
    void reset();
    /// Replaces sketch `index` with new params and replays it over the stored stream, evaluating
    /// it again at every past evaluation point (its history is replaced), so the
    /// comparison with the others stays fair. The sketch keeps its seed. Throws
    /// std::invalid_argument on bad params.
    void reconfigure_sketch(std::size_t index, const nlohmann::json& params);
    /// Adds a sketch (replayed over the stream so far, with its history) or removes one (its
    /// rows go, later instances move down by one).
    void add_sketch(const SketchEntry& entry);
    void remove_sketch(std::size_t index);
    /// Moves sketch `from` to position `to` (the others keep their order); the history follows.
    void move_sketch(std::size_t from, std::size_t to);

    /// The config of what runs now, edits included (what a saved session must hold).
    const RunConfig& config() const { return *config_; }
    /// The same config, shared: it never changes once made (an edit makes a new one).
    std::shared_ptr<const RunConfig> shared_config() const { return config_; }
    /// This run's config with run seed `seed`: the same sketches and parameters, and every
    /// sketch seed that the config did not fix drawn from the new seed (for "new seed").
    RunConfig config_with_seed(std::uint64_t seed) const;
    /// Tokens the sketches have seen: tokens_recorded() unless a seek went back.
    Index tokens_seen() const { return position_; }
    /// Tokens of the stream ingested and stored so far (the live end).
    Index tokens_recorded() const { return reference_.size(); }
    /// True while a seek has the sketches before the live end.
    bool rewound() const { return position_ < tokens_recorded(); }
    /// Where the run stops: the config's tokens, the source's length, and with
    /// StreamStorage::Keep the kKeptStreamBytes cap, whichever comes first.
    Index tokens_target() const;
    /// One line when the Keep cap stops the stream before the config's end, else "".
    std::string stream_cap_note() const;
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    double beta() const { return beta_; }
    const std::vector<SketchSlot>& sketches() const { return slots_; }
    const MetricHistory& history() const { return history_; }
    /// Probe queries [P x d], shared (fixed for the session's life).
    const Matrix& probes() const { return *probes_; }
    std::shared_ptr<const Matrix> shared_probes() const { return probes_; }
    const ExactReference& reference() const { return reference_; }
    /// The theory curves' logit bound B = beta R Q measured on the stream so far, with its
    /// inputs (metrics/logit_bound.hpp); independent of the sketches.
    const LogitBoundInputs& logit_bound() const { return logit_bound_.inputs(); }
    /// Stored stream queries [tokens_seen x d] (none with StreamStorage::Discard).
    Eigen::Map<const Matrix> queries() const;
    StreamStorage storage() const { return storage_; }
    /// Threads for appending to and evaluating the sketch instances (1: all on the caller's
    /// thread, the default). Results are the same for every count (core/parallel.hpp); only the
    /// timing columns differ.
    void set_threads(int threads) { threads_ = std::max(1, threads); }
    int threads() const { return threads_; }
    /// Keys the session holds for mass recall with StreamStorage::Discard (0 with Keep).
    Index kept_key_count() const { return static_cast<Index>(kept_positions_.size()); }
    const TokenSource& source() const { return *source_; }

  private:
    void ingest(const TokenBatch& batch);
    void build_slot(SketchSlot& slot, const SketchInstanceSpec& spec, bool seed_fixed);
    /// Throws std::invalid_argument when the growing sketch states would pass
    /// kMaxGrowingStateBytes at tokens_target(), naming the largest with its estimate.
    void check_growing_state() const;
    /// The exact results at one evaluation point, kept so a replayed sketch is evaluated
    /// against the same reference at every past point (mass recall is recomputed per sketch).
    struct EvalPoint {
        Index tokens = 0;
        ReferenceResult reference;
        ValueNorms norms;
    };
    /// Feeds the stored stream to a fresh slot, evaluating at every past point; it ends at
    /// tokens_seen() (fed again from the start when rewound).
    std::vector<MetricRow> replay(SketchSlot& slot, int instance);
    /// Appends stored tokens [from, to) to one slot in the blocks a run uses (kChunk, cut at
    /// every evaluation point) and estimates the probes at each evaluation point passed, as the
    /// run did (an estimate may change a sketch's state). The slot's error stops it.
    void feed_stored(SketchSlot& slot, Index from, Index to) const;
    /// Moves every sketch forward over the stored stream to `to`, one thread per sketch.
    void replay_all_to(Index to);
    /// The stored stream's queries, all tokens_recorded() rows.
    Eigen::Map<const Matrix> stored_queries() const;
    /// Rewrites a config whose sweeps make its entries differ from the running instances into
    /// one explicit entry per instance (seeds pinned), so an edit can address one instance.
    /// A function of the config alone: the instances are expand_sketches(config).
    static RunConfig with_explicit_entries(const RunConfig& config);
    /// Makes config_ one entry per instance (with_explicit_entries) and returns a copy to edit.
    RunConfig explicit_config() const;
    void replace_history(int instance, std::vector<MetricRow> rows);
    /// Stream positions (< n) a subset sketch keeps; nullopt when mass recall is undefined.
    std::optional<std::vector<Index>> subset_positions(const SketchSlot& slot, Index n) const;
    double mass_recall_at(const EvalPoint& point, const std::vector<Index>& positions) const;
    /// The keys at `positions` (sorted), [m x d], from the stored stream or the kept keys.
    Eigen::MatrixXd keys_at(const std::vector<Index>& positions) const;
    /// StreamStorage::Discard: keeps the keys of the positions subset sketches now retain.
    void keep_retained_keys(const TokenBatch& batch);
    MetricRow make_row(SketchSlot& slot, int instance, const EvalPoint& point,
                       double mass_recall) const;
    void evaluate();

    std::shared_ptr<const RunConfig> config_;
    const SketchRegistry* registry_;
    std::unique_ptr<TokenSource> source_;
    int dim_ = 0;
    int value_dim_ = 0;
    double beta_ = 0;
    std::shared_ptr<const Matrix> probes_;
    ExactReference reference_;
    int threads_ = 1;
    LogitBound logit_bound_;
    std::vector<float> queries_;
    std::vector<SketchSlot> slots_;
    MetricHistory history_;
    std::vector<EvalPoint> eval_points_;
    Index last_eval_at_ = -1;
    Index position_ = 0;  ///< tokens the sketches have seen (tokens_seen())
    bool source_exhausted_ = false;
    StreamStorage storage_ = StreamStorage::Keep;
    Index kept_stream_cap_ = 0;          ///< Keep: tokens that fit in kKeptStreamBytes
    std::vector<Index> kept_positions_;  ///< Discard: sorted positions whose keys are kept
    std::vector<float> kept_keys_;       ///< Discard: [kept x d], aligned with kept_positions_
};

/// The CSV header of metrics.csv (the schema `kvscope run` and the explorer both write).
const std::vector<std::string>& metric_columns();
/// One CSV line (no newline) for a row, in metric_columns() order.
std::string metric_csv_line(const MetricRow& row, bool timing);

}  // namespace kvscope
