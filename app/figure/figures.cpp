#include "figure/figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace kvscope::figure {

namespace {

int require_numeric(const RunTable& t, const std::string& name) {
    const int c = t.numeric_column(name);
    if (c < 0) {
        std::string known;
        for (const auto& n : t.numeric_names)
            known += (known.empty() ? "" : ", ") + n;
        throw std::invalid_argument("no numeric column '" + name + "' (columns: " + known + ")");
    }
    return c;
}

bool close_values(double a, double b, bool log) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::abs(a) <= 1e-12 && std::abs(b) <= 1e-12) return true;  // both at rounding level
    if (log) return a > 0 && b > 0 && std::abs(std::log10(a) - std::log10(b)) <= 0.004;
    return std::abs(a - b) <= 5e-3 * std::max(std::abs(a), std::abs(b));
}

bool same_series(const std::vector<double>& xa, const std::vector<double>& ya,
                 const std::vector<double>& xb, const std::vector<double>& yb, bool log_x,
                 bool log_y) {
    if (xa.size() != xb.size() || xa.empty()) return false;
    for (std::size_t i = 0; i < xa.size(); ++i)
        if (!close_values(xa[i], xb[i], log_x) || !close_values(ya[i], yb[i], log_y)) return false;
    return true;
}

// Clusters of coinciding series (each cluster in input order; singletons left out).
std::vector<std::vector<std::size_t>> coincident(const std::vector<std::vector<double>>& xs,
                                                 const std::vector<std::vector<double>>& ys,
                                                 bool log_x, bool log_y) {
    std::vector<std::vector<std::size_t>> out;
    std::vector<bool> used(xs.size(), false);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (used[i]) continue;
        std::vector<std::size_t> group{i};
        for (std::size_t j = i + 1; j < xs.size(); ++j) {
            if (!used[j] && same_series(xs[i], ys[i], xs[j], ys[j], log_x, log_y)) {
                group.push_back(j);
                used[j] = true;
            }
        }
        if (group.size() > 1) out.push_back(std::move(group));
    }
    return out;
}

// One instance's series, before styling.
struct Trace {
    int instance = 0;
    int family = 0;
    std::vector<double> x, y;
    std::size_t fill = 0;
    int variant = 0;  // position in its coincidence group (0: drawn plainly)
};

LegendEntry family_entry(const Families& fams, int f, Rgba ground) {
    const Family& fam = fams.families[static_cast<std::size_t>(f)];
    LegendEntry e;
    e.key = fam.name;
    e.text = fam.name;
    std::string members;
    for (std::size_t r = 0; r < fam.members.size(); ++r) {
        e.ramp.push_back(ramp_colour(fam.hue, static_cast<int>(r),
                                     static_cast<int>(fam.members.size()), ground));
        members += "\n  " + fams.label(fam.members[r]);
    }
    e.tooltip = fam.members.size() > 1
                    ? fam.name + ": " + std::to_string(fam.members.size()) + " instances" +
                          (fam.swept.empty() ? "" : ", swept over " + fam.swept) + members
                    : fam.name;
    return e;
}

// Marks coinciding traces: each one after the first of its group gets the next variant. A
// family's legend note names the families it coincides with and how many of its members do
// (short, so the legend stays one line); `out` gets one line per coinciding instance.
void mark_overlaps(std::vector<Trace>& traces, const Families& fams, bool log_x, bool log_y,
                   std::map<int, std::string>& notes, FigureNotes* out) {
    std::vector<std::vector<double>> xs, ys;
    for (const auto& t : traces) {
        xs.push_back(t.x);
        ys.push_back(t.y);
    }
    std::map<int, std::set<int>> partners;  // family -> families it coincides with
    std::map<int, std::set<int>> members;   // family -> its coinciding instances
    for (const auto& group : coincident(xs, ys, log_x, log_y)) {
        for (std::size_t k = 0; k < group.size(); ++k) {
            Trace& t = traces[group[k]];
            t.variant = static_cast<int>(k);
            members[t.family].insert(t.instance);
            std::string others;
            for (std::size_t j : group) {
                if (j == group[k]) continue;
                partners[t.family].insert(traces[j].family);
                others += (others.empty() ? "" : ", ") + fams.label(traces[j].instance);
            }
            if (out && k == 0)
                out->overlaps.push_back(fams.label(t.instance) + " coincides with " + others);
        }
    }
    for (const auto& [f, with] : partners) {
        std::string names;
        for (int g : with) {
            const std::string name = g == f ? std::string("each other")
                                            : fams.families[static_cast<std::size_t>(g)].name;
            names += (names.empty() ? "" : ", ") + name;
        }
        const std::size_t total = fams.families[static_cast<std::size_t>(f)].members.size();
        notes[f] = (members[f].size() == total
                        ? std::string("all")
                        : std::to_string(members[f].size()) + " of " + std::to_string(total)) +
                   " coincide with " + names;
    }
}

