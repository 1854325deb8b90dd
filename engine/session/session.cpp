#include "session/session.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <stdexcept>

#include "core/parallel.hpp"
#include "core/random.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {

namespace {

constexpr Index kChunk = 4096;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Process-wide, so a revision identifies one state of one sketch even across sessions.
std::uint64_t next_revision() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

// Same order as a batch run: by evaluation point, then by instance.
void sort_like_a_batch_run(std::vector<MetricRow>& rows) {
    std::stable_sort(rows.begin(), rows.end(), [](const MetricRow& a, const MetricRow& b) {
        return a.tokens_seen != b.tokens_seen ? a.tokens_seen < b.tokens_seen
                                              : a.instance < b.instance;
    });
}

// The instances of one config entry.
std::vector<SketchInstanceSpec> expand_entry(const RunConfig& config, const SketchEntry& entry) {
    RunConfig one = config;
    one.sketches = {entry};
    return expand_sketches(one);
}

// A session runs one source; a swept config is refused before anything is built.
RunConfig one_source(RunConfig config) {
    if (!config.source_sweep.empty()) {
        throw std::invalid_argument(
            "config: a session runs one source, but this config's source sweep has " +
            std::to_string(expand_sources(config).size()) +
            " instances (kvscope run evaluates them all)");
    }
    return config;
}

}  // namespace

Session::Session(RunConfig config, const SketchRegistry& sketches, StreamStorage storage)
    : config_(std::make_shared<const RunConfig>(one_source(std::move(config)))),
      registry_(&sketches),
      source_(make_source(config_->source_id, resolved_source_params(*config_),
                          derive_seed(config_->seed, "source"))),
      dim_(source_->dim()),
      value_dim_(source_->value_dim()),
      beta_(config_->beta_for(source_->dim())),
      probes_(std::make_shared<const Matrix>(
          source_->probe_queries(config_->probe_queries, derive_seed(config_->seed, "probes")))),
      reference_(dim_, value_dim_),
      storage_(storage) {
    expand_sketches(*config_);  // validates every entry before anything is built
    const double stream_bytes_per_token = 4.0 * (2.0 * dim_ + value_dim_);  // k, q and v
    kept_stream_cap_ = static_cast<Index>(kKeptStreamBytes / stream_bytes_per_token);
    check_growing_state();
    if (storage_ == StreamStorage::Discard) reference_.stream_against(probes_, beta_);
    logit_bound_.reset(beta_, *probes_);
    for (const auto& entry : config_->sketches) {
        for (const auto& spec : expand_entry(*config_, entry)) {
            SketchSlot slot;
            build_slot(slot, spec, entry.seed.has_value());
            slots_.push_back(std::move(slot));
        }
    }
}

void Session::build_slot(SketchSlot& slot, const SketchInstanceSpec& spec, bool seed_fixed) {
    slot.spec = spec;
    slot.seed_fixed = seed_fixed;
    slot.revision = next_revision();
    slot.info = &registry_->at(spec.id, "sketch");
    SketchContext ctx;
    ctx.dim = dim_;
    ctx.value_dim = value_dim_;
    ctx.beta = beta_;
    ctx.seed = spec.seed;
    ctx.params = spec.params;
    slot.sketch = slot.info->make(ctx);
    slot.append_seconds = 0;
    slot.appended = 0;
    slot.error.clear();
}

Index Session::tokens_target() const {
    const auto len = source_->length();
    const Index wanted = len ? std::min<Index>(*len, config_->tokens) : config_->tokens;
    return storage_ == StreamStorage::Keep ? std::min(wanted, kept_stream_cap_) : wanted;
}

std::string Session::stream_cap_note() const {
    const auto len = source_->length();
    const Index wanted = len ? std::min<Index>(*len, config_->tokens) : config_->tokens;
    if (storage_ != StreamStorage::Keep || wanted <= kept_stream_cap_) return "";
    return "the explorer keeps the whole stream (to replay edits) in at most " +
           format_number(kKeptStreamBytes / (1024.0 * 1024 * 1024)) + " GiB, so it stops at " +
           std::to_string(kept_stream_cap_) + " of " + std::to_string(wanted) +
           " tokens; kvscope run streams them all in memory that does not grow";
}

