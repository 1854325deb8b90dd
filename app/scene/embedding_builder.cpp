#include "scene/embedding_builder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kvscope::scene {

namespace {

double finite_or(double v, double fallback) {
    return std::isfinite(v) ? v : fallback;
}

// Weighted points binned to a kFieldBins^2 grid over the data's bounding box: one entry per
// non-empty cell, at the cell's weighted centroid with the cell's total weight. This keeps the
// field shader's loop at most kFieldBins^2 long; it is exact to first order inside a cell
// (sum w e^{beta <p, x>} ~ W e^{beta <centroid, x>}) and labelled as binned in the view.
class FieldBinner {
  public:
    explicit FieldBinner(const EmbeddingData& data)
        : x0_(data.lo[0]),
          y0_(data.lo[1]),
          wx_(std::max(1e-9f, data.hi[0] - data.lo[0])),
          wy_(std::max(1e-9f, data.hi[1] - data.lo[1])),
          sx_(kFieldBins * kFieldBins, 0.0),
          sy_(sx_.size(), 0.0),
          w_(sx_.size(), 0.0) {}
    void add(float x, float y, double w) {
        const int bx =
            std::clamp(static_cast<int>((x - x0_) / wx_ * kFieldBins), 0, kFieldBins - 1);
        const int by =
            std::clamp(static_cast<int>((y - y0_) / wy_ * kFieldBins), 0, kFieldBins - 1);
        const auto b = static_cast<std::size_t>(by * kFieldBins + bx);
        sx_[b] += w * x;
        sy_[b] += w * y;
        w_[b] += w;
    }
    void emit(std::vector<float>& out) const {
        for (std::size_t b = 0; b < w_.size(); ++b) {
            if (!(w_[b] > 0)) continue;
            out.insert(out.end(),
                       {static_cast<float>(sx_[b] / w_[b]), static_cast<float>(sy_[b] / w_[b]),
                        static_cast<float>(std::log(w_[b])), 0.0f});
        }
    }

  private:
    float x0_, y0_, wx_, wy_;
    std::vector<double> sx_, sy_, w_;
};

// Colour and size rules for retained tokens, from the den weights of the retained set.
class RetainedStyle {
  public:
    RetainedStyle(const SketchView& view, Index tokens_seen, const PointOptions& options)
        : options_(options) {
        double wmin = 1e300, wmax = 0, wsum = 0;
        for (const auto& t : view.retained) {
            const double w = std::abs(t.weight_den);
            if (w > 0 && std::isfinite(w)) {
                wmin = std::min(wmin, w);
                wmax = std::max(wmax, w);
                wsum += w;
                ++count_;
            }
        }
        mean_ = count_ > 0 ? wsum / count_ : 1.0;
        lo_ = static_cast<float>(count_ > 0 ? wmin : 1.0);
        hi_ = static_cast<float>(count_ > 0 ? wmax : 1.0);
        log_lo_ = std::log(std::max(1e-300, static_cast<double>(lo_)));
        log_span_ = std::max(1e-9, std::log(std::max(1e-300, wmax)) - log_lo_);
        if (view.buckets && buckets_follow_retained(view, tokens_seen))
            slot_buckets_ = &view.buckets->bucket_of_token;
    }
    float lo() const { return lo_; }
    float hi() const { return hi_; }

    void style(const RetainedToken& t, float* st) const {
        const double w = std::abs(t.weight_den);
        const float base = options_.point_size;
        float size = base * 1.3f;
        if (options_.size_by_weight && count_ > 0 && w > 0 && std::isfinite(w))
            size = base * std::clamp(static_cast<float>(std::sqrt(w / mean_)), 0.7f, 3.0f);
        st[0] = size;
        st[1] = 1.0f;
    }
    Rgba colour(const RetainedToken& t, int slot) const {
        switch (options_.colour_by) {
            case EmbedColour::Weight: {
                const double w = std::abs(t.weight_den);
                const double u = w > 0 ? (std::log(w) - log_lo_) / log_span_ : 0.0;
                return viridis(static_cast<float>(finite_or(u, 0.0)), 0.95f);
            }
            case EmbedColour::Tag:
                return category_colour(t.tag, 0.95f);
            case EmbedColour::Bucket:
                if (slot_buckets_)
                    return category_colour((*slot_buckets_)[static_cast<std::size_t>(slot)]);
                return category_colour(0, 0.95f);
            default:
                return category_colour(0, 0.95f);
        }
    }

