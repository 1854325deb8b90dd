#include "figure/theory.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/registry.hpp"
#include "theory/lower_bounds.hpp"

namespace kvscope::figure {

const TheoryNote* theory_note(const std::string& curve_id) {
    static const std::map<std::string, TheoryNote> notes = {
        {"balance_kv_upper",
         {{"eps_fro"},
          "||z - a|| <= eps ||p||_2 ||V||_F for every query (BalanceKV eq. 2, Thm 3.1)",
          "||q||, ||k|| <= r, B = beta r_q r_k; probability >= 1 - 1/poly(n); polylog n as "
          "log2(n)^2 when log factors are on [R]",
          false}},
        {"balance_kv_lower",
         {{"eps_fro"},
          "any streaming sketch meeting eq. (2) needs min{1/eps^2, d e^{2B}} words (Thm 3.2)",
          "r^2 <= d; success probability 0.999",
          false}},
        {"merge_reduce_upper",
         {{"num_err"},
          "||N^ - N|| <= eps j e^{-B} max||v|| <= eps Z max||v||, i.e. num_err <= eps (Thm 3.4, "
          "the numerator before division)",
          "||q||, ||k|| <= r, B = beta r_q r_k; polylog n as log2(n)^2 when on [R]",
          false}},
        {"subgen_upper",
         {{"eps_op"},
          "||z - a|| <= eps ||p||_2 ||V||_op (SubGen's guarantee)",
          "keys (m, delta)-clusterable, here m = 1 and beta delta r = B [R]",
          false}},
        {"taylor_space",
         {{"den_err", "num_err"},
          "every weight within a relative e^{2B} B^{p+1}/(p+1)! of e^{beta<k,q>}, so den_err and "
          "num_err <= eps [R]",
          "|beta<k - c, q>| <= B after recentring; p the least degree reaching eps",
          false}},
        {"hybrid_heuristic",
         {{"eps_fro"},
          "heuristic space for the tight-bounds hybrid; at t = -1 it is BalanceKV's bound, so it "
          "is read in BalanceKV's normalisation [R]",
          "high temperature (small B); the paper's statement was not retrieved",
          true}},
        {"haris_onak_lower",
         {{"eps_fro"},
          "d min{n, e^d} bits for any streaming attention sketch, whatever eps (a vertical line)",
          "their approximation notion was not retrieved; shown with eps_fro [R]; bits drawn as "
          "words [R]",
          true}},
    };
    const auto it = notes.find(curve_id);
    return it == notes.end() ? nullptr : &it->second;
}

bool theory_applies(const std::string& curve_id, const std::string& metric) {
    const TheoryNote* n = theory_note(curve_id);
    if (!n) return false;
    for (const auto& m : n->metrics)
        if (m == metric) return true;
    return false;
}

std::vector<TheoryOverlay> evaluate_theory(
    const std::vector<std::pair<int, std::string>>& instances, TheoryInputs in, double eps_min,
    double eps_max, int points) {
    points = std::max(2, points);
    const double lo = std::max(1e-12, std::min(eps_min, eps_max));
    const double hi = std::max(lo * (1 + 1e-9), eps_max);
    std::vector<TheoryOverlay> out;
    std::set<std::string> seen;
    auto add = [&](const TheoryCurve& c, int instance) {
        if (!c.words || !seen.insert(c.id).second) return;
        TheoryOverlay line;
        line.id = c.id;
        line.label = (c.reconstruction ? "[R] " : "") + c.label;
        line.source = c.source;
        line.upper = c.upper;
        line.reconstruction = c.reconstruction;
        line.instance = instance;
        for (int i = 0; i < points; ++i) {
            in.eps = lo * std::pow(hi / lo, static_cast<double>(i) / (points - 1));
            double w = std::numeric_limits<double>::quiet_NaN();
            try {
                w = c.words(in);
            } catch (const std::exception&) {
            }
            if (std::isfinite(w) && w > 0) {
                line.memory.push_back(w);
                line.eps.push_back(in.eps);
            }
        }
        out.push_back(std::move(line));
    };
    for (const auto& [instance, id] : instances) {
        const SketchInfo* info = builtin_sketches().find(id);
        if (!info) continue;
        for (const auto& c : info->theory)
            add(c, c.upper ? instance : -1);
    }
    for (const auto& c : lower_bound_curves())
        add(c, -1);
    return out;
}

std::string theory_short_name(const TheoryOverlay& curve) {
    std::string name = curve.label;
    const bool r = name.rfind("[R] ", 0) == 0;
    if (r) name = name.substr(4);
    name = name.substr(0, name.find(' '));
    return (r ? "[R] " : "") + name + (curve.upper ? " bound" : " lower bound");
}

std::string theory_tooltip(const TheoryOverlay& curve, const std::string& inputs) {
    std::string t = curve.label + (curve.upper ? "" : "  (lower bound)");
    if (const TheoryNote* n = theory_note(curve.id)) {
        std::string metrics;
        for (const auto& m : n->metrics)
            metrics += (metrics.empty() ? "" : ", ") + m;
        t += "\nbounds: " + metrics + (n->association_reconstructed ? " [R]" : "");
        t += "\n" + n->inequality;
        t += "\nassumes: " + n->assumptions;
    }
    t += "\nconstants set to 1: the curve shows how memory scales, not its level (a point may "
         "sit on either side)";
    if (!curve.source.empty()) t += "\nsource: " + curve.source;
    if (curve.reconstruction) t += "\n[R] the formula is a reconstruction, not a published bound";
    if (!inputs.empty()) t += "\nevaluated at " + inputs;
    return t;
}

}  // namespace kvscope::figure
