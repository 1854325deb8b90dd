// Evaluating claims (claims.hpp): reading quantities from a session's history and views, fresh
// runs for other seeds and source parameters, and the comparisons with their margins.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "core/registry.hpp"
#include "lessons/claims.hpp"
#include "session/session.hpp"

namespace kvscope {

namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string num(double x) {
    std::ostringstream o;
    o.precision(3);
    o << x;
    return o.str();
}

double metric_value(const MetricRow& r, const std::string& key) {
    if (key == "rel_err_mean") return r.errors.rel_err_mean;
    if (key == "rel_err_max") return r.errors.rel_err_max;
    if (key == "eps_fro") return r.errors.eps_fro;
    if (key == "eps_op") return r.errors.eps_op;
    if (key == "num_err") return r.errors.num_err;
    if (key == "den_err") return r.errors.den_err;
    if (key == "mass_recall") return r.mass_recall;
    if (key == "retained_tokens") return static_cast<double>(r.retained_tokens);
    if (key == "memory_floats") return r.memory_floats;
    if (key == "memory_bytes") return r.memory_bytes;
    if (key == "compression") return r.compression;
    if (key == "tokens_seen") return static_cast<double>(r.tokens_seen);
    return kNaN;
}

double mean(const std::vector<double>& v) {
    if (v.empty()) return kNaN;
    double s = 0;
    for (double x : v)
        s += x;
    return s / static_cast<double>(v.size());
}

Index suffix_position(const std::string& name) {
    return std::stoll(name.substr(name.find(':') + 1));
}

std::vector<const MergeTreeView*> trees_of(const SketchView& v) {
    std::vector<const MergeTreeView*> out;
    for (const auto& t : v.merge_trees)
        out.push_back(&t);
    if (out.empty() && v.merge_tree) out.push_back(&*v.merge_tree);
    return out;
}

double tree_value(const std::string& name, const SketchView& v) {
    double best = kNaN;
    for (const MergeTreeView* t : trees_of(v)) {
        double x = static_cast<double>(t->levels.size());
        if (name == "occupied_levels") {
            x = static_cast<double>(std::count_if(t->levels.begin(), t->levels.end(),
                                                  [](const auto& l) { return l.occupancy > 0; }));
        }
        best = std::isnan(best) ? x : std::max(best, x);
    }
    return best;
}

double walk_value(const std::string& name, const SketchView& v) {
    if (!v.walk) return kNaN;
    const WalkTrace& w = *v.walk;
    if (name == "walk_discrepancy") return mean(w.walk_discrepancy);
    if (name == "random_discrepancy") return mean(w.random_discrepancy);
    if (name == "fail_events") return static_cast<double>(w.fail_events);
    // walk_against_bias: the share of steps whose sign opposes a non-zero running bias.
    int against = 0, counted = 0;
    for (const auto& s : w.steps) {
        if (s.bias == 0) continue;
        ++counted;
        against += (s.bias > 0) == (s.sign < 0) ? 1 : 0;
    }
    return counted ? static_cast<double>(against) / counted : kNaN;
}

double bucket_value(const std::string& name, const SketchView& v) {
    if (!v.buckets) return kNaN;
    const BucketView& b = *v.buckets;
    if (name == "buckets")
        return static_cast<double>(
            std::count_if(b.counts.begin(), b.counts.end(), [](Index c) { return c > 0; }));
    if (name == "collision_rate") return b.collision_rate;
    if (name == "top_bucket_share") {
        // The heaviest bucket's share of Z, averaged over the recent queries.
        std::vector<double> tops;
        for (const auto& shares : b.recent_contributions)
            if (!shares.empty()) tops.push_back(*std::max_element(shares.begin(), shares.end()));
        return mean(tops);
    }
    if (b.query_contribution.empty()) return kNaN;
    for (std::size_t i = 0; i < b.ids.size() && i < b.query_contribution.size(); ++i)
        if (b.ids[i] == b.query_bucket) return b.query_contribution[i];
    return kNaN;
}

double taylor_value(const std::string& name, const SketchView& v) {
    if (!v.taylor) return kNaN;
    const TaylorView& t = *v.taylor;
    if (name == "taylor_degree") return t.degree;
    if (name == "taylor_degree_needed") return t.degree_needed < 0 ? kNaN : t.degree_needed;
    if (name == "taylor_lagrange_rel") return t.lagrange_rel;
    if (name == "taylor_bound_B") return t.bound_B;
    if (name == "taylor_monomials") return static_cast<double>(t.monomials);
    return t.radius;  // taylor_radius
}

double retained_value(const std::string& name, const SketchView& v) {
    if (name == "retained") return static_cast<double>(v.retained.size());
    if (name == "weight_max" || name == "weight_min") {
        if (v.retained.empty()) return kNaN;
        double lo = v.retained.front().weight_num, hi = lo;
        for (const auto& t : v.retained) {
            lo = std::min(lo, t.weight_num);
            hi = std::max(hi, t.weight_num);
        }
        return name == "weight_max" ? hi : lo;
    }
    // keeps:P (is token P kept: 0 or 1) and kept_below:P (distinct kept tokens before P).
    const bool one = name.rfind("keeps:", 0) == 0;
    const Index p = suffix_position(name);
    std::set<Index> kept;
    for (const auto& t : v.retained)
        if (t.position >= 0 && (one ? t.position == p : t.position < p)) kept.insert(t.position);
    return static_cast<double>(kept.size());
}

double view_value(const std::string& name, const SketchView& v) {
    if (name.rfind("scalar:", 0) == 0) {
        for (const auto& [key, value] : v.scalars)
            if (key == name.substr(7)) return value;
        return kNaN;
    }
    if (name == "levels" || name == "occupied_levels") return tree_value(name, v);
    if (name.rfind("walk_", 0) == 0 || name == "random_discrepancy" || name == "fail_events")
        return walk_value(name, v);
    if (name == "buckets" || name == "collision_rate" ||
        name.find("bucket_share") != std::string::npos)
        return bucket_value(name, v);
    if (name.rfind("taylor_", 0) == 0) return taylor_value(name, v);
    return retained_value(name, v);
}

std::vector<std::size_t> instances(const Session& s, const std::string& label, const json& params) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < s.sketches().size(); ++i)
        if (instance_matches(s.sketches()[i].spec, label, params)) out.push_back(i);
    return out;
}