std::string overlap_suffix(const std::string& note) {
    return note.empty() ? "" : "  (" + note + ")";
}

}  // namespace

double student_t975(int dof) {
    static constexpr double kTable[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                          2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                          2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                          2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (dof < 1) return std::numeric_limits<double>::quiet_NaN();
    if (dof <= 30) return kTable[dof - 1];
    // Cornish-Fisher expansion about the normal quantile.
    const double z = 1.959964, v = dof;
    return z + (z * z * z + z) / (4 * v) +
           (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}

SlopeFit fit_loglog(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> lx, ly;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (x[i] > 0 && y[i] > 0 && std::isfinite(x[i]) && std::isfinite(y[i])) {
            lx.push_back(std::log10(x[i]));
            ly.push_back(std::log10(y[i]));
        }
    }
    SlopeFit f;
    f.points = static_cast<int>(lx.size());
    if (lx.size() < 2) return f;
    const double n = static_cast<double>(lx.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < lx.size(); ++i)
        mx += lx[i], my += ly[i];
    mx /= n;
    my /= n;
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < lx.size(); ++i) {
        sxx += (lx[i] - mx) * (lx[i] - mx);
        sxy += (lx[i] - mx) * (ly[i] - my);
    }
    if (!(sxx > 0)) return f;
    f.slope = sxy / sxx;
    f.valid = true;
    f.lo = f.hi = std::numeric_limits<double>::quiet_NaN();
    if (lx.size() >= 3) {
        double ss = 0;
        for (std::size_t i = 0; i < lx.size(); ++i) {
            const double r = ly[i] - (my + f.slope * (lx[i] - mx));
            ss += r * r;
        }
        const double se = std::sqrt(ss / (n - 2) / sxx);
        const double t = student_t975(static_cast<int>(lx.size()) - 2);
        f.lo = f.slope - t * se;
        f.hi = f.slope + t * se;
    }
    return f;
}

std::string slope_text(const SlopeFit& fit) {
    if (!fit.valid) return "";
    auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", std::abs(v));
        return std::string(v < 0 && std::abs(v) >= 0.005 ? "−" : "") + buf;
    };
    std::string s = "slope " + num(fit.slope);
    if (std::isfinite(fit.lo)) s += " [" + num(fit.lo) + ", " + num(fit.hi) + "]";
    return s;
}

std::map<int, std::vector<std::size_t>> rows_by_instance(const RunTable& table) {
    std::map<int, std::vector<std::size_t>> out;
    for (std::size_t r = 0; r < table.rows(); ++r)
        out[table.instance[r]].push_back(r);
    const int tc = table.numeric_column("tokens_seen");
    if (tc >= 0) {
        for (auto& [inst, rows] : out)
            std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
                return table.number(tc, a) < table.number(tc, b);
            });
    }
    return out;
}

std::size_t budget_fill(const RunTable& table, const std::vector<std::size_t>& rows) {
    const int rc = table.numeric_column("retained_tokens");
    const int tc = table.numeric_column("tokens_seen");
    if (rc < 0 || tc < 0) return 0;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (table.number(rc, rows[i]) < table.number(tc, rows[i])) return i;
    return 0;  // never dropped a token: exact throughout, fit everything
}