void Session::check_growing_state() const {
    const Index n = tokens_target();
    double total = 0, largest = 0;
    std::string largest_label;
    for (const auto& spec : expand_sketches(*config_)) {
        const SketchInfo& info = registry_->at(spec.id, "sketch");
        if (!info.state_bytes_at) continue;
        SketchContext ctx;
        ctx.dim = dim_;
        ctx.value_dim = value_dim_;
        ctx.beta = beta_;
        ctx.params = spec.params;
        const double bytes = info.state_bytes_at(ctx, n);
        total += bytes;
        if (bytes > largest) {
            largest = bytes;
            largest_label = spec.label;
        }
    }
    if (total <= kMaxGrowingStateBytes) return;
    const double gib = 1024.0 * 1024 * 1024;
    throw std::invalid_argument(
        "the sketches that keep every token would need about " +
        format_number(std::round(total / gib * 10) / 10) + " GiB after " + std::to_string(n) +
        " tokens (d = " + std::to_string(dim_) + ", d_v = " + std::to_string(value_dim_) + "; '" +
        largest_label + "' alone " + format_number(std::round(largest / gib * 10) / 10) +
        " GiB), above the limit of " + format_number(kMaxGrowingStateBytes / gib) +
        " GiB; lower \"tokens\" or drop them (the bounded sketches need no such memory)");
}

bool Session::finished() const {
    return !rewound() && (source_exhausted_ || tokens_seen() >= tokens_target());
}

Eigen::Map<const Matrix> Session::stored_queries() const {
    const auto rows = static_cast<Index>(queries_.size()) / std::max(dim_, 1);  // 0 with Discard
    return Eigen::Map<const Matrix>(queries_.data(), rows, dim_);
}

Eigen::Map<const Matrix> Session::queries() const {
    return Eigen::Map<const Matrix>(queries_.data(), std::min(position_, stored_queries().rows()),
                                    dim_);
}

void Session::ingest(const TokenBatch& batch) {
    const TokenBlock block = batch.view();
    // Every sketch instance, and the exact reference as one more task, side by side: each task
    // touches its own slot only, so the result does not depend on the thread count.
    parallel_for(slots_.size() + 1, threads_, [&](std::size_t i) {
        if (i == slots_.size()) {
            reference_.append(block);
            return;
        }
        SketchSlot& slot = slots_[i];
        if (!slot.error.empty()) return;
        const auto start = std::chrono::steady_clock::now();
        slot.revision = next_revision();
        try {
            slot.sketch->append(block);
        } catch (const std::exception& e) {
            slot.error = e.what();
            return;
        }
        slot.append_seconds += seconds_since(start);
        slot.appended += block.size();
    });
    position_ = reference_.size();
    logit_bound_.add(block);
    if (storage_ == StreamStorage::Keep) {
        queries_.insert(queries_.end(), batch.queries.data(),
                        batch.queries.data() + batch.queries.size());
    } else {
        keep_retained_keys(batch);
    }
}