const MetricRow* find_row(const Session& s, std::size_t instance, Index n) {
    for (const MetricRow& r : s.history())
        if (r.instance == static_cast<int>(instance) && r.tokens_seen == n) return &r;
    return nullptr;
}

/// A metric of one instance at `n`, or over the evaluation points in [from, to].
double metric_at(const Session& s, std::size_t instance, const std::string& key, Index from,
                 Index to) {
    std::vector<double> v;
    for (const MetricRow& r : s.history())
        if (r.instance == static_cast<int>(instance) && r.tokens_seen >= from &&
            r.tokens_seen <= to)
            v.push_back(metric_value(r, key));
    return mean(v);
}

double quantity_in(const Session& s, const Quantity& q, Index position) {
    const auto found = instances(s, q.sketch, q.params);
    if (found.size() != 1) return kNaN;
    const std::size_t i = found.front();
    if (!q.view.empty()) return view_value(q.view, s.sketches()[i].sketch->view());
    if (q.mean_over) return metric_at(s, i, q.metric, q.mean_over->first, q.mean_over->second);
    const Index n = q.at.value_or(position);
    const MetricRow* r = find_row(s, i, n);
    return r ? metric_value(*r, q.metric) : kNaN;
}

double quantity(const Quantity& q, ClaimContext& ctx) {
    if (q.seeds == 0) return quantity_in(ctx.session(), q, ctx.position());
    std::vector<double> v;
    for (int j = 0; j < q.seeds; ++j) {
        const Session& s =
            ctx.variant(ctx.seed() + static_cast<std::uint64_t>(j), "", {}, q.sketch);
        v.push_back(quantity_in(s, q, ctx.position()));
    }
    return mean(v);
}

std::string describe(const Quantity& q) {
    std::string s = (q.metric.empty() ? q.view : q.metric) + " of " + q.sketch;
    if (!q.params.empty()) s += " " + q.params.dump();
    if (q.at) s += " at " + std::to_string(q.at.value());
    if (q.seeds) s += " (mean of " + std::to_string(q.seeds) + " seeds)";
    return s;
}

struct Points {
    std::vector<double> x, y;
    std::string problem;
};

