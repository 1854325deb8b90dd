#include "lessons/claims.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/registry.hpp"
#include "lessons/json_fields.hpp"
#include "session/session.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {

namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::string>& fixed_view_names() {
    static const std::vector<std::string> names = {"levels",
                                                   "occupied_levels",
                                                   "walk_discrepancy",
                                                   "random_discrepancy",
                                                   "walk_against_bias",
                                                   "fail_events",
                                                   "buckets",
                                                   "collision_rate",
                                                   "query_bucket_share",
                                                   "top_bucket_share",
                                                   "taylor_degree",
                                                   "taylor_degree_needed",
                                                   "taylor_lagrange_rel",
                                                   "taylor_bound_B",
                                                   "taylor_monomials",
                                                   "taylor_radius",
                                                   "weight_max",
                                                   "weight_min",
                                                   "retained"};
    return names;
}

bool has_prefix(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

/// The whole number after "keeps:" or "kept_below:", or -1.
Index position_suffix(const std::string& name) {
    const auto colon = name.find(':');
    if (colon == std::string::npos) return -1;
    const std::string digits = name.substr(colon + 1);
    if (digits.empty() || digits.size() > 12 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    return std::stoll(digits);
}

std::string metric_list() {
    std::string s;
    for (const auto& k : metric_keys())
        s += (s.empty() ? "" : ", ") + k;
    return s;
}

void check_metric(const std::string& key, const std::string& where) {
    if (std::find(metric_keys().begin(), metric_keys().end(), key) == metric_keys().end())
        field_fail(where, "'" + key + "' is not a metric (one of " + metric_list() + ")");
}

void check_view_name(const std::string& name, const std::string& where) {
    if (!is_view_quantity(name)) {
        std::string list;
        for (const auto& n : view_quantity_names())
            list += (list.empty() ? "" : ", ") + n;
        field_fail(where, "'" + name + "' is not a view quantity (one of " + list + ")");
    }
}

Quantity parse_quantity(const json& doc, const std::string& where) {
    require_object(doc, where);
    check_fields(doc, {"sketch", "params", "metric", "view", "at", "mean_over", "seeds"}, where);
    Quantity q;
    q.sketch = string_field(doc, "sketch", where, true);
    if (doc.contains("params")) q.params = object_field(doc, "params", where);
    const bool metric = doc.contains("metric"), view = doc.contains("view");
    if (metric == view) field_fail(where, "needs exactly one of \"metric\" and \"view\"");
    if (metric) {
        q.metric = string_field(doc, "metric", where, true);
        check_metric(q.metric, where + ".metric");
    } else {
        q.view = string_field(doc, "view", where, true);
        check_view_name(q.view, where + ".view");
        if (doc.contains("at") || doc.contains("mean_over"))
            field_fail(where, "a view quantity is read at the step's position (no \"at\")");
    }
    if (doc.contains("at")) q.at = position_field(doc, "at", where);
    if (doc.contains("mean_over")) {
        if (q.at) field_fail(where, "\"at\" and \"mean_over\" exclude each other");
        q.mean_over = range_field(doc, "mean_over", where);
    }
    if (doc.contains("seeds"))
        q.seeds = static_cast<int>(integer_field(doc, "seeds", where, 1, 64));
    return q;
}

void parse_y(const json& doc, Series& s, const std::string& where) {
    const std::string y = string_field(doc, "y", where, true);
    if (has_prefix(y, "view:")) {
        s.y_view = y.substr(5);
        check_view_name(s.y_view, where + ".y");
    } else {
        s.y_metric = y;
        check_metric(y, where + ".y");
    }
}

Series parse_series(const json& doc, const std::string& where) {
    require_object(doc, where);
    check_fields(doc, {"over", "sketch", "params", "x", "y", "at", "from", "to", "param", "values"},
                 where);
    Series s;
    const std::string over = choice_field(doc, "over", where, {"sketches", "time", "source"});
    s.sketch = string_field(doc, "sketch", where, true);
    if (doc.contains("params")) s.params = object_field(doc, "params", where);
    parse_y(doc, s, where);
    if (doc.contains("at")) s.at = position_field(doc, "at", where);
    auto forbid = [&](std::initializer_list<const char*> keys) {
        for (const char* k : keys)
            if (doc.contains(k)) field_fail(where + "." + k, "not used by a series over " + over);
    };
    if (over == "sketches") {
        s.over = Series::Over::Sketches;
        forbid({"from", "to", "param", "values"});
        s.x = string_field(doc, "x", where, true);
        if (!has_prefix(s.x, "param:") && s.x != "tokens_seen") check_metric(s.x, where + ".x");
    } else if (over == "time") {
        s.over = Series::Over::Time;
        forbid({"x", "at", "param", "values"});
        if (!s.y_view.empty()) field_fail(where + ".y", "a series over time needs a metric");
        s.from = position_field(doc, "from", where);
        s.to = position_field(doc, "to", where);
        if (s.from >= s.to) field_fail(where, "\"from\" must be below \"to\"");
    } else {
        s.over = Series::Over::Source;
        forbid({"x", "from", "to"});
        s.source_param = string_field(doc, "param", where, true);
        if (!doc.contains("values") || !doc.at("values").is_array() || doc.at("values").size() < 2)
            field_fail(where + ".values", "must list at least two parameter values");
        for (const auto& v : doc.at("values"))
            s.values.push_back(v);
    }
    return s;
}

const char* const kOps[] = {"<", "<=", ">", ">="};

std::string op_field(const json& doc, const std::string& where, bool between) {
    std::vector<std::string> ops(std::begin(kOps), std::end(kOps));
    if (between) ops.push_back("between");
    return choice_field(doc, "op", where, ops);
}

}  // namespace

const std::vector<std::string>& metric_keys() {
    static const std::vector<std::string> keys = {
        "rel_err_mean", "rel_err_max",     "eps_fro",       "eps_op",       "num_err",    "den_err",
        "mass_recall",  "retained_tokens", "memory_floats", "memory_bytes", "compression"};
    return keys;
}

const std::vector<std::string>& view_quantity_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n = fixed_view_names();
        n.push_back("scalar:NAME");
        n.push_back("keeps:P");
        n.push_back("kept_below:P");
        return n;
    }();
    return names;
}