void Session::keep_retained_keys(const TokenBatch& batch) {
    const Index n = tokens_seen();
    std::vector<Index> wanted;
    for (const auto& slot : slots_) {
        if (auto positions = subset_positions(slot, n))
            wanted.insert(wanted.end(), positions->begin(), positions->end());
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    // Retained positions only ever leave a subset sketch (a token evicted never comes back), so
    // every wanted position is either kept already or in this batch. Compacted in place: rows
    // move only when positions left before them.
    const auto d = static_cast<std::size_t>(dim_);
    std::size_t write = 0, read = 0;
    auto at = wanted.begin();
    for (; at != wanted.end() && *at < batch.first_position; ++at) {
        while (read < kept_positions_.size() && kept_positions_[read] < *at)
            ++read;
        if (read == kept_positions_.size() || kept_positions_[read] != *at) {
            throw std::logic_error("session: a sketch retains position " + std::to_string(*at) +
                                   " after it was dropped");
        }
        if (read != write) {
            kept_positions_[write] = *at;
            std::copy_n(kept_keys_.data() + read * d, d, kept_keys_.data() + write * d);
        }
        ++write;
        ++read;
    }
    kept_positions_.resize(write);
    kept_keys_.resize(write * d);
    for (; at != wanted.end(); ++at) {
        kept_positions_.push_back(*at);
        const auto row = batch.keys.row(*at - batch.first_position);
        kept_keys_.insert(kept_keys_.end(), row.data(), row.data() + dim_);
    }
}

Eigen::MatrixXd Session::keys_at(const std::vector<Index>& positions) const {
    Eigen::MatrixXd kept(static_cast<Index>(positions.size()), dim_);
    if (storage_ == StreamStorage::Keep) {
        const auto keys = reference_.keys();
        for (std::size_t r = 0; r < positions.size(); ++r)
            kept.row(static_cast<Index>(r)) = keys.row(positions[r]).cast<double>();
        return kept;
    }
    std::size_t at = 0;
    for (std::size_t r = 0; r < positions.size(); ++r) {
        at = static_cast<std::size_t>(
            std::lower_bound(kept_positions_.begin() + static_cast<std::ptrdiff_t>(at),
                             kept_positions_.end(), positions[r]) -
            kept_positions_.begin());
        if (at == kept_positions_.size() || kept_positions_[at] != positions[r])
            throw std::logic_error("session: no kept key at position " +
                                   std::to_string(positions[r]));
        kept.row(static_cast<Index>(r)) =
            Eigen::Map<const Eigen::RowVectorXf>(kept_keys_.data() + at * dim_, dim_)
                .cast<double>();
    }
    return kept;
}

Index Session::advance(Index max_tokens) {
    Index done = 0;
    if (rewound()) {
        // From point to point, so the sketches are always as at a seek (and a fresh run).
        const std::vector<Index> points = seek_points();
        const Index from = position_;
        Index to = *std::prev(std::upper_bound(points.begin(), points.end(), from + max_tokens));
        if (to <= from) to = *std::upper_bound(points.begin(), points.end(), from);
        replay_all_to(to);
        done = to - from;
        if (rewound()) return done;
    }
    while (done < max_tokens && !finished()) {
        const Index seen = tokens_seen();
        const Index next_eval = (seen / config_->eval_every + 1) * config_->eval_every;
        const Index chunk =
            std::min({max_tokens - done, next_eval - seen, tokens_target() - seen, kChunk});
        TokenBatch batch = source_->next(chunk);
        if (batch.size() < chunk) source_exhausted_ = true;
        if (batch.size() > 0) ingest(batch);
        done += batch.size();
        const Index now = tokens_seen();
        if (now % config_->eval_every == 0 || finished()) evaluate_now();
        if (batch.size() == 0) break;
    }
    return done;
}

void Session::run_to_end() {
    while (!finished())
        advance(kChunk);
    evaluate_now();
}

void Session::evaluate_now() {
    if (rewound() || last_eval_at_ == tokens_seen()) return;
    evaluate();
    last_eval_at_ = tokens_seen();
}

std::optional<std::vector<Index>> Session::subset_positions(const SketchSlot& slot, Index n) const {
    if (!slot.error.empty() || !slot.info->subset_of_stream) return std::nullopt;
    const SketchView view = slot.sketch->view();
    if (!view.subset_of_stream) return std::nullopt;
    std::vector<Index> positions;
    positions.reserve(view.retained.size());
    for (const auto& t : view.retained) {
        if (t.position >= 0 && t.position < n) positions.push_back(t.position);
    }
    // A token can be listed more than once (balance_kv keeps it in both its numerator and its
    // denominator coreset); its mass counts once, as in the per-position mask of evaluate().
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    return positions;
}

MetricRow Session::make_row(SketchSlot& slot, int instance, const EvalPoint& point,
                            double mass_recall) const {
    const Index n = point.tokens;
    MetricRow row;
    row.instance = instance;
    row.sketch = slot.spec.id;
    row.label = slot.spec.label;
    row.params = slot.spec.params_text;
    row.source_params = config_->source_label;
    row.seed = slot.spec.seed;
    row.tokens_seen = n;
    const SketchStats stats = slot.sketch->stats();
    row.retained_tokens = stats.retained;
    row.memory_floats = stats.memory_floats;
    row.memory_bytes = stats.memory_bytes();
    row.compression =
        n > 0 ? stats.memory_floats / (static_cast<double>(n) * (dim_ + value_dim_)) : kNaN;
    row.mass_recall = mass_recall;
    row.update_us = slot.appended > 0 ? 1e6 * slot.append_seconds / slot.appended : kNaN;
    if (!slot.error.empty()) {
        row.errors = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
        row.query_us = kNaN;
    } else {
        // An estimate may record diagnostics in the sketch (recent queries, logit samples).
        slot.revision = next_revision();
        const auto start = std::chrono::steady_clock::now();
        const EstimateBatch est = slot.sketch->estimate_many(*probes_);
        row.query_us = 1e6 * seconds_since(start) / static_cast<double>(probes_->rows());
        row.errors = compute_errors(point.reference, est, point.norms);
    }
    if (!config_->timing) {
        row.update_us = kNaN;
        row.query_us = kNaN;
    }
    slot.append_seconds = 0;
    slot.appended = 0;
    return row;
}

void Session::evaluate() {
    const Index n = tokens_seen();
    EvalPoint point;
    point.tokens = n;
    point.reference = reference_.evaluate(*probes_, beta_);
    point.norms.frobenius = reference_.value_frobenius_norm();
    point.norms.operator_norm = reference_.value_operator_norm();
    point.norms.max_row = reference_.max_value_norm();
    std::vector<MetricRow> rows(slots_.size());
    parallel_for(slots_.size(), threads_, [&](std::size_t i) {
        const auto kept = subset_positions(slots_[i], n);
        const double mass = kept ? mass_recall_at(point, *kept) : kNaN;
        rows[i] = make_row(slots_[i], static_cast<int>(i), point, mass);
    });
    for (MetricRow& row : rows)  // in instance order, whatever finished first
        history_.append(std::move(row));
    // Replay (Keep only) re-evaluates edited sketches at every past point from these.
    if (storage_ == StreamStorage::Keep) eval_points_.push_back(std::move(point));
}

double Session::mass_recall_at(const EvalPoint& point, const std::vector<Index>& positions) const {
    // Share of the exact softmax mass on the kept positions at the point's prefix, in blocks of
    // kept keys. The same code in every mode (streamed, replayed, stream kept or discarded), so
    // the numbers agree bit for bit. A sketch that keeps every position has all of it.
    const Index P = probes_->rows();
    if (P == 0) return kNaN;
    if (static_cast<Index>(positions.size()) == point.tokens) return 1.0;
    const MatrixD q = beta_ * probes_->cast<double>();
    constexpr std::size_t kBlock = 2048;
    Eigen::VectorXd share = Eigen::VectorXd::Zero(P);
    for (std::size_t begin = 0; begin < positions.size(); begin += kBlock) {
        const std::vector<Index> block(positions.begin() + static_cast<std::ptrdiff_t>(begin),
                                       positions.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                               begin + kBlock, positions.size())));
        const Eigen::MatrixXd logits = keys_at(block) * q.transpose();  // [m x P]
        for (Index p = 0; p < P; ++p)
            share[p] += (logits.col(p).array() - point.reference.shift[p]).exp().sum();
    }
    double total = 0;
    for (Index p = 0; p < P; ++p)
        total += share[p] / point.reference.den[p];
    return total / static_cast<double>(P);
}