Points series_points(const Series& s, ClaimContext& ctx) {
    Points p;
    const Session& session = ctx.session();
    if (s.over == Series::Over::Time) {
        const auto found = instances(session, s.sketch, s.params);
        for (const MetricRow& r : session.history()) {
            if (found.size() != 1 || r.instance != static_cast<int>(found.front())) continue;
            if (r.tokens_seen < s.from || r.tokens_seen > s.to) continue;
            p.x.push_back(static_cast<double>(r.tokens_seen));
            p.y.push_back(metric_value(r, s.y_metric));
        }
        return p;
    }
    Quantity y;
    y.metric = s.y_metric;
    y.view = s.y_view;
    y.at = s.at;
    if (s.over == Series::Over::Source) {
        for (const json& value : s.values) {
            const Session& v = ctx.variant(ctx.seed(), s.source_param, value, s.sketch);
            y.sketch = s.sketch;
            y.params = s.params;
            p.x.push_back(value.is_number() ? value.get<double>()
                                            : static_cast<double>(p.x.size()));
            p.y.push_back(quantity_in(v, y, ctx.position()));
        }
        return p;
    }
    for (std::size_t i : instances(session, s.sketch, s.params)) {
        const SketchInstanceSpec& spec = session.sketches()[i].spec;
        y.sketch = spec.label;
        y.params = spec.params.to_json(builtin_sketches().at(spec.id, "sketch").params);
        double x = kNaN;
        if (s.x.rfind("param:", 0) == 0) {
            x = spec.params.number(s.x.substr(6));
        } else if (const MetricRow* r = find_row(session, i, s.at.value_or(ctx.position()))) {
            x = metric_value(*r, s.x);
        }
        p.x.push_back(x);
        p.y.push_back(quantity_in(session, y, ctx.position()));
    }
    // Ordered by x, so trends and ratios read left to right.
    std::vector<std::size_t> order(p.x.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p.x[a] < p.x[b]; });
    Points sorted;
    for (std::size_t i : order) {
        sorted.x.push_back(p.x[i]);
        sorted.y.push_back(p.y[i]);
    }
    return sorted;
}

std::string points_text(const Points& p) {
    std::string s;
    for (std::size_t i = 0; i < p.y.size(); ++i)
        s += (i ? ", " : "") + num(p.y[i]);
    return "[" + s + "]";
}

}  // namespace

// ---- ClaimContext ----

struct ClaimContext::Cache {
    std::map<std::string, std::unique_ptr<Session>> runs;
};

ClaimContext::ClaimContext(const Session& session, Index position,
                           std::function<RunConfig(std::uint64_t)> config_for_seed)
    : session_(session),
      position_(position),
      config_for_seed_(std::move(config_for_seed)),
      cache_(std::make_unique<Cache>()) {}

ClaimContext::~ClaimContext() = default;

std::uint64_t ClaimContext::seed() const {
    return session_.config().seed;
}

const Session& ClaimContext::variant(std::uint64_t seed, const std::string& param,
                                     const json& value, const std::string& label) {
    const std::string key = std::to_string(seed) + "|" + param + "=" + value.dump() + "|" + label;
    auto& slot = cache_->runs[key];
    if (!slot) {
        RunConfig c = config_for_seed_(seed);
        if (!param.empty()) c.source_params[param] = value;
        std::erase_if(c.sketches, [&](const SketchEntry& e) {
            return (e.label.empty() ? e.id : e.label) != label;
        });
        c.tokens = std::min<std::int64_t>(c.tokens, position_);
        c.timing = false;
        slot = std::make_unique<Session>(c);
        slot->run_to_end();
    }
    return *slot;
}

// ---- evaluation ----

namespace {

bool compare(double a, const std::string& op, double b) {
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    return a >= b;
}

/// How far `a` is inside `op b`, as a factor (>= 1 when it holds); for signs that make a
/// factor meaningless, a difference.
ClaimResult margin_of(double a, const std::string& op, double b) {
    ClaimResult r;
    r.holds = compare(a, op, b);
    const bool less = op[0] == '<';
    if (a > 0 && b > 0) {
        r.margin = less ? b / a : a / b;
    } else {
        r.additive = true;
        r.margin = less ? b - a : a - b;
    }
    return r;
}

double log_log_slope(const Points& p) {
    double mx = 0, my = 0;
    const double n = static_cast<double>(p.x.size());
    for (std::size_t i = 0; i < p.x.size(); ++i) {
        mx += std::log(p.x[i]) / n;
        my += std::log(p.y[i]) / n;
    }
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < p.x.size(); ++i) {
        sxy += (std::log(p.x[i]) - mx) * (std::log(p.y[i]) - my);
        sxx += (std::log(p.x[i]) - mx) * (std::log(p.x[i]) - mx);
    }
    return sxx > 0 ? sxy / sxx : kNaN;
}

