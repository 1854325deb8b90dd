#include "session/runner.hpp"

#include <chrono>

namespace kvscope {

Runner::Runner(RunConfig config) : config_(std::move(config)) {
    try {
        session_ = std::make_unique<Session>(config_);
    } catch (const std::exception& e) {
        error_ = e.what();
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
        for (auto& c : pending)
            apply(c);
        if (playing_ && session_ && !session_->finished()) {
            try {
                session_->advance(speed_);
                if (session_->finished()) {
                    session_->evaluate_now();
                    playing_ = false;
                }
            } catch (const std::exception& e) {
                error_ = e.what();
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
    try {
        std::visit(
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
                } else if constexpr (std::is_same_v<T, command::NewSeed>) {
                    RunConfig next = config_;
                    next.seed = c.seed;
                    session_ = std::make_unique<Session>(next);
                    config_ = next;
                    embedding_.reset();
                } else if constexpr (std::is_same_v<T, command::SetSpeed>) {
                    speed_ = std::max<Index>(1, c.tokens_per_tick);
                } else if constexpr (std::is_same_v<T, command::Configure>) {
                    // Build first: a bad config leaves the current session untouched.
                    auto next = std::make_unique<Session>(c.config);
                    session_ = std::move(next);
                    config_ = c.config;
                    embedding_.reset();
                    playing_ = false;
                } else if constexpr (std::is_same_v<T, command::SetSketchParams>) {
                    if (session_) session_->reconfigure_sketch(c.index, c.params);
                } else if constexpr (std::is_same_v<T, command::AddSketch>) {
                    if (session_) session_->add_sketch(c.entry);
                } else if constexpr (std::is_same_v<T, command::RemoveSketch>) {
                    if (session_) session_->remove_sketch(c.index);
                } else if constexpr (std::is_same_v<T, command::MoveSketch>) {
                    if (session_) session_->move_sketch(c.from, c.to);
                } else if constexpr (std::is_same_v<T, command::RefitProjection>) {
                    embedding_.request_refit();
                }
            },
            command);
        error_.clear();
    } catch (const std::exception& e) {
        error_ = e.what();
    }
}

void Runner::publish() {
    auto snap = std::make_shared<Snapshot>();
    snap->version = ++version_;
    snap->playing = playing_;
    snap->error = error_;
    if (session_) {
        snap->config = session_->config();
        snap->tokens_seen = session_->tokens_seen();
        snap->tokens_target = session_->tokens_target();
        snap->finished = session_->finished();
        snap->dim = session_->dim();
        snap->value_dim = session_->value_dim();
        snap->beta = session_->beta();
        snap->history = session_->history();
        snap->probes = session_->probes();
        try {
            snap->embedding = embedding_.update(*session_);
        } catch (const std::exception& e) {
            snap->error = std::string("embedding view: ") + e.what();
        }
        for (const auto& slot : session_->sketches()) {
            SketchSnapshot s;
            s.spec = slot.spec;
            s.name = slot.info->name;
            s.stats = slot.sketch->stats();
            s.view = slot.sketch->view();
            s.error = slot.error;
            s.warnings = slot.sketch->warnings();
            snap->sketches.push_back(std::move(s));
        }
    } else {
        snap->config = config_;
    }
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snap);
}

}  // namespace kvscope
