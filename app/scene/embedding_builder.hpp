// The embedding view's scene, built from a Snapshot without any GUI: per-point colours and sizes,
// the kernel field's entries, the view transform (fit, zoom, pan, orbit), hover picking, the
// simhash hyperplanes and the captions. app/ui/embedding_panel.cpp calls these with what ImGui
// reports (mouse, image rectangle, time) and draws the result; app/gfx renders the scene. Tested
// in tests/app/scene/embedding_builder_test.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "scene/embedding_scene.hpp"
#include "scene/palette.hpp"
#include "session/runner.hpp"

namespace kvscope::scene {

/// What colours the points of the embedding view.
enum class EmbedColour { Retained, Weight, Tag, Bucket, KeyNorm, Age, Count };

constexpr Rgba kEvicted = rgba(150, 150, 150, 90);  ///< tokens the selected sketch dropped
/// Tokens a sketch that is not a subset of the stream (moments, a summary) folded in: not
/// evicted, only not stored one by one.
constexpr Rgba kSummarised = rgba(110, 150, 200, 120);
constexpr int kFieldBins = 32;    ///< the exact cache's keys are binned to this grid for the field
constexpr int kFieldRaw = 1024;   ///< a sketch with more stored keys than this is binned too
constexpr int kFieldPixels = 64;  ///< field target resolution (bilinear on display; it is smooth)

/// How the stream points are styled.
struct PointOptions {
    EmbedColour colour_by = EmbedColour::Retained;
    bool size_by_weight = true;
    float point_size = 3.0f;  ///< base diameter in pixels
    bool operator==(const PointOptions&) const = default;
};

/// What build_points learns besides the scene: the retained tokens' den weight range (for the
/// colour bar) and, per stream position, the retained slot holding it (-1: not retained).
struct PointSummary {
    float weight_lo = 1, weight_hi = 1;
    std::vector<int> slot_of_token;
};

/// True when the view's BucketView::bucket_of_token lists one bucket per retained token rather
/// than one per stream token (the two alignments sketches use today).
bool buckets_follow_retained(const SketchView& view, Index tokens_seen);

/// Fills scene.colours and scene.styles (one per projected token: grey and small when evicted,
/// coloured by `options` when the sketch retains it) and scene.extra_* (the sketch's synthetic
/// stored vectors, projected with the frozen basis). `view` may be null (no sketch selected).
PointSummary build_points(const EmbeddingData& data, const SketchView* view, Index tokens_seen,
                          const PointOptions& options, EmbeddingScene& scene);

/// Fills scene.field_exact (the stream's keys binned to kFieldBins^2 cells: centroid, log count)
/// and scene.field_sketch (the sketch's stored keys with log den weight, binned the same way
/// beyond kFieldRaw of them) as (x, y, log w, 0) quadruples. Returns true when the sketch's
/// entries were binned.
bool build_field(const EmbeddingData& data, const SketchView* view, EmbeddingScene& scene);

/// What the point colours and the field are built from: equal keys, equal content.
struct ContentKey {
    std::uint64_t buffer_id = 0;  ///< EmbeddingPoints::id
    Index count = 0;              ///< projected rows
    Index tokens_seen = 0;
    std::uint64_t sketch_revision = 0;  ///< SketchSnapshot::revision (0: no sketch)
    bool operator==(const ContentKey&) const = default;
};
ContentKey content_key(const EmbeddingData& data, Index tokens_seen, const SketchSnapshot* sketch);

/// The view of the cloud: auto-fitted until the user zooms or pans; orbit angles in 3-D.
struct Camera {
    bool three_d = false;
    bool auto_fit = true;
    float zoom = 1.0f;                ///< multiplies the fitted scale
    float centre[3] = {0, 0, 0};      ///< centred coordinates at the image centre
    float yaw = 0.6f, pitch = 0.35f;  ///< 3-D orbit (radians)
};

/// Centred projected coordinates -> screen pixels (and depth): the map the renderer uses too.
struct ViewTransform {
    float r[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    float c[3] = {0, 0, 0};
    float scale = 1;                    ///< pixels per unit
    float depth = 1;                    ///< units mapped to clip z = +-1
    std::array<float, 2> origin{0, 0};  ///< screen position of the image's top-left
    std::array<float, 2> size{1, 1};    ///< image size in pixels

    std::array<float, 2> screen(const float* p) const;
    /// Column-major: centred coordinates -> clip space.
    std::array<float, 16> mvp() const;
};

/// True when the camera shows three axes (3-D asked for and the projection has them).
bool shows_three_d(const Camera& camera, const EmbeddingData& data);
/// The transform for an image of `size` pixels at `origin`; an auto-fitting camera is first
/// centred on the data with zoom 1.
ViewTransform fit_view(Camera& camera, const EmbeddingData& data, std::array<float, 2> origin,
                       std::array<float, 2> size);
/// Wheel zoom by 1.15^wheel; in 2-D about the mouse (the point under it stays put).
void zoom_camera(Camera& camera, const ViewTransform& view, bool three_d, float wheel,
                 std::array<float, 2> mouse);
/// A left drag of (dx, dy) pixels: pans in 2-D, orbits in 3-D.
void drag_camera(Camera& camera, const ViewTransform& view, bool three_d, float dx, float dy);

/// The rectangle (x0, y0, x1, y1, centred coordinates) the image shows, widened by `margin`.
std::array<float, 4> view_rect(const ViewTransform& view, const Camera& camera, float margin);

/// When the kernel field was last built, and from what.
struct FieldCache {
    ContentKey content;
    double built_at = -1;  ///< time of the last build (seconds)
    int sketch = -1;       ///< selected sketch index it was built for
    std::array<float, 4> rect{};
    bool sketch_binned = false;
};
/// Whether the field must be rebuilt now for `content`, `sketch` and `rect` (1.3x the view).
/// Data changes (and an auto-fitted view following them) wait for a 0.25 s throttle; another
/// sketch rebuilds at once; a view the user moved rebuilds at once when it leaves the covered
/// rectangle, else at most about seven times a second.
bool field_due(const FieldCache& cache, const ContentKey& content, int sketch,
               const std::array<float, 4>& rect, const std::array<float, 4>& visible, bool auto_fit,
               double now, bool built_before);

/// The stream token or stored vector nearest to `mouse` on screen within `radius` pixels.
struct Hit {
    Index token = -1;  ///< stream position, or -1
    int extra = -1;    ///< index into the scene's extra points, or -1
};
Hit nearest_point(const ViewTransform& view, const EmbeddingData& data,
                  const std::vector<float>& extra_xyz, std::array<float, 2> mouse,
                  float radius = 10.0f);

/// A line in centred coordinates: the trace of simhash hyperplane `index` in the projection
/// plane, from a to b (long enough to cross any view of `span` units around the centre).
struct Segment {
    std::array<float, 3> a{}, b{};
    int index = 0;
};
/// The traces {x : <B h, x> + <h, mean> = 0} of each hyperplane row h [r x d] (2-D only; empty
/// when the dimensions do not match the projection).
std::vector<Segment> hyperplane_segments(const Matrix& hyperplanes, const Projection& projection,
                                         const float centre[3], float span);

/// "exact: d = 2, ..." or "PCA of n tokens, x% of variance, fitting|frozen".
std::string projection_caption(const EmbeddingData& data, bool three_d);

}  // namespace kvscope::scene