ClaimResult evaluate_series(const Claim& c, ClaimContext& ctx) {
    const Points p = series_points(c.series, ctx);
    ClaimResult r;
    const bool finite =
        p.y.size() >= 2 &&
        std::all_of(p.y.begin(), p.y.end(), [](double y) { return std::isfinite(y); }) &&
        std::all_of(p.x.begin(), p.x.end(), [](double x) { return std::isfinite(x); });
    if (!finite) {
        r.measured = "series " + points_text(p) + " is not a finite series of two or more points";
        return r;
    }
    if (c.type == ClaimType::Slope) {
        const bool positive = std::all_of(p.y.begin(), p.y.end(), [](double y) { return y > 0; }) &&
                              std::all_of(p.x.begin(), p.x.end(), [](double x) { return x > 0; });
        const double s = positive ? log_log_slope(p) : kNaN;
        r.additive = true;
        r.holds = s >= c.lo && s <= c.hi;
        r.margin = std::isfinite(s) ? std::min(s - c.lo, c.hi - s) : kNaN;
        r.measured =
            "slope " + num(s) + " in [" + num(c.lo) + ", " + num(c.hi) + "] over " + points_text(p);
        return r;
    }
    if (c.type == ClaimType::Trend) {
        r.holds = true;
        r.margin = std::numeric_limits<double>::infinity();
        for (std::size_t i = 1; i < p.y.size(); ++i) {
            const double a = c.increasing ? p.y[i - 1] : p.y[i];
            const double b = c.increasing ? p.y[i] : p.y[i - 1];
            const ClaimResult step = margin_of(b, ">", a);
            r.holds = r.holds && step.holds;
            r.additive = r.additive || step.additive;
            r.margin = std::min(r.margin, step.margin);
        }
        r.measured = std::string(c.increasing ? "increasing" : "decreasing") + " " + points_text(p);
        return r;
    }
    const double ratio = p.y.back() / p.y.front();
    r = margin_of(ratio, c.op, c.value);
    r.measured = "last / first = " + num(ratio) + " " + c.op + " " + num(c.value) + " over " +
                 points_text(p);
    return r;
}

}  // namespace

ClaimResult evaluate_claim(const Claim& c, ClaimContext& ctx) {
    if (c.type == ClaimType::Compare) {
        const double a = quantity(c.a, ctx), b = quantity(c.b, ctx);
        ClaimResult r = margin_of(a, c.op, c.factor * b);
        r.measured = describe(c.a) + " = " + num(a) + " " + c.op + " " +
                     (c.factor != 1 ? num(c.factor) + " x " : "") + describe(c.b) + " = " + num(b);
        if (!std::isfinite(a) || !std::isfinite(b)) r.holds = false;
        return r;
    }
    if (c.type == ClaimType::Value) {
        const double a = quantity(c.a, ctx);
        ClaimResult r;
        if (c.op == "between") {
            r.holds = a >= c.value && a <= c.value_hi;
            r.additive = true;
            r.margin = std::min(a - c.value, c.value_hi - a);
            r.measured = describe(c.a) + " = " + num(a) + " in [" + num(c.value) + ", " +
                         num(c.value_hi) + "]";
        } else {
            r = margin_of(a, c.op, c.value);
            r.measured = describe(c.a) + " = " + num(a) + " " + c.op + " " + num(c.value);
        }
        if (!std::isfinite(a)) r.holds = false;
        return r;
    }
    return evaluate_series(c, ctx);
}

std::string margin_text(const ClaimResult& r) {
    if (!std::isfinite(r.margin)) return r.margin > 0 ? "x inf" : "n/a";
    return r.additive ? (r.margin >= 0 ? "+" : "") + num(r.margin) : "x" + num(r.margin);
}

}  // namespace kvscope
