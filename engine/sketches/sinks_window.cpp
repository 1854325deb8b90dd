#include "sketches/sinks_window.hpp"

#include <limits>
#include <stdexcept>

#include "core/random.hpp"

namespace kvscope {

namespace {

// Sketches the wrapper can run on the middle. Add new ids here when they land.
const std::vector<std::string>& inner_choices() {
    static const std::vector<std::string> ids = {"uniform",      "uniform_halving",
                                                 "merge_reduce", "weighted_merge_reduce",
                                                 "balance_kv",   "h2o",
                                                 "snapkv",       "key_norm",
                                                 "kivi",         "qjl",
                                                 "exact",        "sliding_window"};
    return ids;
}

std::unique_ptr<Sketch> make_inner(const SketchContext& outer, const std::string& id) {
    const SketchInfo& info = builtin_sketches().at(id, "inner sketch");
    nlohmann::json params;
    try {
        params = nlohmann::json::parse(outer.params.text("inner_params"));
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument("sinks_window: inner_params is not valid JSON: " +
                                    std::string(e.what()));
    }
    if (!params.is_object())
        throw std::invalid_argument("sinks_window: inner_params must be a JSON object");
    if (find_spec(info.params, "budget") && !params.contains("budget"))
        params["budget"] = outer.params.integer("inner_budget");
    SketchContext ctx = outer;
    ctx.seed = derive_seed(outer.seed, "inner");
    ctx.params = ParamSet::from_json(info.params, params, "inner sketch '" + id + "'");
    return info.make(ctx);
}

}  // namespace

SinksWindowSketch::SinksWindowSketch(const SketchContext& context)
    : Sketch(context),
      sinks_(context.params.integer("sinks")),
      window_(context.params.integer("window")),
      sink_cache_(context.dim, context.value_dim),
      window_cache_(context.dim, context.value_dim),
      inner_(make_inner(context, context.params.text("inner"))),
      inner_id_(context.params.text("inner")) {}

void SinksWindowSketch::do_append(const TokenBlock& block) {
    const int d = dim();
    if (block.queries.rows() == 0) have_queries_ = false;
    // Tokens pushed out of the window by this block, in stream order (contiguous positions).
    TokenBatch out;
    out.queries.resize(have_queries_ ? block.size() : 0, d);
    out.keys.resize(block.size(), d);
    out.values.resize(block.size(), value_dim());
    Index evicted = 0;
    auto emit = [&](const float* q, const float* k, const float* v, Index pos) {
        if (evicted == 0) out.first_position = pos;
        if (have_queries_) out.queries.row(evicted) = Eigen::Map<const Eigen::RowVectorXf>(q, d);
        out.keys.row(evicted) = Eigen::Map<const Eigen::RowVectorXf>(k, d);
        out.values.row(evicted) = Eigen::Map<const Eigen::RowVectorXf>(v, value_dim());
        ++evicted;
    };
    for (Index r = 0; r < block.size(); ++r, ++seen_) {
        const float* q = have_queries_ ? block.queries.row(r).data() : nullptr;
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        const Index pos = block.first_position + r;
        if (seen_ < sinks_) {
            sink_cache_.push(k, v, 1.0, 1.0, pos, -1);
            continue;
        }
        if (window_ == 0) {
            emit(q, k, v, pos);
            continue;
        }
        const Index w = seen_ - sinks_;
        const Index slot = w % window_;
        if (w >= window_) {
            const float* old_q = have_queries_
                                     ? window_queries_.data() + static_cast<std::size_t>(slot * d)
                                     : nullptr;
            emit(old_q, window_cache_.key(slot), window_cache_.value(slot),
                 window_cache_.position(slot));
            window_cache_.set(slot, k, v, 1.0, 1.0, pos, -2);
        } else {
            window_cache_.push(k, v, 1.0, 1.0, pos, -2);
            window_queries_.resize(static_cast<std::size_t>(window_cache_.size() * d), 0.0f);
        }
        if (have_queries_)
            std::copy(q, q + d, window_queries_.begin() + static_cast<std::ptrdiff_t>(slot * d));
    }
    if (evicted > 0) {
        const Index qrows = have_queries_ ? evicted : 0;
        inner_->append(TokenBlock(out.queries.topRows(qrows), out.keys.topRows(evicted),
                                  out.values.topRows(evicted), out.first_position));
    }
}

EstimateBatch SinksWindowSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch e = sink_cache_.estimate(queries, beta());
    e.add(window_cache_.estimate(queries, beta()));
    e.add(inner_->estimate_many(queries));
    return e;
}

