#include "session/embedding.hpp"

#include <algorithm>
#include <cmath>

#include "session/session.hpp"

namespace kvscope {

EmbeddingPoints::EmbeddingPoints(Index capacity_rows, std::uint64_t buffer_id)
    : capacity(capacity_rows),
      id(buffer_id),
      xyz(static_cast<std::size_t>(3 * capacity_rows)),
      norms(static_cast<std::size_t>(capacity_rows)) {}

void EmbeddingTracker::reset() {
    points_.reset();
    last_.reset();
    projection_ = Projection{};
    probes_.clear();
    count_ = 0;
    next_auto_fit_ = 64;
    max_norm_ = 0;
    refit_requested_ = false;
}

void EmbeddingTracker::fit(const Session& session, Index n) {
    const auto keys = session.reference().keys();
    const int k = std::min(3, session.dim());
    if (n <= kFitSample) {
        projection_ = fit_pca(keys.topRows(n), k);
    } else {
        Matrix sample(kFitSample, keys.cols());
        for (Index i = 0; i < kFitSample; ++i)
            sample.row(i) = keys.row(i * n / kFitSample);
        projection_ = fit_pca(sample, k);
        projection_.fitted_on = n;
    }
    ++basis_version_;
    // Reproject everything into a fresh buffer (snapshots keep the old one alive).
    const Index capacity =
        std::min(kMaxPoints, std::max<Index>(session.tokens_target(), std::max<Index>(n, 1)));
    points_ = std::make_shared<EmbeddingPoints>(capacity, next_buffer_id_++);
    count_ = 0;
    max_norm_ = 0;
    const Matrix& probes = session.probes();
    probes_.assign(static_cast<std::size_t>(3 * probes.rows()), 0.0f);
    if (probes.rows() > 0 && probes.cols() == projection_.dim)
        project_rows(projection_, probes, probes_.data());
}

std::shared_ptr<const EmbeddingData> EmbeddingTracker::update(const Session& session) {
    const Index n = session.tokens_seen();
    // Rows of a stream that was reset are gone; after a seek back they are still stored (and
    // projected), and the view shows the prefix [0, n) of them with the live bounding box.
    if (session.tokens_recorded() < count_ ||
        (projection_.valid() && projection_.dim != session.dim()))
        reset();
    if (n == 0) {
        if (!last_) last_ = std::make_shared<EmbeddingData>();
        return last_;
    }
    bool changed = false;
    const bool auto_fit = !projection_.exact && next_auto_fit_ <= kFitTokens;
    if (!projection_.valid() || refit_requested_ || (auto_fit && n >= next_auto_fit_)) {
        fit(session, n);
        if (!refit_requested_) {
            while (next_auto_fit_ <= n)
                next_auto_fit_ *= 2;
        } else {
            next_auto_fit_ = kFitTokens + 1;  // a manual fit freezes the basis
        }
        refit_requested_ = false;
        changed = true;
    }
    const Index target = std::min(n, points_->capacity);
    if (target > count_) {
        const auto keys = session.reference().keys();
        const Index rows = target - count_;
        float* out = points_->xyz.data() + 3 * count_;
        project_rows(projection_, keys.middleRows(count_, rows), out);
        if (count_ == 0) {
            lo_ = {out[0], out[1], out[2]};
            hi_ = lo_;
        }
        for (Index r = 0; r < rows; ++r) {
            for (std::size_t c = 0; c < 3; ++c) {
                lo_[c] = std::min(lo_[c], out[3 * r + static_cast<Index>(c)]);
                hi_[c] = std::max(hi_[c], out[3 * r + static_cast<Index>(c)]);
            }
            const float norm = keys.row(count_ + r).norm();
            points_->norms[static_cast<std::size_t>(count_ + r)] = norm;
            max_norm_ = std::max(max_norm_, norm);
        }
        count_ = target;
        changed = true;
    }
    if (!changed && last_ && last_->tokens_seen == n) return last_;

    auto data = std::make_shared<EmbeddingData>();
    data->projection = projection_;
    data->points = points_;
    data->count = std::min(count_, target);
    data->tokens_seen = n;
    data->lo = lo_;
    data->hi = hi_;
    data->max_norm = max_norm_;
    data->probes = probes_;
    const auto queries = session.queries();
    if (queries.rows() > 0) {
        const Eigen::VectorXf q = queries.row(queries.rows() - 1).transpose();
        data->query = project_direction(projection_, q);
        data->query_norm = q.norm();
        data->has_query = std::isfinite(data->query_norm);
    }
    data->auto_fitting = !projection_.exact && next_auto_fit_ <= kFitTokens;
    data->basis_version = basis_version_;
    last_ = data;
    return last_;
}

}  // namespace kvscope
