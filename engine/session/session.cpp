#include "session/session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/random.hpp"

namespace kvscope {

namespace {

constexpr Index kChunk = 4096;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Session::Session(RunConfig config)
    : config_(std::move(config)),
      source_(make_source(config_.source_id, resolved_source_params(config_),
                          derive_seed(config_.seed, "source"))),
      dim_(source_->dim()),
      value_dim_(source_->value_dim()),
      beta_(config_.beta_for(source_->dim())),
      probes_(source_->probe_queries(config_.probe_queries, derive_seed(config_.seed, "probes"))),
      reference_(dim_, value_dim_) {
    for (const auto& spec : expand_sketches(config_)) {
        SketchSlot slot;
        build_slot(slot, spec);
        slots_.push_back(std::move(slot));
    }
}

void Session::build_slot(SketchSlot& slot, const SketchInstanceSpec& spec) {
    slot.spec = spec;
    slot.info = &builtin_sketches().at(spec.id, "sketch");
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
    return len ? std::min<Index>(*len, config_.tokens) : config_.tokens;
}

bool Session::finished() const {
    return source_exhausted_ || tokens_seen() >= tokens_target();
}

Eigen::Map<const Matrix> Session::queries() const {
    return Eigen::Map<const Matrix>(queries_.data(), tokens_seen(), dim_);
}

void Session::ingest(const TokenBatch& batch) {
    const TokenBlock block = batch.view();
    for (auto& slot : slots_) {
        if (!slot.error.empty()) continue;
        const auto start = std::chrono::steady_clock::now();
        try {
            slot.sketch->append(block);
        } catch (const std::exception& e) {
            slot.error = e.what();
            continue;
        }
        slot.append_seconds += seconds_since(start);
        slot.appended += block.size();
    }
    queries_.insert(queries_.end(), batch.queries.data(),
                    batch.queries.data() + batch.queries.size());
    reference_.append(block);
}

Index Session::advance(Index max_tokens) {
    Index done = 0;
    while (done < max_tokens && !finished()) {
        const Index seen = tokens_seen();
        const Index next_eval = (seen / config_.eval_every + 1) * config_.eval_every;
        const Index chunk =
            std::min({max_tokens - done, next_eval - seen, tokens_target() - seen, kChunk});
        TokenBatch batch = source_->next(chunk);
        if (batch.size() < chunk) source_exhausted_ = true;
        if (batch.size() > 0) ingest(batch);
        done += batch.size();
        const Index now = tokens_seen();
        if (now % config_.eval_every == 0 || finished()) evaluate_now();
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
    if (last_eval_at_ == tokens_seen()) return;
    evaluate();
    last_eval_at_ = tokens_seen();
}

void Session::evaluate() {
    const Index n = tokens_seen();
    std::vector<std::vector<double>> masks;
    std::vector<int> mask_of_slot(slots_.size(), -1);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i].error.empty() || !slots_[i].info->subset) continue;
        const SketchView view = slots_[i].sketch->view();
        if (!view.subset_of_stream) continue;
        std::vector<double> mask(static_cast<std::size_t>(n), 0.0);
        for (const auto& t : view.retained) {
            if (t.position >= 0 && t.position < n) mask[static_cast<std::size_t>(t.position)] = 1;
        }
        mask_of_slot[i] = static_cast<int>(masks.size());
        masks.push_back(std::move(mask));
    }
    std::vector<const std::vector<double>*> mask_ptrs;
    for (const auto& m : masks)
        mask_ptrs.push_back(&m);
    const ReferenceResult ref = reference_.evaluate(probes_, beta_, mask_ptrs);
    ValueNorms norms;
    norms.frobenius = reference_.value_frobenius_norm();
    norms.operator_norm = reference_.value_operator_norm();
    norms.max_row = reference_.max_value_norm();

