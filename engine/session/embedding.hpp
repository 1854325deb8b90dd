// Projected keys of the stream for the explorer's embedding view, maintained incrementally by
// the Runner and shared by its snapshots (never copied per frame).
//
// The basis is fitted by PCA (metrics/projection.hpp) on the first tokens: refitted
// automatically at 64, 128, ... tokens until kFitTokens, then frozen, so points stay put while
// the stream runs. A RefitProjection command refits on up to kFitSample tokens spread evenly over
// the stream and reprojects everything. Only new tokens are projected otherwise.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "metrics/projection.hpp"

namespace kvscope {

class Session;

/// Append-only storage of projected stream keys. Its capacity is fixed at construction, and the
/// writer (the Runner's worker) only ever fills rows beyond the count of every EmbeddingData it
/// has published, so rows [0, count) seen through a snapshot never change.
struct EmbeddingPoints {
    explicit EmbeddingPoints(Index capacity_rows, std::uint64_t buffer_id);
    Index capacity = 0;
    std::uint64_t id = 0;      ///< unique per buffer: a refit or a reset makes a new one
    std::vector<float> xyz;    ///< [capacity x 3], centred projected coordinates
    std::vector<float> norms;  ///< [capacity], ||k||
};

/// What a snapshot shows of the embedding: immutable once published.
struct EmbeddingData {
    Projection projection;
    std::shared_ptr<const EmbeddingPoints> points;  ///< null before the first token
    Index count = 0;        ///< valid rows in points: min(tokens_seen, kMaxPoints)
    Index tokens_seen = 0;  ///< tokens in the stream (may exceed count)
    std::array<float, 3> lo{0, 0, 0}, hi{0, 0, 0};  ///< bounding box of rows [0, count)
    float max_norm = 0;                             ///< largest ||k|| among them
    std::vector<float> probes;                      ///< [P x 3] probe queries, centred
    std::array<float, 3> query{0, 0, 0};  ///< current (newest) stream query as a direction B q
    float query_norm = 0;                 ///< ||q||
    bool has_query = false;
    bool auto_fitting = true;         ///< the basis will still be refitted as tokens arrive
    std::uint64_t basis_version = 0;  ///< changes with every fit

    /// Row i of the projected keys.
    const float* point(Index i) const { return points->xyz.data() + 3 * i; }
};

class EmbeddingTracker {
  public:
    static constexpr Index kMaxPoints = 200'000;  ///< tokens projected (the view's cap)
    static constexpr Index kFitTokens = 4'096;    ///< automatic refits stop here
    static constexpr Index kFitSample = 8'192;    ///< rows a manual refit uses at most

    /// Forgets everything (a new session, a reset).
    void reset();
    /// The next update refits the basis on the whole stream (sampled) and reprojects.
    void request_refit() { refit_requested_ = true; }
    /// Brings the projection up to date with `session` and returns the data to publish: the
    /// previous pointer when nothing changed.
    std::shared_ptr<const EmbeddingData> update(const Session& session);

  private:
    void fit(const Session& session, Index n);

    std::shared_ptr<EmbeddingPoints> points_;
    std::shared_ptr<const EmbeddingData> last_;
    Projection projection_;
    std::vector<float> probes_;
    Index count_ = 0;
    Index next_auto_fit_ = 64;
    std::array<float, 3> lo_{0, 0, 0}, hi_{0, 0, 0};
    float max_norm_ = 0;
    bool refit_requested_ = false;
    std::uint64_t basis_version_ = 0;
    std::uint64_t next_buffer_id_ = 1;
};

}  // namespace kvscope
