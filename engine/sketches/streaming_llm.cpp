#include "sketches/streaming_llm.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace kvscope {

StreamingLlmSketch::StreamingLlmSketch(const SketchContext& context)
    : Sketch(context),
      sinks_(std::min<Index>(context.params.integer("sinks"), context.params.integer("budget"))),
      window_(context.params.integer("budget") - sinks_),
      cache_(context.dim, context.value_dim) {}

void StreamingLlmSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r, ++seen_) {
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        const Index pos = block.first_position + r;
        if (seen_ < sinks_) {
            cache_.push(k, v, 1.0, 1.0, pos, 1);
            continue;
        }
        if (window_ == 0) continue;
        const Index w = seen_ - sinks_;  // index among window tokens
        if (w < window_) {
            cache_.push(k, v, 1.0, 1.0, pos, 0);
        } else {
            cache_.set(sinks_ + w % window_, k, v, 1.0, 1.0, pos, 0);
        }
    }
}

EstimateBatch StreamingLlmSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats StreamingLlmSketch::stats() const {
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim()));
}

SketchView StreamingLlmSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "it was not an attention sink and more recent tokens filled the rest of the budget";
    v.tag_meaning = "1 = attention sink, 0 = window";
    cache_.describe(v);
    v.scalars.push_back({"sinks", static_cast<double>(sinks_)});
    v.scalars.push_back({"window", static_cast<double>(window_)});
    return v;
}

void StreamingLlmSketch::reset() {
    cache_.clear();
    seen_ = 0;
}

SketchInfo streaming_llm_sketch_info() {
    SketchInfo info;
    info.id = "streaming_llm";
    info.name = "StreamingLLM (sinks + window)";
    info.summary = "First `sinks` tokens plus the most recent ones, budget tokens in all.";
    info.paper = "Efficient Streaming Language Models with Attention Sinks, arXiv:2309.17453";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("budget", "Budget (tokens)",
                           "Tokens kept in all: sinks plus a window of budget - sinks recent "
                           "tokens.",
                           1, 1e8, 256, true),
        ParamSpec::integer("sinks", "Sink tokens",
                           "The first tokens of the stream kept for good (4 in the paper). "
                           "Capped at budget.",
                           0, 1e6, 4)};
    info.exact_params = [](Index n) { return nlohmann::json{{"budget", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<StreamingLlmSketch>(c); };
    return info;
}

}  // namespace kvscope