  private:
    PointOptions options_;
    int count_ = 0;
    double mean_ = 1, log_lo_ = 0, log_span_ = 1;
    float lo_ = 1, hi_ = 1;
    const std::vector<int>* slot_buckets_ = nullptr;
};

// Every stream point before the sketch is looked at: evicted grey, or coloured by a property of
// the token itself (norm, index, per-token bucket).
void style_stream_points(const EmbeddingData& data, const SketchView* view, Index tokens_seen,
                         const PointOptions& options, EmbeddingScene& scene) {
    const Index n = data.count;
    const std::vector<int>* token_buckets =
        view && view->buckets && !buckets_follow_retained(*view, tokens_seen)
            ? &view->buckets->bucket_of_token
            : nullptr;
    for (Index i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        float* st = &scene.styles[2 * k];
        st[0] = options.point_size * 0.8f;
        st[1] = 0.0f;
        if (options.colour_by == EmbedColour::KeyNorm) {
            scene.colours[k] =
                viridis(data.points->norms[k] / std::max(1e-12f, data.max_norm), 0.8f);
        } else if (options.colour_by == EmbedColour::Age) {
            scene.colours[k] = viridis(
                static_cast<float>(i) / static_cast<float>(std::max<Index>(1, n - 1)), 0.8f);
        } else if (options.colour_by == EmbedColour::Bucket && token_buckets &&
                   k < token_buckets->size()) {
            scene.colours[k] = category_colour((*token_buckets)[k], 0.55f);
        }
    }
}

// True when the colour of a retained stream token comes from the token (norm, index, per-token
// bucket) rather than from the sketch.
bool colour_from_token(const SketchView& view, Index tokens_seen, EmbedColour by) {
    return by == EmbedColour::KeyNorm || by == EmbedColour::Age ||
           (by == EmbedColour::Bucket && view.buckets &&
            !buckets_follow_retained(view, tokens_seen));
}

}  // namespace

bool buckets_follow_retained(const SketchView& view, Index tokens_seen) {
    if (!view.buckets) return false;
    const std::size_t n = view.buckets->bucket_of_token.size();
    return n == view.retained.size() && n != static_cast<std::size_t>(tokens_seen);
}

PointSummary build_points(const EmbeddingData& data, const SketchView* view, Index tokens_seen,
                          const PointOptions& options, EmbeddingScene& scene) {
    const Index n = data.count;
    // A summary sketch (Taylor moments, buckets of moments) dropped nothing it did not store.
    scene.colours.assign(static_cast<std::size_t>(n),
                         view && !view->subset_of_stream ? kSummarised : kEvicted);
    scene.styles.assign(static_cast<std::size_t>(2 * n), 0.0f);
    scene.extra_xyz.clear();
    scene.extra_colours.clear();
    scene.extra_styles.clear();
    PointSummary summary;
    summary.slot_of_token.assign(static_cast<std::size_t>(n), -1);
    style_stream_points(data, view, tokens_seen, options, scene);
    if (!view) return summary;
    const RetainedStyle rule(*view, tokens_seen, options);
    summary.weight_lo = rule.lo();
    summary.weight_hi = rule.hi();
    const bool token_colours = colour_from_token(*view, tokens_seen, options.colour_by);
    const Projection& proj = data.projection;
    Index stored_row = 0;
    for (std::size_t i = 0; i < view->retained.size(); ++i) {
        const auto& t = view->retained[i];
        const int slot = static_cast<int>(i);
        if (t.position >= 0) {
            if (t.position >= n) continue;
            const auto k = static_cast<std::size_t>(t.position);
            summary.slot_of_token[k] = slot;
            rule.style(t, &scene.styles[2 * k]);
            if (!token_colours) scene.colours[k] = rule.colour(t, slot);
        } else if (stored_row < view->stored_keys.rows() && view->stored_keys.cols() == proj.dim &&
                   proj.valid()) {
            // A synthetic stored vector: projected here with the frozen basis (cheap: m x d x k).
            const Eigen::VectorXf row = view->stored_keys.row(stored_row).transpose();
            const auto p = project_point(proj, row);
            scene.extra_xyz.insert(scene.extra_xyz.end(), p.begin(), p.end());
            scene.extra_colours.push_back(options.colour_by == EmbedColour::Retained
                                              ? category_colour(5, 0.95f)
                                              : rule.colour(t, slot));
            float st[2];
            rule.style(t, st);
            scene.extra_styles.push_back(st[0]);
            scene.extra_styles.push_back(1.0f);
            ++stored_row;
        }
    }
    return summary;
}