void Session::reset() {
    source_->reset();
    reference_.clear();
    logit_bound_.reset(beta_, *probes_);
    queries_.clear();
    kept_positions_.clear();
    kept_keys_.clear();
    history_.clear();
    eval_points_.clear();
    last_eval_at_ = -1;
    position_ = 0;
    source_exhausted_ = false;
    for (auto& slot : slots_) {
        slot.sketch->reset();
        slot.revision = next_revision();
        slot.append_seconds = 0;
        slot.appended = 0;
        slot.error.clear();
    }
}

std::vector<MetricRow> Session::replay(SketchSlot& slot, int instance) {
    if (storage_ == StreamStorage::Discard)
        throw std::logic_error("session: an edit replays the stream, which this session discards");
    const Index n = tokens_recorded();
    const auto q = stored_queries();
    const auto k = reference_.keys();
    const auto v = reference_.values();
    std::vector<MetricRow> rows;
    auto feed = [&](Index begin, Index end) {
        for (; begin < end && slot.error.empty(); begin += kChunk) {
            const Index count = std::min(kChunk, end - begin);
            const TokenBlock block(q.middleRows(begin, count), k.middleRows(begin, count),
                                   v.middleRows(begin, count), begin);
            const auto start = std::chrono::steady_clock::now();
            slot.revision = next_revision();
            try {
                slot.sketch->append(block);
            } catch (const std::exception& e) {
                slot.error = e.what();
            }
            slot.append_seconds += seconds_since(start);
            slot.appended += count;
        }
    };
    // Re-evaluate at every past evaluation point from the cached exact results, so the
    // sketch's error history is its own and the comparison with the others stays fair.
    // Mass recall needs only the kept positions and the stored keys, so it runs on a second
    // thread while this one estimates and feeds on to the next point (one in flight at a time).
    Index fed = 0;
    std::future<double> mass;
    std::size_t mass_row = 0;
    auto collect_mass = [&] {
        if (mass.valid()) rows[mass_row].mass_recall = mass.get();
    };
    for (const EvalPoint& point : eval_points_) {
        feed(fed, point.tokens);
        fed = point.tokens;
        auto positions = subset_positions(slot, point.tokens);
        collect_mass();
        if (positions) {
            mass_row = rows.size();
            mass = std::async(std::launch::async, [this, &point, kept = std::move(*positions)] {
                return mass_recall_at(point, kept);
            });
        }
        rows.push_back(make_row(slot, instance, point, kNaN));
    }
    collect_mass();
    feed(fed, n);
    if (rewound()) {  // the others are back at tokens_seen(): so is this one
        slot.sketch->reset();
        slot.revision = next_revision();
        slot.error.clear();
        feed_stored(slot, 0, position_);
        slot.append_seconds = 0;
        slot.appended = 0;
    }
    return rows;
}

