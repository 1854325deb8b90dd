// Runner: the Session on a worker thread. The UI takes the newest immutable Snapshot at the top
// of a frame and sends Commands by value; it never waits on engine work. Exceptions in the worker
// are caught and reported through the snapshot; none escapes the thread.
//
// A snapshot shares what did not change instead of copying it: the session's config and probes
// (immutable), the metric history (append-only, metric_history.hpp), the embedding buffer, and
// each sketch's view and stats while the sketch's revision is unchanged. One snapshot therefore
// costs O(sketches) plus the views of the sketches that changed.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "session/embedding.hpp"
#include "session/events.hpp"
#include "session/session.hpp"

namespace kvscope {

struct SketchSnapshot {
    SketchInstanceSpec spec;
    std::string name;
    SketchStats stats;
    /// The sketch's view (never null; shared with earlier snapshots while unchanged).
    std::shared_ptr<const SketchView> view = std::make_shared<const SketchView>();
    /// Why the sketch stopped (it threw while appending), or why its view or stats could not be
    /// taken for this snapshot; empty when fine.
    std::string error;
    std::uint64_t revision = 0;  ///< SketchSlot::revision: equal revisions, equal view and stats
    std::vector<std::string> warnings;  ///< Sketch::warnings() at this snapshot
};

/// Everything the UI draws, frozen at one moment.
struct Snapshot {
    std::uint64_t version = 0;  ///< increases with every publish
    /// The running session's config (never null): the one the session was built from and edited
    /// to; while no session could be built, the config that was asked for.
    std::shared_ptr<const RunConfig> config = std::make_shared<const RunConfig>();
    /// Where the sketches are: tokens_recorded, or the evaluation point a Seek went back to.
    Index tokens_seen = 0;
    /// How far the stream has run (the live end); the history holds its rows even when the
    /// sketches are back at tokens_seen.
    Index tokens_recorded = 0;
    Index tokens_target = 0;
    /// Session::stream_cap_note(): why the stream stops before the config's end, or "".
    std::string stream_note;
    bool playing = false;
    bool finished = false;
    int dim = 0;
    int value_dim = 0;
    double beta = 0;
    /// Session::logit_bound(): B = beta R Q of the stream so far, with its inputs.
    LogitBoundInputs logit_bound;
    std::vector<SketchSnapshot> sketches;
    MetricRows history;
    std::shared_ptr<const Matrix> probes = std::make_shared<const Matrix>();  ///< [P x d]
    /// Projected keys, probes and current query for the embedding view (never null; shared
    /// between snapshots and only replaced when something changed).
    std::shared_ptr<const EmbeddingData> embedding = std::make_shared<EmbeddingData>();
    /// Markers: the source's events and each sketch's so far (session/events.hpp).
    std::vector<StreamEvent> events;
    /// The last failed command (bad config, bad file) until a later command replaces or edits
    /// the run; else the first sketch whose view could not be taken. Empty when fine.
    std::string error;
    /// How many commands or ticks have failed so far: a new failure changes it even when its
    /// message equals the last one (the explorer shows each in a dialog once).
    std::uint64_t error_serial = 0;
};

namespace command {
struct Play {};
struct Pause {};
struct Step {
    Index tokens = 1;
};
struct Reset {};
struct NewSeed {
    std::uint64_t seed = 0;
};
struct SetSpeed {
    Index tokens_per_tick = 64;
};
/// Replaces the run. A config that cannot be built leaves the running session as it was.
struct Configure {
    RunConfig config;
    Index advance = 0;  ///< tokens to stream once built (a session file's stream position)
};
struct SetSketchParams {
    std::size_t index = 0;
    nlohmann::json params;
};
struct AddSketch {
    SketchEntry entry;
};
struct RemoveSketch {
    std::size_t index = 0;
};
struct MoveSketch {
    std::size_t from = 0;
    std::size_t to = 0;
};
/// Refits the embedding view's PCA basis on the whole stream and reprojects every token.
struct RefitProjection {};
/// Takes the scene to stream position `tokens` (Session::seek: 0, an evaluation point or the
/// live end) and pauses. Play then continues from there: the recorded stream replays at the
/// play speed, then new tokens stream. Of several Seeks in a row only the last runs (a dragged
/// slider sends one per frame).
struct Seek {
    Index tokens = 0;
};
}  // namespace command

using Command = std::variant<command::Play, command::Pause, command::Step, command::Reset,
                             command::NewSeed, command::SetSpeed, command::Configure,
                             command::SetSketchParams, command::AddSketch, command::RemoveSketch,
                             command::MoveSketch, command::RefitProjection, command::Seek>;

class Runner {
  public:
    /// Starts the worker on `config`, building sketches from `sketches` (which must outlive the
    /// runner). A config that fails to build leaves no session, the config in the snapshot and
    /// the error beside it.
    explicit Runner(RunConfig config, const SketchRegistry& sketches = builtin_sketches());
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    void send(Command command);
    /// The newest snapshot (never null). Cheap: a shared pointer copy under a short lock.
    std::shared_ptr<const Snapshot> snapshot() const;
    /// Blocks until every command sent so far has been applied and published (for tests and
    /// scripted runs; the UI never calls it). A play keeps going: this may return between two
    /// of its ticks, so to wait for a play's end, wait for a snapshot with `finished`.
    void wait_idle();

  private:
    /// A sketch's view and stats as last published, reused while its revision is unchanged.
    struct PublishedSketch {
        std::uint64_t revision = 0;
        SketchStats stats;
        std::shared_ptr<const SketchView> view;
        std::string error;                  ///< view() or stats() threw
        std::vector<std::string> warnings;  ///< Sketch::warnings() at this revision
    };

    void loop();
    void apply(Command& command);
    /// Applies one command; true when it replaced or edited the run (which clears the error).
    bool apply_one(Command& command);
    void replace_session(const RunConfig& config);
    void publish();
    std::vector<SketchSnapshot> sketch_snapshots(std::string& error);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<Command> queue_;
    std::shared_ptr<const Snapshot> snapshot_;
    bool stop_ = false;
    bool busy_ = false;

    // Worker-owned state.
    const SketchRegistry* registry_;
    std::unique_ptr<Session> session_;  ///< its config is the one record of what runs
    /// Only while no session could be built: the config that was asked for (shown, reseedable).
    std::shared_ptr<const RunConfig> unbuilt_;
    std::vector<PublishedSketch> published_;
    bool playing_ = false;
    Index speed_ = 64;
    std::string error_;
    std::uint64_t error_serial_ = 0;
    std::uint64_t version_ = 0;
    EmbeddingTracker embedding_;
    std::thread thread_;
};

}  // namespace kvscope