    for (std::size_t i = 0; i < slots_.size(); ++i) {
        SketchSlot& slot = slots_[i];
        MetricRow row;
        row.instance = static_cast<int>(i);
        row.sketch = slot.spec.id;
        row.label = slot.spec.label;
        row.params = slot.spec.params_text;
        row.seed = slot.spec.seed;
        row.tokens_seen = n;
        const SketchStats stats = slot.sketch->stats();
        row.retained_tokens = stats.retained;
        row.memory_floats = stats.memory_floats;
        row.memory_bytes = stats.memory_bytes();
        row.compression =
            n > 0 ? stats.memory_floats / (static_cast<double>(n) * (dim_ + value_dim_)) : kNaN;
        row.mass_recall = mask_of_slot[i] >= 0 ? ref.mass.col(mask_of_slot[i]).mean() : kNaN;
        row.update_us = slot.appended > 0 ? 1e6 * slot.append_seconds / slot.appended : kNaN;
        if (!slot.error.empty()) {
            row.errors = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
            row.query_us = kNaN;
        } else {
            const auto start = std::chrono::steady_clock::now();
            const EstimateBatch est = slot.sketch->estimate_many(probes_);
            row.query_us = 1e6 * seconds_since(start) / static_cast<double>(probes_.rows());
            row.errors = compute_errors(ref, est, norms);
        }
        if (!config_.timing) {
            row.update_us = kNaN;
            row.query_us = kNaN;
        }
        slot.append_seconds = 0;
        slot.appended = 0;
        history_.push_back(std::move(row));
    }
}

void Session::reset() {
    source_->reset();
    reference_.clear();
    queries_.clear();
    history_.clear();
    last_eval_at_ = -1;
    source_exhausted_ = false;
    for (auto& slot : slots_) {
        slot.sketch->reset();
        slot.append_seconds = 0;
        slot.appended = 0;
        slot.error.clear();
    }
}

void Session::replay(SketchSlot& slot) {
    const Index n = tokens_seen();
    const auto q = queries();
    const auto k = reference_.keys();
    const auto v = reference_.values();
    for (Index begin = 0; begin < n; begin += kChunk) {
        const Index count = std::min(kChunk, n - begin);
        const TokenBlock block(q.middleRows(begin, count), k.middleRows(begin, count),
                               v.middleRows(begin, count), begin);
        slot.sketch->append(block);
    }
}

void Session::reconfigure_sketch(std::size_t index, const nlohmann::json& params) {
    if (index >= slots_.size()) throw std::invalid_argument("no sketch at that index");
    SketchSlot& slot = slots_[index];
    SketchInstanceSpec spec = slot.spec;
    spec.params = ParamSet::from_json(slot.info->params, params, "sketch '" + spec.id + "'");
    spec.params_text = spec.params.to_compact_string(slot.info->params);
    SketchSlot fresh;
    build_slot(fresh, spec);  // throws before anything changes
    replay(fresh);
    slot = std::move(fresh);
    // Keep the config in step so a saved session reproduces what is shown.
    if (index < config_.sketches.size() && config_.sketches.size() == slots_.size()) {
        config_.sketches[index].params = params;
        config_.sketches[index].sweep = nlohmann::json::object();
    }
}

void Session::add_sketch(const SketchEntry& entry) {
    RunConfig probe = config_;
    probe.sketches = {entry};
    const auto specs = expand_sketches(probe);  // validates
    for (const auto& spec : specs) {
        SketchSlot slot;
        build_slot(slot, spec);
        replay(slot);
        slots_.push_back(std::move(slot));
    }
    config_.sketches.push_back(entry);
}

void Session::remove_sketch(std::size_t index) {
    if (index >= slots_.size()) throw std::invalid_argument("no sketch at that index");
    slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(index));
    if (config_.sketches.size() == slots_.size() + 1) {
        config_.sketches.erase(config_.sketches.begin() + static_cast<std::ptrdiff_t>(index));
    }
}

const std::vector<std::string>& metric_columns() {
    static const std::vector<std::string> columns = {
        "instance",     "sketch",          "label",         "params",       "seed",
        "tokens_seen",  "retained_tokens", "memory_floats", "memory_bytes", "compression",
        "rel_err_mean", "rel_err_max",     "eps_fro",       "eps_op",       "num_err",
        "den_err",      "mass_recall",     "update_us",     "query_us"};
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
