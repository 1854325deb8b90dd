#include "sketches/sinks_window.hpp"

#include <limits>
#include <nlohmann/json.hpp>

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

}  // namespace

SinksWindowSketch::SinksWindowSketch(const SketchContext& context)
    : Sketch(context),
      layout_(context.dim, context.value_dim, context.params.integer("sinks"),
              context.params.integer("window")),
      inner_(make_child_sketch(context, context.params.nested("inner"), "inner")) {}

void SinksWindowSketch::do_append(const TokenBlock& block) {
    const int d = dim();
    const bool with_queries = layout_.has_queries() && block.queries.rows() > 0;
    // Tokens pushed out of the window by this block, in stream order (contiguous positions).
    TokenBatch out;
    out.queries.resize(with_queries ? block.size() : 0, d);
    out.keys.resize(block.size(), d);
    out.values.resize(block.size(), value_dim());
    Index evicted = 0;
    auto leave = [&](const float* q, const float* k, const float* v, Index pos) {
        if (evicted == 0) out.first_position = pos;
        if (q) out.queries.row(evicted) = Eigen::Map<const Eigen::RowVectorXf>(q, d);
        out.keys.row(evicted) = Eigen::Map<const Eigen::RowVectorXf>(k, d);
        out.values.row(evicted) = Eigen::Map<const Eigen::RowVectorXf>(v, value_dim());
        ++evicted;
    };
    for (Index r = 0; r < block.size(); ++r) {
        layout_.push(with_queries ? block.queries.row(r).data() : nullptr, block.keys.row(r).data(),
                     block.values.row(r).data(), block.first_position + r, leave);
    }
    if (evicted > 0) {
        const Index qrows = with_queries ? evicted : 0;
        inner_->append(TokenBlock(out.queries.topRows(qrows), out.keys.topRows(evicted),
                                  out.values.topRows(evicted), out.first_position));
    }
}

EstimateBatch SinksWindowSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch e = layout_.sinks().estimate(queries, beta());
    e.add(layout_.window().estimate(queries, beta()));
    e.add(inner_->estimate_many(queries));
    return e;
}

SketchStats SinksWindowSketch::stats() const {
    const SketchStats in = inner_->stats();
    SketchStats s;
    s.seen = layout_.seen();
    s.retained = layout_.size() + in.retained;
    s.memory_floats = static_cast<double>(layout_.size()) * (dim() + value_dim()) +
                      static_cast<double>(layout_.window().size()) * dim() + in.memory_floats;
    s.memory_bits = 32.0 * (s.memory_floats - in.memory_floats) + in.memory_bits;
    return s;
}

SketchView SinksWindowSketch::view() const {
    SketchView in = inner_->view();
    SketchView v;
    v.subset_of_stream = in.subset_of_stream;
    if (!in.eviction_rule.empty())
        v.eviction_rule =
            "it left the exact window for the inner sketch, where " + in.eviction_rule;
    v.tag_meaning = "-1 = sink, -2 = recent window, otherwise the inner sketch's tag (" +
                    (in.tag_meaning.empty() ? std::string("unused") : in.tag_meaning) + ")";
    layout_.sinks().describe(v);
    layout_.window().describe(v);
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
    v.scalars.push_back({"sinks", static_cast<double>(layout_.sinks().size())});
    v.scalars.push_back({"window", static_cast<double>(layout_.window().size())});
    v.scalars.push_back({"inner_seen", static_cast<double>(inner_->stats().seen)});
    for (const auto& [name, value] : in.scalars)
        v.scalars.push_back({"inner." + name, value});
    return v;
}

void SinksWindowSketch::reset() {
    layout_.clear();
    inner_->reset();
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
        sketch_param("inner", "Middle sketch",
                     "Registered sketch, with its own parameters, that receives every token "
                     "leaving the window; total kept = sinks + window + its retained tokens.",
                     inner_choices(), "uniform")};
    info.params.back().replaces = {"inner_budget", "inner_params"};
    info.exact_params = [](Index n) { return nlohmann::json{{"sinks", 0}, {"window", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<SinksWindowSketch>(c); };
    return info;
}

}  // namespace kvscope