bool build_field(const EmbeddingData& data, const SketchView* view, EmbeddingScene& scene) {
    scene.field_exact.clear();
    scene.field_sketch.clear();
    const Index n = data.count;
    FieldBinner exact(data);
    for (Index i = 0; i < n; ++i)
        exact.add(data.point(i)[0], data.point(i)[1], 1.0);
    exact.emit(scene.field_exact);
    if (!view) return false;
    Index stored_row = 0;
    for (const auto& t : view->retained) {
        std::array<float, 3> p{};
        if (t.position >= 0) {
            if (t.position >= n) continue;
            const float* q = data.point(t.position);
            p = {q[0], q[1], q[2]};
        } else {
            if (stored_row >= view->stored_keys.rows() ||
                view->stored_keys.cols() != data.projection.dim)
                continue;
            const Eigen::VectorXf row = view->stored_keys.row(stored_row++).transpose();
            p = project_point(data.projection, row);
        }
        if (!(t.weight_den > 0) || !std::isfinite(t.weight_den)) continue;
        scene.field_sketch.insert(scene.field_sketch.end(),
                                  {p[0], p[1], static_cast<float>(std::log(t.weight_den)), 0.0f});
    }
    if (scene.field_sketch.size() <= 4 * static_cast<std::size_t>(kFieldRaw)) return false;
    FieldBinner binned(data);
    for (std::size_t i = 0; i < scene.field_sketch.size(); i += 4)
        binned.add(scene.field_sketch[i], scene.field_sketch[i + 1],
                   std::exp(scene.field_sketch[i + 2]));
    scene.field_sketch.clear();
    binned.emit(scene.field_sketch);
    return true;
}

ContentKey content_key(const EmbeddingData& data, Index tokens_seen, const SketchSnapshot* sketch) {
    ContentKey key;
    key.buffer_id = data.points ? data.points->id : 0;
    key.count = data.count;
    key.tokens_seen = tokens_seen;
    key.sketch_revision = sketch ? sketch->revision : 0;
    return key;
}

std::array<float, 2> ViewTransform::screen(const float* p) const {
    const float d[3] = {p[0] - c[0], p[1] - c[1], p[2] - c[2]};
    float v[2];
    for (int i = 0; i < 2; ++i)
        v[i] = r[i][0] * d[0] + r[i][1] * d[1] + r[i][2] * d[2];
    return {origin[0] + 0.5f * size[0] + v[0] * scale, origin[1] + 0.5f * size[1] - v[1] * scale};
}

std::array<float, 16> ViewTransform::mvp() const {
    std::array<float, 16> m{};
    const float row_scale[3] = {2 * scale / size[0], 2 * scale / size[1], -1 / depth};
    for (int i = 0; i < 3; ++i) {
        float t = 0;
        for (int j = 0; j < 3; ++j) {
            m[static_cast<std::size_t>(4 * j + i)] = row_scale[i] * r[i][j];
            t -= row_scale[i] * r[i][j] * c[j];
        }
        m[static_cast<std::size_t>(12 + i)] = t;
    }
    m[15] = 1;
    return m;
}

bool shows_three_d(const Camera& camera, const EmbeddingData& data) {
    return camera.three_d && data.projection.k >= 3;
}

ViewTransform fit_view(Camera& camera, const EmbeddingData& data, std::array<float, 2> origin,
                       std::array<float, 2> size) {
    ViewTransform v;
    v.origin = origin;
    v.size = size;
    const bool three = shows_three_d(camera, data);
    if (three) {
        const float cy = std::cos(camera.yaw), sy = std::sin(camera.yaw),
                    cp = std::cos(camera.pitch), sp = std::sin(camera.pitch);
        // R = Rx(pitch) * Ry(yaw)
        const float r[3][3] = {{cy, 0, sy}, {sp * sy, cp, -sp * cy}, {-cp * sy, sp, cp * cy}};
        std::copy(&r[0][0], &r[0][0] + 9, &v.r[0][0]);
    }
    float ext[3];
    for (std::size_t i = 0; i < 3; ++i)
        ext[i] = std::max(1e-6f, data.hi[i] - data.lo[i]);
    if (camera.auto_fit) {
        for (std::size_t i = 0; i < 3; ++i)
            camera.centre[i] = 0.5f * (data.lo[i] + data.hi[i]);
        if (!three) camera.centre[2] = 0;
        camera.zoom = 1;
    }
    const float diag = std::sqrt(ext[0] * ext[0] + ext[1] * ext[1] + (three ? ext[2] * ext[2] : 0));
    // 3-D: the largest extent, with room for the corners a rotation brings in view.
    const float fit_scale =
        three ? 0.92f * std::min(size[0], size[1]) / (1.2f * std::max({ext[0], ext[1], ext[2]}))
              : 0.92f * std::min(size[0] / ext[0], size[1] / ext[1]);
    v.scale = fit_scale * camera.zoom;
    v.depth = std::max(1e-6f, diag);
    std::copy(camera.centre, camera.centre + 3, v.c);
    return v;
}

void zoom_camera(Camera& camera, const ViewTransform& view, bool three_d, float wheel,
                 std::array<float, 2> mouse) {
    const float f = std::pow(1.15f, wheel);
    if (!three_d) {
        const float mx = (mouse[0] - view.origin[0] - 0.5f * view.size[0]) / view.scale;
        const float my = -(mouse[1] - view.origin[1] - 0.5f * view.size[1]) / view.scale;
        camera.centre[0] += mx * (1 - 1 / f);
        camera.centre[1] += my * (1 - 1 / f);
    }
    camera.auto_fit = false;
    camera.zoom *= f;
}

