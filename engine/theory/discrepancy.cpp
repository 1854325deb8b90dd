#include "theory/discrepancy.hpp"

#include <algorithm>
#include <cmath>

#include "theory/lower_bounds.hpp"

namespace kvscope {

namespace {

constexpr const char* kPaper =
    "Streaming Attention Approximation via Discrepancy Theory (arXiv 2502.07861)";

double polylog(const TheoryInputs& in) {
    if (!in.log_factors) return 1.0;
    const double l = std::log2(std::max(in.n, 2.0));
    return l * l;
}

void add_lower_bound(std::vector<TheoryCurve>& curves) {
    for (auto& c : lower_bound_curves()) {
        if (c.id == "balance_kv_lower") curves.push_back(std::move(c));
    }
}

}  // namespace

std::vector<TheoryCurve> merge_reduce_theory_curves() {
    std::vector<TheoryCurve> curves;
    TheoryCurve up;
    up.id = "merge_reduce_upper";
    up.label = "Merge-and-reduce O(d sqrt(d_v) e^{2B}/eps) (Thm 3.4)";
    up.source = std::string("BalanceKV Thm 3.4, ") + kPaper;
    up.upper = true;
    up.words = [](const TheoryInputs& in) {
        return in.d * std::sqrt(in.d_v) * std::exp(2.0 * in.B) / in.eps * polylog(in);
    };
    curves.push_back(up);
    add_lower_bound(curves);
    return curves;
}

std::vector<TheoryCurve> balance_kv_theory_curves() {
    std::vector<TheoryCurve> curves;
    TheoryCurve up;
    up.id = "balance_kv_upper";
    up.label = "BalanceKV O(d sqrt(d) e^{2B}/eps) (Thm 3.1)";
    up.source = std::string("BalanceKV Thm 3.1, ") + kPaper;
    up.upper = true;
    up.words = [](const TheoryInputs& in) {
        return in.d * std::sqrt(in.d) * std::exp(2.0 * in.B) / in.eps * polylog(in);
    };
    curves.push_back(up);
    add_lower_bound(curves);
    return curves;
}

}  // namespace kvscope
