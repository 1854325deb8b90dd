// Claims: machine-checkable statements of the phenomenon a lesson step talks about, in a small
// declarative JSON language (docs/lessons.md). A claim reads numbers from the step's session (the
// metric history and the sketches' views at the step's position) or from fresh headless runs of
// the same scene (other seeds, a sweep of a source parameter), and compares them:
//
//   compare  a op factor x b                  {"type": "compare", "a": Q, "op": "<", "factor": 0.5,
//   "b": Q} value    a op value  (or lo <= a <= hi)   {"type": "value", "a": Q, "op": ">", "value":
//   1} slope    log-log slope of a series in [lo, hi]          {"type": "slope", "series": S, "in":
//   [-0.7, -0.3]} trend    a series rises (falls) at every step            {"type": "trend",
//   "series": S, "direction": "increasing"} ratio    last / first of a series op value {"type":
//   "ratio", "series": S, "op": ">=", "value": 20}
//
// A quantity Q is one number: {"sketch": label, "params": {...} (picks one instance of a sweep),
// "metric": column | "view": view quantity, "at": position | "mean_over": [a, b], "seeds": N}.
// A series S is several: over the instances of a label ({"over": "sketches", "x": column or
// "param:KEY"}), over the stream ({"over": "time", "from": a, "to": b}), or over a source
// parameter ({"over": "source", "param": "radius", "values": [...]}), each with "y" a metric
// column or "view:NAME". Every claim carries "says", one plain sentence for the reader.
//
// Each evaluated claim reports its margin: how far the measurement is from the edge (a factor for
// ratios and comparisons, a difference for slopes and ranges), so a lesson author can see how
// safe a claim is over several seeds.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/types.hpp"
#include "session/run_config.hpp"

namespace kvscope {

class Session;

/// One measured number.
struct Quantity {
    std::string sketch;                                ///< instance label
    nlohmann::json params = nlohmann::json::object();  ///< values picking one instance of a sweep
    std::string metric;                                ///< a metric column (metric_keys()), or ""
    std::string view;         ///< a view quantity (is_view_quantity), or ""
    std::optional<Index> at;  ///< evaluation point (metrics; default: step position)
    std::optional<std::pair<Index, Index>> mean_over;  ///< mean over evaluation points in [a, b]
    int seeds = 0;  ///< > 0: the mean over runs with seeds s, s + 1, ..., s + seeds - 1
};

/// Several measured numbers (x, y).
struct Series {
    enum class Over { Sketches, Time, Source };
    Over over = Over::Sketches;
    std::string sketch;
    nlohmann::json params = nlohmann::json::object();  ///< instances must match these values
    std::string x;                                     ///< Sketches: a metric column or "param:KEY"
    std::string y_metric;
    std::string y_view;
    std::optional<Index> at;   ///< Sketches, Source: the evaluation point (default: step position)
    Index from = 0, to = 0;    ///< Time: evaluation points in [from, to]
    std::string source_param;  ///< Source
    std::vector<nlohmann::json> values;  ///< Source: parameter values in order
};

enum class ClaimType { Compare, Value, Slope, Trend, Ratio };

struct Claim {
    std::string says;
    ClaimType type = ClaimType::Compare;
    Quantity a, b;
    std::string op;       ///< "<", "<=", ">", ">=", or "between" (Value)
    double factor = 1;    ///< Compare: a op factor x b
    double value = 0;     ///< Value, Ratio; Value "between": the lower end
    double value_hi = 0;  ///< Value "between": the upper end
    Series series;
    double lo = 0, hi = 0;   ///< Slope range
    bool increasing = true;  ///< Trend
};

/// The metric columns a quantity may name (those of metrics.csv that are numbers).
const std::vector<std::string>& metric_keys();
/// The view quantities by name (fixed names plus "scalar:NAME", "keeps:P", "kept_below:P").
const std::vector<std::string>& view_quantity_names();
bool is_view_quantity(const std::string& name);

/// Parses a claim object; `where` prefixes every error ("step 2: claims[0]"). Checks syntax and
/// names only; check_claim_against validates labels, params and positions against a config.
/// Throws std::invalid_argument "<where>.<key>: <problem>".
Claim parse_claim(const nlohmann::json& doc, const std::string& where);
/// Validates a parsed claim against the step's scene: labels exist, params pick one instance
/// (several for a series over sketches), positions are evaluation points at or before
/// `position`, a source parameter exists and each value is in range. Throws std::invalid_argument.
void check_claim_against(const Claim& claim, const RunConfig& config, Index position,
                         const std::string& where);

/// True when instance `spec` has label `label` and every value in `params` (a sweep pick).
bool instance_matches(const SketchInstanceSpec& spec, const std::string& label,
                      const nlohmann::json& params);
/// An evaluation point: a multiple of eval_every, or the stream's end.
bool is_eval_point(const RunConfig& config, Index n);

/// What claims read: the step's session, and fresh runs of the same scene on demand.
class ClaimContext {
  public:
    /// `config_for_seed(s)` is the step's scene with run seed s (sketch seeds re-derived).
    ClaimContext(const Session& session, Index position,
                 std::function<RunConfig(std::uint64_t)> config_for_seed);
    ~ClaimContext();
    const Session& session() const { return session_; }
    Index position() const { return position_; }
    std::uint64_t seed() const;
    /// A run of the scene with `seed`, the source parameter `param` = `value` (when param is not
    /// empty), only the instances labelled `label`, streamed to the step position. Cached.
    const Session& variant(std::uint64_t seed, const std::string& param,
                           const nlohmann::json& value, const std::string& label);

  private:
    struct Cache;
    const Session& session_;
    Index position_;
    std::function<RunConfig(std::uint64_t)> config_for_seed_;
    std::unique_ptr<Cache> cache_;
};

struct ClaimResult {
    bool holds = false;
    double margin = 0;      ///< >= 1 (factor) or >= 0 (difference) when the claim holds
    bool additive = false;  ///< margin is a difference (slopes, "between"), else a factor
    std::string measured;   ///< the numbers, e.g. "0.021 < 0.5 x 0.048"
};

/// Evaluates one claim. Never throws for a measurement (a missing row or NaN gives holds = false
/// with the reason in `measured`).
ClaimResult evaluate_claim(const Claim& claim, ClaimContext& context);

/// The margin as text: "x1.83" or "+0.21".
std::string margin_text(const ClaimResult& result);

}  // namespace kvscope
