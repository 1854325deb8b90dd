#include "ui/panel_csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "core/params.hpp"
#include "core/registry.hpp"
#include "figure/families.hpp"
#include "figure/figures.hpp"
#include "math/lagrange.hpp"
#include "math/monomials.hpp"
#include "math/taylor_series.hpp"
#include "theory/lower_bounds.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const SketchSnapshot* sketch_at(const Snapshot& snap, int sketch) {
    if (sketch < 0 || sketch >= static_cast<int>(snap.sketches.size())) return nullptr;
    return &snap.sketches[static_cast<std::size_t>(sketch)];
}

double at_or_nan(const std::vector<double>& v, std::size_t i) {
    return i < v.size() ? v[i] : kNaN;
}

}  // namespace

// ---- error metrics ----

const std::vector<MetricDef>& error_metrics() {
    static const std::vector<MetricDef> metrics = {
        {"rel_err_mean",
         "mean over probe queries of ||z - a|| / ||a|| (z: sketch, a: exact attention)",
         [](const MetricRow& r) { return r.errors.rel_err_mean; }},
        {"rel_err_max", "max over probe queries of ||z - a|| / ||a||",
         [](const MetricRow& r) { return r.errors.rel_err_max; }},
        {"eps_fro",
         "mean over probes of ||z - a|| / (||p||_2 ||V||_F): BalanceKV's normalisation "
         "(p: softmax row)",
         [](const MetricRow& r) { return r.errors.eps_fro; }},
        {"eps_op", "mean over probes of ||z - a|| / (||p||_2 ||V||_op): SubGen's normalisation",
         [](const MetricRow& r) { return r.errors.eps_op; }},
        {"num_err",
         "mean over probes of ||N^ - N|| / (Z max||v||): the numerator error alone (rotates "
         "the output)",
         [](const MetricRow& r) { return r.errors.num_err; }},
        {"den_err",
         "mean over probes of |Z^ - Z| / Z: the denominator error alone (rescales "
         "the output)",
         [](const MetricRow& r) { return r.errors.den_err; }},
        {"mass_recall",
         "mean share of exact softmax mass on the tokens a subset sketch keeps (nan if not a "
         "subset sketch)",
         [](const MetricRow& r) { return r.mass_recall; }},
        {"memory_floats", "state size in 32-bit float equivalents (keys, values, weights, moments)",
         [](const MetricRow& r) { return r.memory_floats; }},
        {"compression", "memory_floats / (tokens_seen (d + d_v)): the share of the exact cache",
         [](const MetricRow& r) { return r.compression; }},
        {"retained_tokens", "tokens (or stored vectors) the sketch keeps",
         [](const MetricRow& r) { return static_cast<double>(r.retained_tokens); }},
        {"memory_bytes", "state size in bytes (bits / 8 for quantized sketches)",
         [](const MetricRow& r) { return r.memory_bytes; }},
    };
    return metrics;
}

// ---- theory overlays ----

double estimate_logit_bound(const Snapshot& snap) {
    const double B = snap.logit_bound.B();
    return std::isfinite(B) && B > 0 ? B : 1.0;
}

TheoryInputs theory_inputs(const Snapshot& snap, const TheoryOptions& options) {
    TheoryInputs in;
    in.n = static_cast<double>(std::max<Index>(snap.tokens_seen, 1));
    in.d = std::max(snap.dim, 1);
    in.d_v = std::max(snap.value_dim, 1);
    in.B = options.B > 0 ? options.B : estimate_logit_bound(snap);
    in.log_factors = options.log_factors;
    return in;
}

std::vector<TheoryLine> theory_lines(const Snapshot& snap, const TheoryOptions& options) {
    std::vector<std::pair<int, std::string>> instances;
    for (std::size_t i = 0; i < snap.sketches.size(); ++i)
        instances.emplace_back(static_cast<int>(i), snap.sketches[i].spec.id);
    return figure::evaluate_theory(instances, theory_inputs(snap, options), options.eps_min,
                                   options.eps_max, options.points);
}

// ---- CSV ----

std::string csv_number(double value) {
    return format_number(value);
}