std::vector<Index> Session::seek_points() const {
    std::vector<Index> out{0};
    for (const EvalPoint& p : eval_points_) {
        if (p.tokens > out.back()) out.push_back(p.tokens);
    }
    if (tokens_recorded() > out.back()) out.push_back(tokens_recorded());
    return out;
}

void Session::seek(Index tokens) {
    if (storage_ == StreamStorage::Discard)
        throw std::logic_error("session: a seek replays the stream, which this session discards");
    const std::vector<Index> points = seek_points();
    if (!std::binary_search(points.begin(), points.end(), tokens)) {
        throw std::invalid_argument("seek: " + std::to_string(tokens) +
                                    " is not an evaluation point of the run (0, " +
                                    std::to_string(points.size() - 1) + " evaluations, up to " +
                                    std::to_string(tokens_recorded()) + " tokens)");
    }
    if (tokens == position_) return;
    if (tokens < position_) {
        for (auto& slot : slots_) {
            slot.sketch->reset();
            slot.revision = next_revision();
            slot.error.clear();
        }
        position_ = 0;
    }
    replay_all_to(tokens);
}

void Session::feed_stored(SketchSlot& slot, Index from, Index to) const {
    const auto q = stored_queries();
    const auto k = reference_.keys();
    const auto v = reference_.values();
    // An estimate may change what a sketch holds: a Taylor sketch adds its pending keys to its
    // moments (in another rounding order than later) and recentres, so those sketches get the
    // estimate the run made at every evaluation point passed. A subset of the stream only
    // records what its last estimate saw (subgen's shares of Z): it gets the last one. The
    // states that grow with the stream (exact, kivi, qjl) get none: an estimate costs them
    // O(tokens) and changes nothing. The seek tests compare every registered sketch with a
    // fresh run, bit for bit.
    const bool every_point = !slot.info->state_bytes_at && !slot.info->subset_of_stream;
    const bool last_point = !slot.info->state_bytes_at && slot.info->subset_of_stream;
    auto by_tokens = [](const EvalPoint& p, Index t) { return p.tokens < t; };
    auto point = std::lower_bound(eval_points_.begin(), eval_points_.end(), from + 1, by_tokens);
    const auto end = std::lower_bound(point, eval_points_.end(), to + 1, by_tokens);
    Index at = from;
    while (at < to && slot.error.empty()) {
        // Blocks are cut at every evaluation point, as advance() cuts them.
        const bool at_point = point != end;
        const Index stop = at_point ? point->tokens : to;
        for (Index begin = at; begin < stop && slot.error.empty(); begin += kChunk) {
            const Index count = std::min(kChunk, stop - begin);
            const TokenBlock block(q.middleRows(begin, count), k.middleRows(begin, count),
                                   v.middleRows(begin, count), begin);
            try {
                slot.sketch->append(block);
            } catch (const std::exception& e) {
                slot.error = e.what();
            }
        }
        at = stop;
        if (at_point) {
            const bool estimate = every_point || (last_point && std::next(point) == end);
            ++point;
            if (estimate && slot.error.empty()) slot.sketch->estimate_many(*probes_);
        }
    }
}