bool is_view_quantity(const std::string& name) {
    const auto& f = fixed_view_names();
    if (std::find(f.begin(), f.end(), name) != f.end()) return true;
    if (has_prefix(name, "scalar:")) return name.size() > 7;
    if (has_prefix(name, "keeps:") || has_prefix(name, "kept_below:"))
        return position_suffix(name) >= 0;
    return false;
}

Claim parse_claim(const json& doc, const std::string& where) {
    require_object(doc, where);
    Claim c;
    c.says = string_field(doc, "says", where, true);
    const std::string type =
        choice_field(doc, "type", where, {"compare", "value", "slope", "trend", "ratio"});
    if (type == "compare") {
        check_fields(doc, {"says", "type", "a", "op", "factor", "b"}, where);
        c.type = ClaimType::Compare;
        c.a = parse_quantity(required(doc, "a", where), where + ".a");
        c.b = parse_quantity(required(doc, "b", where), where + ".b");
        c.op = op_field(doc, where, false);
        if (doc.contains("factor")) c.factor = number_field(doc, "factor", where, 1e-12, 1e12);
    } else if (type == "value") {
        check_fields(doc, {"says", "type", "a", "op", "value"}, where);
        c.type = ClaimType::Value;
        c.a = parse_quantity(required(doc, "a", where), where + ".a");
        c.op = op_field(doc, where, true);
        if (c.op == "between") {
            const auto r = pair_field(doc, "value", where);
            c.value = r.first;
            c.value_hi = r.second;
        } else {
            c.value = number_field(doc, "value", where, -1e300, 1e300);
        }
    } else if (type == "slope") {
        check_fields(doc, {"says", "type", "series", "in"}, where);
        c.type = ClaimType::Slope;
        c.series = parse_series(required(doc, "series", where), where + ".series");
        const auto r = pair_field(doc, "in", where);
        c.lo = r.first;
        c.hi = r.second;
    } else if (type == "trend") {
        check_fields(doc, {"says", "type", "series", "direction"}, where);
        c.type = ClaimType::Trend;
        c.series = parse_series(required(doc, "series", where), where + ".series");
        c.increasing =
            choice_field(doc, "direction", where, {"increasing", "decreasing"}) == "increasing";
    } else {
        check_fields(doc, {"says", "type", "series", "op", "value"}, where);
        c.type = ClaimType::Ratio;
        c.series = parse_series(required(doc, "series", where), where + ".series");
        c.op = op_field(doc, where, false);
        c.value = number_field(doc, "value", where, 1e-300, 1e300);
    }
    return c;
}

bool instance_matches(const SketchInstanceSpec& spec, const std::string& label,
                      const json& params) {
    if (spec.label != label) return false;
    const SketchInfo* info = builtin_sketches().find(spec.id);
    if (!info) return false;
    const json have = spec.params.to_json(info->params);
    for (const auto& [key, value] : params.items()) {
        if (!have.contains(key) || have.at(key) != value) return false;
    }
    return true;
}

bool is_eval_point(const RunConfig& config, Index n) {
    return n >= 1 && n <= config.tokens && (n % config.eval_every == 0 || n == config.tokens);
}