std::string csv_text(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string q = "\"";
    for (char c : text) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

std::string bucket_csv(const Snapshot& snap, int sketch) {
    std::string out =
        "instance,sketch,tokens_seen,family,summary,bucket_id,count,radius,memory_floats,"
        "taylor_degree,query_share,recent_share_mean,recent_share_max,is_query_bucket,"
        "collision_rate\n";
    const SketchSnapshot* s = sketch_at(snap, sketch);
    if (!s || !s->view->buckets) return out;
    const BucketView& b = *s->view->buckets;
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
        double mean = kNaN, max = kNaN;
        int n = 0;
        for (const auto& q : b.recent_contributions) {
            if (i >= q.size()) continue;
            mean = (n == 0 ? 0.0 : mean) + q[i];
            max = n == 0 ? q[i] : std::max(max, q[i]);
            ++n;
        }
        if (n > 0) mean /= n;
        const double degree =
            i < b.taylor_degree.size() ? static_cast<double>(b.taylor_degree[i]) : kNaN;
        const double count = i < b.counts.size() ? static_cast<double>(b.counts[i]) : kNaN;
        out += std::to_string(sketch) + ',' + csv_text(s->spec.id) + ',' +
               std::to_string(snap.tokens_seen) + ',' + csv_text(b.family) + ',' +
               csv_text(b.summary) + ',' + std::to_string(b.ids[i]) + ',' + csv_number(count) +
               ',' + csv_number(at_or_nan(b.radii, i)) + ',' +
               csv_number(at_or_nan(b.memory_floats, i)) + ',' + csv_number(degree) + ',' +
               csv_number(at_or_nan(b.query_contribution, i)) + ',' + csv_number(mean) + ',' +
               csv_number(max) + ',' + (b.ids[i] == b.query_bucket ? "1" : "0") + ',' +
               csv_number(b.collision_rate) + '\n';
    }
    return out;
}

std::string polynomial_csv(const Snapshot& snap, int sketch) {
    std::string out = "instance,sketch,tokens_seen,degree,series,x,y\n";
    const SketchSnapshot* s = sketch_at(snap, sketch);
    if (!s || !s->view->taylor) return out;
    const TaylorView& t = *s->view->taylor;
    const std::string prefix = std::to_string(sketch) + ',' + csv_text(s->spec.id) + ',' +
                               std::to_string(snap.tokens_seen) + ',' + std::to_string(t.degree) +
                               ',';
    auto row = [&](const char* series, double x, double y) {
        out += prefix + series + ',' + csv_number(x) + ',' + csv_number(y) + '\n';
    };
    double lo = t.logit_min, hi = t.logit_max;
    if (!(hi > lo)) lo = -1, hi = 1;
    for (int i = 0; i <= 100; ++i) {
        const double x = lo + (hi - lo) * i / 100.0;
        row("abs_error", x, std::abs(taylor_tail(x, t.degree)));
    }
    for (int i = 0; i <= 100; ++i) {
        const double x = lo + (hi - lo) * i / 100.0;
        row("lagrange_bound", x, lagrange_remainder_bound(x, t.degree));
    }
    row("bound_B", -t.bound_B, 0);
    row("bound_B", t.bound_B, 0);
    if (!t.logit_samples.empty()) {
        constexpr int kBins = 40;
        double a = INFINITY, b = -INFINITY;
        for (double v : t.logit_samples) {
            if (std::isfinite(v)) a = std::min(a, v), b = std::max(b, v);
        }
        if (a <= b) {
            if (a == b) b = a + 1;
            std::vector<double> h(kBins, 0.0);
            for (double v : t.logit_samples) {
                if (!std::isfinite(v)) continue;
                h[static_cast<std::size_t>(
                    std::clamp(static_cast<int>((v - a) / (b - a) * kBins), 0, kBins - 1))] += 1;
            }
            for (int i = 0; i < kBins; ++i)
                row("logit_hist", a + (i + 0.5) * (b - a) / kBins, h[static_cast<std::size_t>(i)]);
        }
    }
    const int pmax = std::max(12, t.degree + 4);
    for (int p = 0; p <= pmax; ++p)
        row("relative_bound", p, relative_lagrange_bound(t.bound_B, p));
    for (double e : t.sample_num_error)
        row("sample_num_error", t.degree, e);
    for (double e : t.sample_den_error)
        row("sample_den_error", t.degree, e);
    row("target_eps", t.degree, t.target_eps);
    row("degree_needed", t.degree, t.degree_needed);
    for (int p = 0; p <= 8; ++p)
        row("monomials", p, monomial_count_approx(snap.dim, p));
    for (int p = 0; p <= 8; ++p)
        row("moment_floats", p, taylor_moment_floats(snap.dim, snap.value_dim, p));
    return out;
}

