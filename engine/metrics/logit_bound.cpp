#include "metrics/logit_bound.hpp"

#include <algorithm>

namespace kvscope {

void LogitBound::reset(double beta, const Matrix& probes) {
    in_ = LogitBoundInputs{};
    in_.beta = beta;
    probe_norm_ = 0;
    for (Index i = 0; i < probes.rows(); ++i)
        probe_norm_ = std::max(probe_norm_, static_cast<double>(probes.row(i).norm()));
    in_.query_norm = probe_norm_;
    centre_.resize(0);
    pending_.clear();
}

void LogitBound::fix_centre() {
    centre_ = Eigen::VectorXd::Zero(pending_.front().size());
    for (const auto& k : pending_)
        centre_ += k;
    centre_ /= static_cast<double>(pending_.size());
    in_.centre_tokens = static_cast<Index>(pending_.size());
    in_.key_radius = 0;
    for (const auto& k : pending_)
        in_.key_radius = std::max(in_.key_radius, (k - centre_).norm());
    pending_.clear();
}

void LogitBound::add(const TokenBlock& block) {
    for (Index i = 0; i < block.size(); ++i) {
        in_.query_norm = std::max(in_.query_norm, static_cast<double>(block.queries.row(i).norm()));
        const Eigen::VectorXd k = block.keys.row(i).transpose().cast<double>();
        if (centre_.size() == 0) {
            pending_.push_back(k);
            if (static_cast<Index>(pending_.size()) == kCentreTokens) fix_centre();
        } else {
            in_.key_radius = std::max(in_.key_radius, (k - centre_).norm());
        }
        ++in_.keys_seen;
    }
    // Until c is fixed, R is measured against the mean so far (an estimate the next keys may
    // revise); from kCentreTokens keys on it is exact for the fixed c.
    if (centre_.size() == 0 && !pending_.empty()) {
        Eigen::VectorXd mean = Eigen::VectorXd::Zero(pending_.front().size());
        for (const auto& p : pending_)
            mean += p;
        mean /= static_cast<double>(pending_.size());
        in_.key_radius = 0;
        for (const auto& p : pending_)
            in_.key_radius = std::max(in_.key_radius, (p - mean).norm());
        in_.centre_tokens = static_cast<Index>(pending_.size());
    }
}

}  // namespace kvscope
