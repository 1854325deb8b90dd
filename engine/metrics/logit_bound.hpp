// The logit bound B of the theory curves, measured on the stream itself: B = beta * R * Q with
// R = max ||k - c|| over the keys seen and Q = max ||q|| over the probes and the queries seen.
//
// Softmax is unchanged when every logit of one query moves by the same amount, so shifting all
// keys by a common centre c changes nothing: B bounds the spread of the recentred logits
// |beta <q, k - c>| for any c. We take c = the mean of the first kCentreTokens keys (fixed
// after that, so R is an exact maximum and never has to be recomputed). [R] The papers state B
// for keys in a ball of radius r and queries of norm at most r; the choice of c is ours.
//
// B depends only on the source and the stream (not on which sketches run), so the theory
// curves of one scene agree whatever sketches are loaded.
#pragma once

#include <vector>

#include "core/types.hpp"

namespace kvscope {

struct LogitBoundInputs {
    double beta = 0;
    double key_radius = 0;  ///< R: max ||k - c|| over the keys seen
    double query_norm = 0;  ///< Q: max ||q|| over the probes and the stream's queries
    Index keys_seen = 0;
    Index centre_tokens = 0;  ///< how many keys the centre c is the mean of
    /// beta * R * Q; 0 before any key.
    double B() const { return beta * key_radius * query_norm; }
};

class LogitBound {
  public:
    static constexpr Index kCentreTokens = 256;

    /// Starts over with inverse temperature `beta` and the probe queries `probes` [P x d].
    void reset(double beta, const Matrix& probes);
    /// Takes in one block's keys and queries.
    void add(const TokenBlock& block);
    const LogitBoundInputs& inputs() const { return in_; }

  private:
    void fix_centre();

    LogitBoundInputs in_;
    double probe_norm_ = 0;
    Eigen::VectorXd centre_;
    std::vector<Eigen::VectorXd> pending_;  ///< keys seen before the centre is fixed
};

}  // namespace kvscope