namespace {

// Each sweep family's fitted log-log slope of the metric against memory at every member's
// latest evaluation (app/figure/figures.hpp), with its 95% interval: rows of kind slope,
// slope_lo and slope_hi, series = the family's name, instance = -1.
std::string family_slope_rows(const Snapshot& snap, const MetricDef& m,
                              const figure::Families& fams) {
    std::map<int, const MetricRow*> last;
    for (const auto& r : snap.history)
        last[r.instance] = &r;
    std::string out;
    for (const auto& fam : fams.families) {
        std::vector<double> x, y;
        for (int inst : fam.members) {
            const auto it = last.find(inst);
            if (it == last.end()) continue;
            x.push_back(it->second->memory_floats);
            y.push_back(m.get(*it->second));
        }
        const figure::SlopeFit fit = figure::fit_loglog(x, y);
        if (fam.members.size() < 2 || !fit.valid) continue;
        const std::pair<const char*, double> parts[] = {
            {"slope", fit.slope}, {"slope_lo", fit.lo}, {"slope_hi", fit.hi}};
        for (const auto& [kind, v] : parts) {
            out += csv_text(fam.name) + ',' + kind + ",0,-1," + csv_text(fam.sketch) + ',' +
                   std::to_string(snap.tokens_seen) + ",," + m.key + ',' + csv_number(v) + '\n';
        }
    }
    return out;
}

}  // namespace

std::string error_csv(const Snapshot& snap, int metric, const TheoryOptions& options) {
    const auto& metrics = error_metrics();
    const MetricDef& m = metrics[static_cast<std::size_t>(
        std::clamp(metric, 0, static_cast<int>(metrics.size()) - 1))];
    std::string out =
        "series,kind,reconstruction,instance,sketch,tokens_seen,memory_floats,metric,value\n";
    // Series are named as the plot names them: every parameter that differs, defaults included.
    std::vector<figure::InstanceDesc> instances;
    std::set<int> seen;
    for (const auto& r : snap.history)
        if (r.sketch != "exact" && seen.insert(r.instance).second)
            instances.push_back({r.instance, r.sketch, r.label, r.params});
    const figure::Families fams = figure::group_families(instances);
    for (const auto& r : snap.history) {
        if (r.sketch == "exact") continue;
        out += csv_text(fams.label(r.instance)) + ",measured,0," + std::to_string(r.instance) +
               ',' + csv_text(r.sketch) + ',' + std::to_string(r.tokens_seen) + ',' +
               csv_number(r.memory_floats) + ',' + m.key + ',' + csv_number(m.get(r)) + '\n';
    }
    out += family_slope_rows(snap, m, fams);
    const double n = static_cast<double>(snap.tokens_seen);
    for (const auto& line : theory_lines(snap, options)) {
        const std::string sk = line.instance >= 0
                                   ? snap.sketches[static_cast<std::size_t>(line.instance)].spec.id
                                   : std::string();
        for (std::size_t k = 0; k < line.memory.size(); ++k) {
            out += csv_text(line.id) + (line.upper ? ",theory_upper," : ",theory_lower,") +
                   (line.reconstruction ? "1," : "0,") + std::to_string(line.instance) + ',' +
                   csv_text(sk) + ',' + csv_number(n) + ',' + csv_number(line.memory[k]) + ",eps," +
                   csv_number(line.eps[k]) + '\n';
        }
    }
    return out;
}

int csv_rows(const std::string& text) {
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    return std::max(0, lines - 1);
}

std::string write_panel_csv(const std::string& panel, const std::string& text,
                            const std::string& dir) {
    namespace fs = std::filesystem;
    for (int i = 1; i < 100000; ++i) {
        char name[96];
        std::snprintf(name, sizeof name, "kvscope_%s_%04d.csv", panel.c_str(), i);
        const fs::path path = fs::path(dir) / name;
        if (fs::exists(path)) continue;
        std::ofstream f(path, std::ios::binary);
        f << text;
        f.close();
        if (!f) throw std::runtime_error("cannot write " + path.string());
        return path.string();
    }
    throw std::runtime_error("no free kvscope_" + panel + "_NNNN.csv name in " + dir);
}

}  // namespace kvscope::ui
