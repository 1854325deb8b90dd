#include "session/runner.hpp"

#include <algorithm>
#include <chrono>

namespace kvscope {

Runner::Runner(RunConfig config, const SketchRegistry& sketches) : registry_(&sketches) {
    try {
        session_ = std::make_unique<Session>(config, *registry_);
    } catch (const std::exception& e) {
        error_ = e.what();
        ++error_serial_;
        unbuilt_ = std::make_shared<const RunConfig>(std::move(config));
    }
    publish();
    thread_ = std::thread([this] { loop(); });
}

Runner::~Runner() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Runner::send(Command command) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(command));
    }
    wake_.notify_all();
}

std::shared_ptr<const Snapshot> Runner::snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

void Runner::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void Runner::loop() {
    for (;;) {
        std::deque<Command> pending;
        {
            std::unique_lock lock(mutex_);
            const bool running = playing_ && session_ && !session_->finished();
            if (!running) {
                idle_.notify_all();
                wake_.wait(lock, [this] { return stop_ || !queue_.empty() || playing_; });
            }
            if (stop_) return;
            pending.swap(queue_);
            busy_ = true;
        }
        for (std::size_t i = 0; i < pending.size(); ++i) {
            // A seek followed by another is skipped: only where the slider stopped matters.
            const bool superseded = i + 1 < pending.size() &&
                                    std::holds_alternative<command::Seek>(pending[i]) &&
                                    std::holds_alternative<command::Seek>(pending[i + 1]);
            if (!superseded) apply(pending[i]);
        }
        if (playing_ && session_ && !session_->finished()) {
            try {
                session_->advance(speed_);
                if (session_->finished()) {
                    session_->evaluate_now();
                    playing_ = false;
                }
            } catch (const std::exception& e) {
                error_ = e.what();
                ++error_serial_;
                playing_ = false;
            }
        }
        publish();
        {
            std::lock_guard lock(mutex_);
            busy_ = false;
        }
        // Let a playing session breathe so the UI thread gets the lock and the CPU.
        if (playing_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void Runner::apply(Command& command) {
    // An error stays in the snapshots until a later command replaces or edits the run, so the
    // commands that usually follow a failed one (speed, step, play) never hide it unseen.
    try {
        if (apply_one(command)) error_.clear();
    } catch (const std::exception& e) {
        error_ = e.what();
        ++error_serial_;
    }
}

// Builds first: a config that cannot be built leaves the current session untouched.
void Runner::replace_session(const RunConfig& config) {
    auto next = std::make_unique<Session>(config, *registry_);
    session_ = std::move(next);
    unbuilt_.reset();
    embedding_.reset();
}

bool Runner::apply_one(Command& command) {
    return std::visit(
        [this](auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, command::Play>) {
                playing_ = true;
            } else if constexpr (std::is_same_v<T, command::Pause>) {
                playing_ = false;
            } else if constexpr (std::is_same_v<T, command::Step>) {
                if (session_) {
                    session_->advance(c.tokens);
                    session_->evaluate_now();
                }
            } else if constexpr (std::is_same_v<T, command::Reset>) {
                if (session_) session_->reset();
                embedding_.reset();
                return true;
            } else if constexpr (std::is_same_v<T, command::NewSeed>) {
                // The session's config, edits included; only the seeds change.
                if (session_) {
                    replace_session(session_->config_with_seed(c.seed));
                } else if (unbuilt_) {
                    RunConfig next = *unbuilt_;
                    next.seed = c.seed;
                    replace_session(next);
                }
                return true;
            } else if constexpr (std::is_same_v<T, command::SetSpeed>) {
                speed_ = std::max<Index>(1, c.tokens_per_tick);
            } else if constexpr (std::is_same_v<T, command::Configure>) {
                replace_session(c.config);
                playing_ = false;
                if (c.advance > 0) {
                    session_->advance(c.advance);
                    session_->evaluate_now();
                }
                return true;
            } else if constexpr (std::is_same_v<T, command::SetSketchParams>) {
                if (session_) session_->reconfigure_sketch(c.index, c.params);
                return true;
            } else if constexpr (std::is_same_v<T, command::AddSketch>) {
                if (session_) session_->add_sketch(c.entry);
                return true;
            } else if constexpr (std::is_same_v<T, command::RemoveSketch>) {
                if (session_) session_->remove_sketch(c.index);
                return true;
            } else if constexpr (std::is_same_v<T, command::MoveSketch>) {
                if (session_) session_->move_sketch(c.from, c.to);
                return true;
            } else if constexpr (std::is_same_v<T, command::RefitProjection>) {
                embedding_.request_refit();
            } else if constexpr (std::is_same_v<T, command::Seek>) {
                playing_ = false;
                if (session_) session_->seek(c.tokens);
            }
            return false;
        },
        command);
}

void Runner::publish() {
    auto snap = std::make_shared<Snapshot>();
    snap->version = ++version_;
    snap->playing = playing_;
    snap->error = error_;
    snap->error_serial = error_serial_;
    if (session_) {
        const Session& s = *session_;
        snap->config = s.shared_config();
        snap->tokens_seen = s.tokens_seen();
        snap->tokens_recorded = s.tokens_recorded();
        snap->tokens_target = s.tokens_target();
        snap->stream_note = s.stream_cap_note();
        snap->finished = s.finished();
        snap->dim = s.dim();
        snap->value_dim = s.value_dim();
        snap->beta = s.beta();
        snap->logit_bound = s.logit_bound();
        snap->history = s.history().rows();
        snap->probes = s.shared_probes();
        try {
            snap->embedding = embedding_.update(s);
        } catch (const std::exception& e) {
            snap->error = std::string("embedding view: ") + e.what();
        }
        std::string sketch_error;
        snap->sketches = sketch_snapshots(sketch_error);
        if (snap->error.empty()) snap->error = sketch_error;
        std::vector<const SketchInstanceSpec*> specs;
        std::vector<const SketchView*> views;
        for (const auto& sk : snap->sketches) {
            specs.push_back(&sk.spec);
            views.push_back(sk.error.empty() ? sk.view.get() : nullptr);
        }
        try {
            snap->events =
                run_events(*snap->config, snap->tokens_target, snap->tokens_seen, specs, views);
        } catch (const std::exception& e) {
            if (snap->error.empty()) snap->error = std::string("events: ") + e.what();
        }
    } else {
        published_.clear();
        if (unbuilt_) snap->config = unbuilt_;
    }
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snap);
}

// Each sketch's view and stats, taken again only when its revision changed, and each inside its
// own try: a sketch whose view() or stats() throws is reported in its slot (and the first one in
// `error`, with its name) while the others are published as usual.
std::vector<SketchSnapshot> Runner::sketch_snapshots(std::string& error) {
    std::vector<PublishedSketch> now;
    std::vector<SketchSnapshot> out;
    const auto& slots = session_->sketches();
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const SketchSlot& slot = slots[i];
        PublishedSketch p;
        const auto before = std::find_if(published_.begin(), published_.end(), [&](const auto& q) {
            return q.revision == slot.revision;
        });
        if (before != published_.end()) {
            p = *before;
        } else {
            p.revision = slot.revision;
            try {
                p.stats = slot.sketch->stats();
                p.view = std::make_shared<const SketchView>(slot.sketch->view());
                p.warnings = slot.sketch->warnings();
            } catch (const std::exception& e) {
                p.error = std::string("cannot show this sketch: ") + e.what();
            }
        }
        SketchSnapshot s;
        s.spec = slot.spec;
        s.name = slot.info->name;
        s.stats = p.stats;
        if (p.view) s.view = p.view;
        s.error = slot.error.empty() ? p.error : slot.error;
        s.revision = slot.revision;
        s.warnings = p.warnings;
        if (!p.error.empty() && error.empty())
            error = "sketch " + std::to_string(i) + " '" + slot.spec.label + "': " + p.error;
        out.push_back(std::move(s));
        now.push_back(std::move(p));
    }
    published_ = std::move(now);
    return out;
}

}  // namespace kvscope
