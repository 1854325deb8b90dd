// Runner: the Session on a worker thread. The UI takes the newest immutable Snapshot at the top
// of a frame and sends Commands by value; it never waits on engine work. Exceptions in the worker
// are caught and reported through the snapshot; none escapes the thread.
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
#include "session/session.hpp"

namespace kvscope {

struct SketchSnapshot {
    SketchInstanceSpec spec;
    std::string name;
    SketchStats stats;
    SketchView view;
    std::string error;
    std::vector<std::string> warnings;  ///< Sketch::warnings() at this snapshot
};

/// Everything the UI draws, frozen at one moment.
struct Snapshot {
    std::uint64_t version = 0;  ///< increases with every publish
    RunConfig config;
    Index tokens_seen = 0;
    Index tokens_target = 0;
    bool playing = false;
    bool finished = false;
    int dim = 0;
    int value_dim = 0;
    double beta = 0;
    std::vector<SketchSnapshot> sketches;
    std::vector<MetricRow> history;
    Matrix probes;
    /// Projected keys, probes and current query for the embedding view (never null; shared
    /// between snapshots and only replaced when something changed).
    std::shared_ptr<const EmbeddingData> embedding = std::make_shared<EmbeddingData>();
    std::string error;  ///< last command error (bad config, bad file), empty when fine
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
struct Configure {
    RunConfig config;
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
}  // namespace command

using Command = std::variant<command::Play, command::Pause, command::Step, command::Reset,
                             command::NewSeed, command::SetSpeed, command::Configure,
                             command::SetSketchParams, command::AddSketch, command::RemoveSketch,
                             command::MoveSketch, command::RefitProjection>;

class Runner {
  public:
    /// Starts the worker on `config`. A config that fails to build leaves an empty session and
    /// the error in the snapshot.
    explicit Runner(RunConfig config);
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    void send(Command command);
    /// The newest snapshot (never null). Cheap: a shared pointer copy under a short lock.
    std::shared_ptr<const Snapshot> snapshot() const;
    /// Blocks until every command sent so far has been applied and published (for tests and
    /// scripted runs; the UI never calls it).
    void wait_idle();

  private:
    void loop();
    void apply(Command& command);
    void publish();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<Command> queue_;
    std::shared_ptr<const Snapshot> snapshot_;
    bool stop_ = false;
    bool busy_ = false;

    // Worker-owned state.
    std::unique_ptr<Session> session_;
    RunConfig config_;
    bool playing_ = false;
    Index speed_ = 64;
    std::string error_;
    std::uint64_t version_ = 0;
    EmbeddingTracker embedding_;
    std::thread thread_;
};

}  // namespace kvscope