namespace {

std::vector<std::size_t> matching(const std::vector<SketchInstanceSpec>& specs,
                                  const std::string& label, const json& params) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < specs.size(); ++i)
        if (instance_matches(specs[i], label, params)) out.push_back(i);
    return out;
}

std::string label_list(const std::vector<SketchInstanceSpec>& specs) {
    std::string s;
    for (const auto& sp : specs) {
        const std::string quoted = "'" + sp.label + "'";
        if (s.find(quoted) == std::string::npos) s += (s.empty() ? "" : ", ") + quoted;
    }
    return s;
}

void check_selection(const std::vector<SketchInstanceSpec>& specs, const std::string& label,
                     const json& params, bool one, const std::string& where) {
    const auto found = matching(specs, label, params);
    if (found.empty()) {
        if (matching(specs, label, json::object()).empty())
            field_fail(where + ".sketch", "no sketch labelled '" + label +
                                              "' in this step's scene (" + label_list(specs) + ")");
        field_fail(where + ".params", "no instance of '" + label + "' has " + params.dump());
    }
    if (one && found.size() > 1) {
        field_fail(where + ".params", "picks " + std::to_string(found.size()) + " instances of '" +
                                          label + "'; add parameter values that pick one");
    }
    if (!one && found.size() < 2)
        field_fail(where, "a series over sketches needs at least two instances of '" + label + "'");
}

void check_at(const RunConfig& config, Index n, Index position, const std::string& where) {
    if (n > position)
        field_fail(where,
                   std::to_string(n) + " is after the step's position " + std::to_string(position));
    if (!is_eval_point(config, n)) {
        field_fail(where, std::to_string(n) + " is not an evaluation point (multiples of " +
                              std::to_string(config.eval_every) + ", or the end " +
                              std::to_string(config.tokens) + ")");
    }
}

void check_quantity(const Quantity& q, const std::vector<SketchInstanceSpec>& specs,
                    const RunConfig& config, Index position, const std::string& where) {
    check_selection(specs, q.sketch, q.params, true, where);
    if (!q.metric.empty()) {
        if (q.mean_over) {
            check_at(config, q.mean_over->second, position, where + ".mean_over");
            if (q.mean_over->first > q.mean_over->second)
                field_fail(where + ".mean_over", "the range is empty");
        } else {
            check_at(config, q.at.value_or(position), position, where + (q.at ? ".at" : ""));
        }
    }
    if (has_prefix(q.view, "keeps:") || has_prefix(q.view, "kept_below:")) {
        if (position_suffix(q.view) >= config.tokens)
            field_fail(where + ".view", "position is beyond the stream");
    }
}

void check_series(const Series& s, const std::vector<SketchInstanceSpec>& specs,
                  const RunConfig& config, Index position, const std::string& where) {
    if (s.over == Series::Over::Sketches) {
        check_selection(specs, s.sketch, s.params, false, where);
        if (has_prefix(s.x, "param:")) {
            const auto found = matching(specs, s.sketch, s.params);
            if (!specs[found.front()].params.has(s.x.substr(6)))
                field_fail(where + ".x", "'" + specs[found.front()].id + "' has no parameter '" +
                                             s.x.substr(6) + "'");
        }
    } else {
        check_selection(specs, s.sketch, s.params, true, where);
    }
    if (s.over == Series::Over::Time) {
        check_at(config, s.to, position, where + ".to");
        if (s.from < 1) field_fail(where + ".from", "must be at least 1");
    } else if (!s.y_metric.empty()) {
        check_at(config, s.at.value_or(position), position, where + (s.at ? ".at" : ""));
    }
    if (s.over == Series::Over::Source) {
        const SourceInfo& info = builtin_sources().at(config.source_id, "source");
        if (!find_spec(info.params, s.source_param))
            field_fail(where + ".param", "source '" + config.source_id + "' has no parameter '" +
                                             s.source_param + "'");
        for (std::size_t i = 0; i < s.values.size(); ++i) {
            json p = config.source_params;
            p[s.source_param] = s.values[i];
            try {
                ParamSet::from_json(info.params, p, "source '" + config.source_id + "'");
            } catch (const std::invalid_argument& e) {
                field_fail(where + ".values[" + std::to_string(i) + "]", e.what());
            }
        }
    }
}

}  // namespace

void check_claim_against(const Claim& c, const RunConfig& config, Index position,
                         const std::string& where) {
    const auto specs = expand_sketches(config);
    switch (c.type) {
        case ClaimType::Compare:
            check_quantity(c.a, specs, config, position, where + ".a");
            check_quantity(c.b, specs, config, position, where + ".b");
            break;
        case ClaimType::Value:
            check_quantity(c.a, specs, config, position, where + ".a");
            break;
        default:
            check_series(c.series, specs, config, position, where + ".series");
    }
}

}  // namespace kvscope
