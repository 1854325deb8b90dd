#include "theory/lower_bounds.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope {

std::vector<TheoryCurve> lower_bound_curves() {
    std::vector<TheoryCurve> curves;
    TheoryCurve bkv;
    bkv.id = "balance_kv_lower";
    bkv.label = "BalanceKV lower bound min{1/eps^2, d e^{2B}}";
    bkv.source =
        "BalanceKV Thm 3.2 (Streaming Attention Approximation via Discrepancy Theory, "
        "arXiv 2502.07861)";
    bkv.upper = false;
    bkv.words = [](const TheoryInputs& in) {
        return std::min(1.0 / (in.eps * in.eps), in.d * std::exp(2.0 * in.B));
    };
    curves.push_back(bkv);

    TheoryCurve ho;
    ho.id = "haris_onak_lower";
    ho.label = "Haris-Onak lower bound d min{n, e^d} (bits)";
    ho.source = "Haris & Onak, COLT'25";
    ho.upper = false;
    ho.reconstruction = true;  // bits drawn as words; their approximation notion not retrieved [R]
    ho.words = [](const TheoryInputs& in) {
        return in.d * std::min(in.n, std::exp(std::min(in.d, 700.0)));
    };
    curves.push_back(ho);
    return curves;
}

}  // namespace kvscope