PlotSpec time_figure(const RunTable& table, const Families& fams, const FigureOptions& opt,
                     FigureNotes* notes) {
    const int yc = require_numeric(table, opt.y);
    const int tc = require_numeric(table, "tokens_seen");
    PlotSpec spec;
    spec.x = {"tokens seen", false};
    spec.y = {opt.y, opt.log_y};
    const auto rows = rows_by_instance(table);
    std::vector<Trace> traces;
    for (std::size_t f = 0; f < fams.families.size(); ++f) {
        for (int inst : fams.families[f].members) {
            const auto it = rows.find(inst);
            if (it == rows.end()) continue;
            Trace t;
            t.instance = inst;
            t.family = static_cast<int>(f);
            for (std::size_t r : it->second) {
                t.x.push_back(table.number(tc, r));
                t.y.push_back(table.number(yc, r));
            }
            t.fill = budget_fill(table, it->second);
            traces.push_back(std::move(t));
        }
    }
    std::map<int, std::string> overlap;
    mark_overlaps(traces, fams, false, opt.log_y, overlap, notes);
    std::map<int, int> entry_of;
    for (const auto& t : traces) {
        if (entry_of.count(t.family)) continue;
        LegendEntry e = family_entry(fams, t.family, opt.ground);
        e.text += overlap_suffix(overlap[t.family]);
        entry_of[t.family] = spec.add_legend(std::move(e));
    }
    int fills_entry = -1;
    static constexpr Dash kVariants[] = {Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::DashDot,
                                         Dash::LongDash};
    for (const auto& t : traces) {
        const Family& fam = fams.families[static_cast<std::size_t>(t.family)];
        Series s;
        s.kind = SeriesKind::Line;
        s.name = fams.label(t.instance);
        s.x = t.x;
        s.y = t.y;
        s.legend = entry_of[t.family];
        s.style.colour = fams.colour(t.instance, opt.ground);
        s.style.dash = t.variant > 0 ? kVariants[t.variant % 5] : fam.dash;
        s.style.width = t.variant > 0 ? 1.6f : 1.8f;
        s.fit_from = opt.full_range ? 0 : t.fill;
        spec.series.push_back(std::move(s));
        if (t.fill == 0) continue;
        if (fills_entry < 0) {
            LegendEntry e;
            e.key = "budget fills";
            e.text = "budget fills (exact before)";
            e.ramp = {opt.neutral};
            e.marker = MarkerShape::HollowDiamond;
            e.tooltip =
                "Where each sketch first keeps fewer tokens than it has seen. Before it the "
                "sketch is exact (errors at rounding level); the axes fit the data from here on "
                "unless 'full range' is set.";
            fills_entry = spec.add_legend(std::move(e));
        }
        Series m;
        m.kind = SeriesKind::Scatter;
        m.name = fams.label(t.instance) + ": budget fills";
        m.x = {t.x[t.fill]};
        m.y = {t.y[t.fill]};
        m.legend = fills_entry;
        m.style.colour = fams.colour(t.instance, opt.ground);
        m.style.marker = MarkerShape::HollowDiamond;
        m.style.marker_radius = 4.5f;
        m.style.fit = false;
        m.style.data = false;
        spec.series.push_back(std::move(m));
    }
    return spec;
}

namespace {

// Lines of slope -1/2 and -1 through the points' geometric centre, labelled on the line.
void add_reference_slopes(PlotSpec& spec, const std::vector<double>& xs,
                          const std::vector<double>& ys, Rgba colour) {
    double lx = 0, ly = 0;
    int n = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (xs[i] > 0 && ys[i] > 0) lx += std::log(xs[i]), ly += std::log(ys[i]), ++n;
    }
    if (n == 0) return;
    lx /= n;
    ly /= n;
    const double lo = *std::min_element(xs.begin(), xs.end()) / 4;
    const double hi = *std::max_element(xs.begin(), xs.end()) * 4;
    for (auto [slope, name] :
         {std::pair{-0.5, "slope −1/2 (sampling)"}, std::pair{-1.0, "slope −1 (discrepancy)"}}) {
        Series s;
        s.kind = SeriesKind::Line;
        s.name = name;
        s.x = {lo, hi};
        s.y = {std::exp(ly + slope * (std::log(lo) - lx)),
               std::exp(ly + slope * (std::log(hi) - lx))};
        s.style.colour = fade(colour, slope == -0.5 ? 0.8f : 0.55f);
        s.style.width = 1.2f;
        s.style.fit = false;
        s.style.data = false;
        s.key = "reference slopes";
        s.inline_label = name;
        s.tooltip = slope == -0.5 ? "error ∝ memory^(−1/2): independent sampling"
                                  : "error ∝ memory^(−1): discrepancy (balanced) halving";
        spec.series.push_back(std::move(s));
    }
}

void add_theory(PlotSpec& spec, const Families& fams, const FigureOptions& opt,
                const std::vector<double>& mx, FigureNotes* notes) {
    const bool clip = !opt.theory_full_range && !mx.empty();
    const double lo = clip ? *std::min_element(mx.begin(), mx.end()) / 100 : 0.0;
    const double hi = clip ? *std::max_element(mx.begin(), mx.end()) * 100 : INFINITY;
    int entry = -1;
    for (const auto& c : opt.theory_curves) {
        if (!theory_applies(c.id, opt.y)) {
            if (notes) {
                const TheoryNote* n = theory_note(c.id);
                std::string metrics;
                if (n)
                    for (const auto& m : n->metrics)
                        metrics += (metrics.empty() ? "" : ", ") + m;
                notes->theory_hidden.push_back(theory_short_name(c) + " (bounds " +
                                               (metrics.empty() ? "no known metric" : metrics) +
                                               ")");
            }
            continue;
        }
        Series s;
        s.kind = SeriesKind::Line;
        s.name = theory_short_name(c);
        for (std::size_t k = 0; k < c.memory.size(); ++k) {
            if (c.memory[k] < lo || c.memory[k] > hi) continue;
            s.x.push_back(c.memory[k]);
            s.y.push_back(c.eps[k]);
        }
        if (entry < 0) {
            LegendEntry e;
            e.key = "theory";
            e.text = "theory (constants 1)";
            e.ramp = {opt.neutral};
            e.line = true;
            e.dash = Dash::Dashed;
            e.tooltip =
                "Space bounds drawn as (words needed for eps, eps) at this run's n, d, d_v "
                "and B, constants set to 1; hover a curve for what it bounds. " +
                opt.theory_inputs;
            entry = spec.add_legend(std::move(e));
        }
        s.legend = entry;
        s.style.colour =
            c.instance >= 0 ? fade(fams.colour(c.instance, opt.ground), 0.85f) : opt.neutral;
        s.style.dash = c.upper ? Dash::Dashed : Dash::DashDot;
        s.style.width = 1.3f;
        s.style.fit = false;
        s.style.data = false;
        s.inline_label = theory_short_name(c) + (s.x.empty() ? "" : "");
        s.tooltip = theory_tooltip(c, opt.theory_inputs);
        spec.series.push_back(std::move(s));
    }
}

}  // namespace