void drag_camera(Camera& camera, const ViewTransform& view, bool three_d, float dx, float dy) {
    if (three_d) {
        camera.yaw += dx * 0.01f;
        camera.pitch = std::clamp(camera.pitch + dy * 0.01f, -1.55f, 1.55f);
    } else {
        camera.auto_fit = false;
        camera.centre[0] -= dx / view.scale;
        camera.centre[1] += dy / view.scale;
    }
}

std::array<float, 4> view_rect(const ViewTransform& view, const Camera& camera, float margin) {
    const float hx = margin * 0.5f * view.size[0] / view.scale;
    const float hy = margin * 0.5f * view.size[1] / view.scale;
    return {camera.centre[0] - hx, camera.centre[1] - hy, camera.centre[0] + hx,
            camera.centre[1] + hy};
}

bool field_due(const FieldCache& cache, const ContentKey& content, int sketch,
               const std::array<float, 4>& rect, const std::array<float, 4>& visible, bool auto_fit,
               double now, bool built_before) {
    const auto& built = cache.rect;
    const bool covered = visible[0] >= built[0] && visible[1] >= built[1] &&
                         visible[2] <= built[2] && visible[3] <= built[3];
    // The renderer places the field at the rectangle it was built for, so a throttled field
    // still lines up.
    const bool throttled = now - cache.built_at < 0.25;
    const bool data_changed = cache.content != content || (rect != built && auto_fit);
    const bool user_moved =
        rect != built && !auto_fit && (!covered || now - cache.built_at >= 0.15);
    return (data_changed && !throttled) || user_moved || sketch != cache.sketch || !built_before;
}

Hit nearest_point(const ViewTransform& view, const EmbeddingData& data,
                  const std::vector<float>& extra_xyz, std::array<float, 2> mouse, float radius) {
    Hit hit;
    float best = radius * radius;
    auto consider = [&](const float* p) {
        const auto s = view.screen(p);
        const float d =
            (s[0] - mouse[0]) * (s[0] - mouse[0]) + (s[1] - mouse[1]) * (s[1] - mouse[1]);
        if (!(d < best)) return false;
        best = d;
        return true;
    };
    for (Index i = 0; i < data.count; ++i)
        if (consider(data.point(i))) hit.token = i;
    for (std::size_t j = 0; j * 3 + 2 < extra_xyz.size(); ++j) {
        if (consider(&extra_xyz[3 * j])) {
            hit.token = -1;
            hit.extra = static_cast<int>(j);
        }
    }
    return hit;
}

std::vector<Segment> hyperplane_segments(const Matrix& hyperplanes, const Projection& projection,
                                         const float centre[3], float span) {
    std::vector<Segment> out;
    if (hyperplanes.cols() != projection.dim || !projection.valid()) return out;
    for (Index r = 0; r < hyperplanes.rows(); ++r) {
        const Eigen::VectorXd h = hyperplanes.row(r).transpose().cast<double>();
        const Eigen::VectorXd a = projection.basis * h;
        const double b = h.dot(projection.mean);
        const double ax = a[0], ay = projection.k > 1 ? a[1] : 0.0;
        const double norm = std::hypot(ax, ay);
        if (norm < 1e-12) continue;
        // Closest point to the view centre, then +- a long direction along the line.
        const double t = -(b + ax * centre[0] + ay * centre[1]) / (norm * norm);
        const double px = centre[0] + t * ax, py = centre[1] + t * ay;
        Segment s;
        s.index = static_cast<int>(r);
        s.a = {static_cast<float>(px - span * ay / norm), static_cast<float>(py + span * ax / norm),
               0};
        s.b = {static_cast<float>(px + span * ay / norm), static_cast<float>(py - span * ax / norm),
               0};
        out.push_back(s);
    }
    return out;
}

std::string projection_caption(const EmbeddingData& data, bool three_d) {
    if (data.projection.exact) return "exact: d = 2, axes k1, k2";
    double shown = 0;
    for (int i = 0; i < std::min(data.projection.k, three_d ? 3 : 2); ++i)
        shown += data.projection.variance[i];
    char caption[160];
    std::snprintf(caption, sizeof caption, "PCA%s of %lld tokens, %.0f%% of variance%s",
                  three_d ? " (3 axes)" : "", static_cast<long long>(data.projection.fitted_on),
                  100.0 * shown / std::max(1e-300, data.projection.total_variance),
                  data.auto_fitting ? ", fitting" : ", frozen");
    return caption;
}

}  // namespace kvscope::scene