void Session::replay_all_to(Index to) {
    const Index from = position_;
    std::vector<std::future<void>> running;
    for (std::size_t i = 1; i < slots_.size(); ++i) {
        SketchSlot& slot = slots_[i];
        running.push_back(std::async(std::launch::async,
                                     [this, &slot, from, to] { feed_stored(slot, from, to); }));
    }
    if (!slots_.empty()) feed_stored(slots_[0], from, to);
    for (auto& r : running)
        r.get();
    for (auto& slot : slots_) {
        slot.revision = next_revision();
        slot.append_seconds = 0;
        slot.appended = 0;
    }
    position_ = to;
}

void Session::replace_history(int instance, std::vector<MetricRow> rows) {
    std::vector<MetricRow> all = history_.to_vector();
    all.erase(std::remove_if(all.begin(), all.end(),
                             [instance](const MetricRow& r) { return r.instance == instance; }),
              all.end());
    all.insert(all.end(), std::make_move_iterator(rows.begin()),
               std::make_move_iterator(rows.end()));
    sort_like_a_batch_run(all);
    history_.assign(std::move(all));
}

RunConfig Session::with_explicit_entries(const RunConfig& config) {
    bool explicit_already = true;
    for (const auto& e : config.sketches)
        explicit_already = explicit_already && e.sweep.empty();
    if (explicit_already) return config;
    // One explicit entry per instance (sweeps expanded, seeds pinned), so edits to one
    // instance are saved as shown and the session file reproduces this run.
    RunConfig out = config;
    out.sketches.clear();
    for (const auto& spec : expand_sketches(config)) {
        out.sketches.push_back(explicit_entry(spec));
    }
    return out;
}

RunConfig Session::explicit_config() const {
    return with_explicit_entries(*config_);
}

RunConfig Session::config_with_seed(std::uint64_t seed) const {
    RunConfig next = *config_;
    next.seed = seed;
    // With one entry per instance, an entry whose seed the config did not fix carries a seed an
    // edit or a sweep expansion pinned from the old run seed: release it. (Entries differ from
    // the instances only while sweeps are untouched, and then every entry seed is the user's.)
    if (next.sketches.size() == slots_.size()) {
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            if (next.sketches[i].sweep.empty() && !slots_[i].seed_fixed)
                next.sketches[i].seed.reset();
        }
    }
    return next;
}

void Session::reconfigure_sketch(std::size_t index, const nlohmann::json& params) {
    if (index >= slots_.size()) throw std::invalid_argument("no sketch at that index");
    RunConfig next = explicit_config();
    SketchEntry& entry = next.sketches[index];
    entry.params = params;
    entry.seed = slots_[index].spec.seed;  // kept across edits, so pinned
    SketchSlot fresh;
    build_slot(fresh, expand_entry(next, entry).front(), slots_[index].seed_fixed);  // throws
    std::vector<MetricRow> rows = replay(fresh, static_cast<int>(index));
    slots_[index] = std::move(fresh);
    replace_history(static_cast<int>(index), std::move(rows));
    config_ = std::make_shared<const RunConfig>(std::move(next));
}