PlotSpec final_figure(const RunTable& table, const Families& fams, const FigureOptions& opt,
                      FigureNotes* notes) {
    const int yc = require_numeric(table, opt.y);
    const int xc = require_numeric(table, opt.x);
    PlotSpec spec;
    spec.x = {opt.x, opt.log_x};
    spec.y = {opt.y, opt.log_y};
    const auto rows = rows_by_instance(table);
    std::vector<Trace> points;
    for (std::size_t f = 0; f < fams.families.size(); ++f) {
        for (int inst : fams.families[f].members) {
            const auto it = rows.find(inst);
            if (it == rows.end()) continue;
            const std::size_t last = it->second.back();
            points.push_back({inst,
                              static_cast<int>(f),
                              {table.number(xc, last)},
                              {table.number(yc, last)},
                              0,
                              0});
        }
    }
    std::map<int, std::string> overlap;
    mark_overlaps(points, fams, opt.log_x, opt.log_y, overlap, notes);
    static constexpr MarkerShape kHollow[] = {MarkerShape::Ring, MarkerShape::HollowSquare,
                                              MarkerShape::HollowDiamond, MarkerShape::Cross};
    std::vector<double> all_x, all_y;
    for (std::size_t f = 0; f < fams.families.size(); ++f) {
        const Family& fam = fams.families[f];
        std::vector<const Trace*> mine;
        for (const auto& p : points)
            if (p.family == static_cast<int>(f)) mine.push_back(&p);
        if (mine.empty()) continue;
        if (fam.swept.empty())
            std::stable_sort(mine.begin(), mine.end(),
                             [](const Trace* a, const Trace* b) { return a->x[0] < b->x[0]; });
        LegendEntry e = family_entry(fams, static_cast<int>(f), opt.ground);
        e.marker = fam.marker;
        std::vector<double> fx, fy;
        for (const Trace* p : mine)
            fx.push_back(p->x[0]), fy.push_back(p->y[0]);
        const SlopeFit fit = opt.log_x && opt.log_y ? fit_loglog(fx, fy) : SlopeFit{};
        if (fit.valid && mine.size() >= 2) e.text += "  " + slope_text(fit);
        if (notes && fit.valid) notes->slopes[fam.key] = fit;
        e.text += overlap_suffix(overlap[static_cast<int>(f)]);
        const int entry = spec.add_legend(std::move(e));
        if (mine.size() >= 2) {
            Series line;
            line.kind = SeriesKind::Line;
            line.name = fam.name;
            line.x = fx;
            line.y = fy;
            line.legend = entry;
            line.style.colour = fade(ramp_colour(fam.hue, static_cast<int>(mine.size()) / 2,
                                                 static_cast<int>(mine.size()), opt.ground),
                                     0.8f);
            line.style.width = 1.5f;
            line.style.dash = fam.dash;
            spec.series.push_back(std::move(line));
        }
        for (const Trace* p : mine) {
            Series s;
            s.kind = SeriesKind::Scatter;
            s.name = fams.label(p->instance);
            s.x = p->x;
            s.y = p->y;
            s.legend = entry;
            s.style.colour = fams.colour(p->instance, opt.ground);
            s.style.marker = p->variant > 0 ? kHollow[(p->variant - 1) % 4] : fam.marker;
            s.style.marker_radius =
                p->variant > 0 ? 4.0f + 1.5f * static_cast<float>(p->variant) : 3.5f;
            spec.series.push_back(std::move(s));
            all_x.push_back(p->x[0]);
            all_y.push_back(p->y[0]);
        }
    }
    if (opt.reference_slopes && opt.log_x && opt.log_y && !all_x.empty())
        add_reference_slopes(spec, all_x, all_y, opt.neutral);
    if (opt.theory && opt.x == "memory_floats") add_theory(spec, fams, opt, all_x, notes);
    return spec;
}

}  // namespace kvscope::figure