SketchStats SinksWindowSketch::stats() const {
    const SketchStats in = inner_->stats();
    const double exact = static_cast<double>(sink_cache_.size() + window_cache_.size());
    SketchStats s;
    s.seen = seen_;
    s.retained = sink_cache_.size() + window_cache_.size() + in.retained;
    s.memory_floats = exact * (dim() + value_dim()) +
                      static_cast<double>(window_cache_.size()) * dim() + in.memory_floats;
    s.memory_bits = 32.0 * (s.memory_floats - in.memory_floats) + in.memory_bits;
    return s;
}

SketchView SinksWindowSketch::view() const {
    SketchView in = inner_->view();
    SketchView v;
    v.subset_of_stream = in.subset_of_stream;
    v.tag_meaning = "-1 = sink, -2 = recent window, otherwise the inner sketch's tag (" +
                    (in.tag_meaning.empty() ? std::string("unused") : in.tag_meaning) + ")";
    sink_cache_.describe(v);
    window_cache_.describe(v);
    if (!in.token_scores.empty()) {
        v.token_scores.assign(v.retained.size(), std::numeric_limits<double>::quiet_NaN());
        v.token_scores.insert(v.token_scores.end(), in.token_scores.begin(), in.token_scores.end());
        v.score_meaning = in.score_meaning + " (inner sketch; NaN for sinks and window)";
    }
    v.retained.insert(v.retained.end(), in.retained.begin(), in.retained.end());
    v.stored_keys = std::move(in.stored_keys);
    v.merge_tree = std::move(in.merge_tree);
    v.walk = std::move(in.walk);
    v.buckets = std::move(in.buckets);
    v.taylor = std::move(in.taylor);
    v.quant = std::move(in.quant);
    v.scalars.push_back({"sinks", static_cast<double>(sink_cache_.size())});
    v.scalars.push_back({"window", static_cast<double>(window_cache_.size())});
    v.scalars.push_back({"inner_seen", static_cast<double>(inner_->stats().seen)});
    for (const auto& [name, value] : in.scalars)
        v.scalars.push_back({"inner." + name, value});
    return v;
}

void SinksWindowSketch::reset() {
    sink_cache_.clear();
    window_cache_.clear();
    window_queries_.clear();
    have_queries_ = true;
    inner_->reset();
    seen_ = 0;
}

SketchInfo sinks_window_sketch_info() {
    SketchInfo info;
    info.id = "sinks_window";
    info.name = "Sinks + window + inner";
    info.summary =
        "Keeps the first `sinks` and last `window` tokens exactly and compresses the "
        "middle with any inner sketch (BalanceKV's layout).";
    info.paper = "";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("sinks", "Sink tokens", "First tokens kept exactly (32 in BalanceKV).",
                           0, 1e6, 32, true),
        ParamSpec::integer("window", "Recent window", "Last tokens kept exactly (32 in BalanceKV).",
                           0, 1e8, 32, true),
        ParamSpec::choice("inner", "Middle sketch",
                          "Registered sketch that receives every token leaving the window.",
                          inner_choices(), "uniform"),
        ParamSpec::integer("inner_budget", "Middle budget (tokens)",
                           "Passed as the inner sketch's `budget` when it has one; total kept = "
                           "sinks + window + inner retained.",
                           1, 1e8, 256, true),
        ParamSpec::text("inner_params", "Inner params (JSON)",
                        "Further inner parameters as a JSON object, e.g. {\"bits\": 4}.", "{}")};
    info.exact_params = [](Index n) { return nlohmann::json{{"sinks", 0}, {"window", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<SinksWindowSketch>(c); };
    return info;
}

}  // namespace kvscope