void Session::add_sketch(const SketchEntry& entry) {
    RunConfig next = explicit_config();
    const auto specs = expand_entry(next, entry);  // validates
    std::vector<SketchSlot> fresh(specs.size());
    std::vector<std::vector<MetricRow>> rows;
    for (std::size_t j = 0; j < specs.size(); ++j) {
        build_slot(fresh[j], specs[j], entry.seed.has_value());
        rows.push_back(replay(fresh[j], static_cast<int>(slots_.size() + j)));
    }
    for (std::size_t j = 0; j < specs.size(); ++j) {
        slots_.push_back(std::move(fresh[j]));
        replace_history(static_cast<int>(slots_.size() - 1), std::move(rows[j]));
    }
    next.sketches.push_back(entry);
    config_ = std::make_shared<const RunConfig>(std::move(next));
}

void Session::remove_sketch(std::size_t index) {
    if (index >= slots_.size()) throw std::invalid_argument("no sketch at that index");
    RunConfig next = explicit_config();
    slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(index));
    const int gone = static_cast<int>(index);
    std::vector<MetricRow> rows = history_.to_vector();
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [gone](const MetricRow& r) { return r.instance == gone; }),
               rows.end());
    for (auto& r : rows) {
        if (r.instance > gone) --r.instance;
    }
    history_.assign(std::move(rows));
    next.sketches.erase(next.sketches.begin() + static_cast<std::ptrdiff_t>(index));
    config_ = std::make_shared<const RunConfig>(std::move(next));
}

void Session::move_sketch(std::size_t from, std::size_t to) {
    if (from >= slots_.size() || to >= slots_.size()) {
        throw std::invalid_argument("move: no sketch at index " +
                                    std::to_string(std::max(from, to)));
    }
    if (from == to) return;
    RunConfig next = explicit_config();
    // Rotate so the sketch at `from` lands at `to`, the others keep their order.
    auto rotate = [from, to](auto& v) {
        const auto f = v.begin() + static_cast<std::ptrdiff_t>(from);
        const auto t = v.begin() + static_cast<std::ptrdiff_t>(to);
        if (from < to) {
            std::rotate(f, f + 1, t + 1);
        } else {
            std::rotate(t, f, f + 1);
        }
    };
    std::vector<int> order(slots_.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<int>(i);
    rotate(order);  // order[new] = old
    std::vector<int> new_index(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        new_index[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
    rotate(slots_);
    rotate(next.sketches);
    config_ = std::make_shared<const RunConfig>(std::move(next));
    std::vector<MetricRow> rows = history_.to_vector();
    for (auto& r : rows)
        r.instance = new_index[static_cast<std::size_t>(r.instance)];
    sort_like_a_batch_run(rows);
    history_.assign(std::move(rows));
}

const std::vector<std::string>& metric_columns() {
    static const std::vector<std::string> columns = {
        "instance",    "sketch",       "label",           "params",        "source_params",
        "seed",        "tokens_seen",  "retained_tokens", "memory_floats", "memory_bytes",
        "compression", "rel_err_mean", "rel_err_max",     "eps_fro",       "eps_op",
        "num_err",     "den_err",      "mass_recall",     "update_us",     "query_us"};
    return columns;
}

namespace {

std::string csv_text(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string metric_csv_line(const MetricRow& r, bool timing) {
    std::string line;
    auto num = [&line](double x) { line += ',' + format_number(x); };
    line += std::to_string(r.instance);
    line += ',' + csv_text(r.sketch);
    line += ',' + csv_text(r.label);
    line += ',' + csv_text(r.params);
    line += ',' + csv_text(r.source_params);
    line += ',' + std::to_string(r.seed);
    line += ',' + std::to_string(r.tokens_seen);
    line += ',' + std::to_string(r.retained_tokens);
    num(r.memory_floats);
    num(r.memory_bytes);
    num(r.compression);
    num(r.errors.rel_err_mean);
    num(r.errors.rel_err_max);
    num(r.errors.eps_fro);
    num(r.errors.eps_op);
    num(r.errors.num_err);
    num(r.errors.den_err);
    num(r.mass_recall);
    num(timing ? r.update_us : kNaN);
    num(timing ? r.query_us : kNaN);
    return line;
}

}  // namespace kvscope
