// The sketch registry, filled by an explicit function (no self-registering statics: linkers drop
// them from static libraries). The source registry, built on the same template, is in
// sources/source_registry.hpp.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/params.hpp"
#include "core/sketch.hpp"
#include "theory/theory_curve.hpp"

namespace kvscope {

struct SketchInfo {
    std::string id;       ///< stable snake_case id
    std::string name;     ///< display name
    std::string summary;  ///< one line: what it is and where it comes from
    std::string paper;    ///< title and arXiv id, or "" for classic baselines
    /// Keeps a (weighted) subset of stream tokens; an instance's SketchView::subset_of_stream
    /// may still say otherwise (sinks_window around a quantizer).
    bool subset_of_stream = true;
    std::vector<ParamSpec> params;
    std::function<std::unique_ptr<Sketch>(const SketchContext&)> make;
    /// Space bounds or estimates for this method (empty for heuristics without one).
    std::vector<TheoryCurve> theory;
    /// Parameters under which the sketch is exact for a stream of n tokens (e.g. budget >= n),
    /// or empty when it has no exact mode. The contract test checks that promise.
    std::function<nlohmann::json(Index n)> exact_params;
    /// Bytes of RAM the state holds after `tokens` tokens, for a sketch whose state grows with
    /// the stream (exact, kivi, qjl, balance_kv_reference); empty when its parameters bound it.
    /// The session adds these up before building anything and refuses a run above
    /// kMaxGrowingStateBytes.
    std::function<double(const SketchContext& context, Index tokens)> state_bytes_at;
};

/// Entries with unique ids, in registration order.
template <class Info>
class Registry {
  public:
    /// Adds an entry; throws std::logic_error on a duplicate id.
    void add(Info info) {
        if (find(info.id)) throw std::logic_error("duplicate registry id '" + info.id + "'");
        entries_.push_back(std::move(info));
    }
    /// The entry with this id, or nullptr.
    const Info* find(const std::string& id) const {
        for (const auto& e : entries_) {
            if (e.id == id) return &e;
        }
        return nullptr;
    }
    /// The entry with this id; throws std::invalid_argument listing the known ids.
    const Info& at(const std::string& id, const char* what) const {
        if (const Info* e = find(id)) return *e;
        std::string known;
        for (const auto& e : entries_)
            known += (known.empty() ? "" : ", ") + e.id;
        throw std::invalid_argument(std::string("unknown ") + what + " '" + id +
                                    "' (known: " + known + ")");
    }
    const std::vector<Info>& all() const { return entries_; }

  private:
    std::vector<Info> entries_;
};

using SketchRegistry = Registry<SketchInfo>;

/// Fills `registry` with every built-in sketch (engine/sketches/builtin_sketches.cpp).
void register_builtin_sketches(SketchRegistry& registry);

/// Process-wide registry with the built-ins, built on first use (thread-safe).
const SketchRegistry& builtin_sketches();

/// A nested-sketch parameter (ParamKind::Sketch) whose value is one of the registered sketches
/// `ids`, with that sketch's own parameters; `def` is the default id (with its defaults).
ParamSpec sketch_param(std::string key, std::string label, std::string help,
                       std::vector<std::string> ids, std::string def);

/// The registered sketch `id` with every parameter at its default (throws std::invalid_argument
/// for an unknown id): the starting point for a part a composite sketch configures in code.
NestedSketch default_sketch(const std::string& id);

/// The context of a composite sketch's part: the parent's dimensions and beta, `params`, and the
/// seed derived from the parent's seed and `label` (each part gets its own stream of randomness).
SketchContext child_context(const SketchContext& parent, const ParamSet& params,
                            const std::string& label);

/// Builds the part `child` of a composite sketch with child_context(parent, child.params, label):
/// the one way a sketch is built from sketches.
std::unique_ptr<Sketch> make_child_sketch(const SketchContext& parent, const NestedSketch& child,
                                          const std::string& label);

}  // namespace kvscope
