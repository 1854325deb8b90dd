// The embedding view's scene builders (scene/embedding_builder.hpp), without ImGui or GL: point
// colours and sizes for every colour mode, stored vectors, the kernel field's entries and
// binning, content keys, the view transform and camera moves, field rebuild timing, hover
// picking, hyperplane traces and captions.
#include "scene/embedding_builder.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace kvscope {
namespace {

using scene::EmbedColour;

// Exact 2-D projection of n points on a line (x = i, y = 0.5 i), norms i.
std::shared_ptr<EmbeddingData> line_data(Index n) {
    auto points = std::make_shared<EmbeddingPoints>(n, 42);
    for (Index i = 0; i < n; ++i) {
        points->xyz[static_cast<std::size_t>(3 * i)] = static_cast<float>(i);
        points->xyz[static_cast<std::size_t>(3 * i + 1)] = 0.5f * static_cast<float>(i);
        points->norms[static_cast<std::size_t>(i)] = static_cast<float>(i);
    }
    auto data = std::make_shared<EmbeddingData>();
    data->points = points;
    data->count = n;
    data->tokens_seen = n;
    data->lo = {0, 0, 0};
    data->hi = {static_cast<float>(n - 1), 0.5f * static_cast<float>(n - 1), 0};
    data->max_norm = static_cast<float>(n - 1);
    data->projection.dim = 2;
    data->projection.k = 2;
    data->projection.exact = true;
    data->projection.mean = Eigen::VectorXd::Zero(2);
    data->projection.basis = Eigen::MatrixXd::Identity(2, 2);
    data->projection.variance = Eigen::VectorXd::Ones(2);
    data->projection.total_variance = 2;
    return data;
}

// Keeps tokens 2 (weight 1) and 5 (weight 4) with tags 1 and 3, plus one stored vector (1, 1).
SketchView two_kept() {
    SketchView v;
    v.subset_of_stream = true;
    v.retained = {{2, 1.0, 1.0, 1}, {5, 4.0, 4.0, 3}, {-1, 2.0, 2.0, 0}};
    v.stored_keys = Matrix::Ones(1, 2);
    return v;
}

TEST(EmbeddingBuilder, RetainedTokensAreColouredAndSizedTheRestEvicted) {
    const auto data = line_data(8);
    const SketchView view = two_kept();
    scene::EmbeddingScene sc;
    scene::PointOptions opt;
    const scene::PointSummary s = scene::build_points(*data, &view, 8, opt, sc);
    ASSERT_EQ(sc.colours.size(), 8u);
    ASSERT_EQ(sc.styles.size(), 16u);
    EXPECT_EQ(sc.colours[0], scene::kEvicted);
    EXPECT_EQ(sc.colours[2], scene::category_colour(0, 0.95f));
    EXPECT_EQ(sc.colours[5], scene::category_colour(0, 0.95f));
    EXPECT_FLOAT_EQ(sc.styles[0], opt.point_size * 0.8f);  // evicted: small, lower layer
    EXPECT_EQ(sc.styles[1], 0.0f);
    EXPECT_EQ(sc.styles[5], 1.0f);
    // Sizes by sqrt(w / mean w), mean over the three kept weights (7/3), clamped to [0.7, 3].
    const double mean = 7.0 / 3.0;
    EXPECT_FLOAT_EQ(sc.styles[4],
                    opt.point_size * static_cast<float>(std::max(0.7, std::sqrt(1 / mean))));
    EXPECT_FLOAT_EQ(sc.styles[10], opt.point_size * static_cast<float>(std::sqrt(4 / mean)));
    EXPECT_EQ(s.weight_lo, 1.0f);
    EXPECT_EQ(s.weight_hi, 4.0f);
    EXPECT_EQ(s.slot_of_token[2], 0);
    EXPECT_EQ(s.slot_of_token[5], 1);
    EXPECT_EQ(s.slot_of_token[0], -1);
    // The stored vector is an extra point at its projection, in the "stored vector" colour.
    ASSERT_EQ(sc.extra_xyz.size(), 3u);
    EXPECT_FLOAT_EQ(sc.extra_xyz[0], 1.0f);
    EXPECT_FLOAT_EQ(sc.extra_xyz[1], 1.0f);
    EXPECT_EQ(sc.extra_colours[0], scene::category_colour(5, 0.95f));
    // Without size by weight every kept point has the same size.
    opt.size_by_weight = false;
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.styles[4], sc.styles[10]);
    // Without a sketch every point is evicted grey and nothing is extra.
    scene::build_points(*data, nullptr, 8, opt, sc);
    EXPECT_EQ(sc.colours[2], scene::kEvicted);
    EXPECT_TRUE(sc.extra_xyz.empty());
}

// Issue 12 item 7: a moment sketch (not a subset of the stream, no tokens) greyed every point
// as evicted; its points are now "summarised", and a sketch's own evictions stay grey.
TEST(EmbeddingBuilder, AMomentSketchSummarisesEveryPointInsteadOfEvictingIt) {
    const auto data = line_data(8);
    SketchView moments;
    moments.subset_of_stream = false;
    scene::EmbeddingScene sc;
    scene::build_points(*data, &moments, 8, scene::PointOptions{}, sc);
    ASSERT_EQ(sc.colours.size(), 8u);
    for (const auto c : sc.colours)
        EXPECT_EQ(c, scene::kSummarised);
    EXPECT_NE(scene::kSummarised, scene::kEvicted);
    scene::build_points(*data, nullptr, 8, scene::PointOptions{}, sc);
    EXPECT_EQ(sc.colours[0], scene::kEvicted);
}

TEST(EmbeddingBuilder, ColourModes) {
    const auto data = line_data(8);
    const SketchView view = two_kept();
    scene::EmbeddingScene sc;
    scene::PointOptions opt;
    opt.colour_by = EmbedColour::Weight;
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.colours[2], scene::viridis(0.0f, 0.95f));  // the lightest kept weight
    EXPECT_EQ(sc.colours[5], scene::viridis(1.0f, 0.95f));  // the heaviest
    opt.colour_by = EmbedColour::Tag;
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.colours[5], scene::category_colour(3, 0.95f));
    opt.colour_by = EmbedColour::KeyNorm;
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.colours[7], scene::viridis(1.0f, 0.8f));  // every token, kept or not
    EXPECT_EQ(sc.colours[0], scene::viridis(0.0f, 0.8f));
    opt.colour_by = EmbedColour::Age;
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.colours[7], scene::viridis(1.0f, 0.8f));
}

TEST(EmbeddingBuilder, BucketsPerStreamTokenOrPerRetainedToken) {
    const auto data = line_data(8);
    SketchView view = two_kept();
    view.retained.pop_back();  // no stored vector
    scene::PointOptions opt;
    opt.colour_by = EmbedColour::Bucket;
    scene::EmbeddingScene sc;
    // One bucket per stream token: every token coloured by its bucket.
    view.buckets = BucketView{};
    view.buckets->bucket_of_token = {0, 1, 2, 3, 4, 5, 6, 7};
    EXPECT_FALSE(scene::buckets_follow_retained(view, 8));
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.colours[0], scene::category_colour(0, 0.55f));
    EXPECT_EQ(sc.colours[5], scene::category_colour(5, 0.55f));
    // One bucket per retained token: the kept tokens take their slot's bucket.
    view.buckets->bucket_of_token = {6, 4};
    EXPECT_TRUE(scene::buckets_follow_retained(view, 8));
    scene::build_points(*data, &view, 8, opt, sc);
    EXPECT_EQ(sc.colours[2], scene::category_colour(6));
    EXPECT_EQ(sc.colours[5], scene::category_colour(4));
    EXPECT_EQ(sc.colours[0], scene::kEvicted);
}

TEST(EmbeddingBuilder, FieldEntriesAreBinnedCellsAndTheSketchsWeightedKeys) {
    const auto data = line_data(1000);
    SketchView view;
    for (Index i = 0; i < 10; ++i)
        view.retained.push_back({i * 100, 2.0, 2.0, 0});
    view.retained.push_back({3, 1.0, 0.0, 0});  // zero den weight: not a field entry
    scene::EmbeddingScene sc;
    EXPECT_FALSE(scene::build_field(*data, &view, sc));
    ASSERT_EQ(sc.field_exact.size() % 4, 0u);
    // The points lie on a diagonal, so at most one cell per column is occupied; the log
    // counts add up to the 1,000 tokens.
    double total = 0;
    for (std::size_t i = 0; i < sc.field_exact.size(); i += 4)
        total += std::exp(sc.field_exact[i + 2]);
    EXPECT_NEAR(total, 1000, 1e-6 * 1000);
    EXPECT_LE(sc.field_exact.size() / 4, static_cast<std::size_t>(scene::kFieldBins));
    ASSERT_EQ(sc.field_sketch.size(), 4u * 10);
    EXPECT_FLOAT_EQ(sc.field_sketch[4 * 3], 300.0f);
    EXPECT_FLOAT_EQ(sc.field_sketch[4 * 3 + 2], std::log(2.0f));
    // More stored keys than kFieldRaw: binned like the cache.
    const auto more = line_data(2 * scene::kFieldRaw);
    SketchView many;
    for (Index i = 0; i < more->count; ++i)
        many.retained.push_back({i, 1.0, 1.0, 0});
    EXPECT_TRUE(scene::build_field(*more, &many, sc));
    EXPECT_EQ(sc.field_sketch, sc.field_exact);
}

TEST(EmbeddingBuilder, ContentKeysChangeWithTheDataAndTheSketchsRevision) {
    const auto data = line_data(8);
    SketchSnapshot s;
    s.revision = 7;
    const scene::ContentKey a = scene::content_key(*data, 8, &s);
    EXPECT_EQ(a, scene::content_key(*data, 8, &s));
    s.revision = 8;
    EXPECT_NE(a, scene::content_key(*data, 8, &s));
    EXPECT_NE(a, scene::content_key(*data, 9, nullptr));
    EXPECT_EQ(scene::content_key(*data, 8, nullptr).sketch_revision, 0u);
}

TEST(EmbeddingBuilder, ViewTransformFitsTheDataAndMatchesTheMvp) {
    const auto data = line_data(11);  // x in [0, 10], y in [0, 5]
    scene::Camera cam;
    const auto v = scene::fit_view(cam, *data, {100, 50}, {400, 300});
    EXPECT_FLOAT_EQ(cam.centre[0], 5.0f);
    EXPECT_FLOAT_EQ(cam.centre[1], 2.5f);
    EXPECT_FLOAT_EQ(v.scale, 0.92f * std::min(400.0f / 10, 300.0f / 5));
    const float centre[3] = {5, 2.5f, 0};
    const auto s = v.screen(centre);
    EXPECT_FLOAT_EQ(s[0], 300);  // the image centre
    EXPECT_FLOAT_EQ(s[1], 200);
    // The renderer's mvp maps a point to the same pixel.
    const float p[3] = {10, 5, 0};
    const auto m = v.mvp();
    const float cx = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
    const float cy = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
    const auto sp = v.screen(p);
    EXPECT_NEAR(100 + (cx * 0.5f + 0.5f) * 400, sp[0], 1e-3);
    EXPECT_NEAR(50 + (0.5f - cy * 0.5f) * 300, sp[1], 1e-3);
    // Zoom about the mouse keeps the point under it; a drag pans; both stop auto-fit.
    const std::array<float, 2> mouse = sp;
    scene::zoom_camera(cam, v, false, 2.0f, mouse);
    EXPECT_FALSE(cam.auto_fit);
    const auto zoomed = scene::fit_view(cam, *data, {100, 50}, {400, 300});
    EXPECT_NEAR(zoomed.screen(p)[0], mouse[0], 1e-3);
    EXPECT_NEAR(zoomed.screen(p)[1], mouse[1], 1e-3);
    const float before = cam.centre[0];
    scene::drag_camera(cam, zoomed, false, 10, 0);
    EXPECT_FLOAT_EQ(cam.centre[0], before - 10 / zoomed.scale);
    // In 3-D a drag orbits (pitch clamped) and the view needs three axes.
    EXPECT_FALSE(scene::shows_three_d(scene::Camera{true}, *data));
    scene::drag_camera(cam, zoomed, true, 0, 1000);
    EXPECT_FLOAT_EQ(cam.pitch, 1.55f);
}

TEST(EmbeddingBuilder, TheFieldIsRebuiltWhenDueAndNotOtherwise) {
    scene::FieldCache c;
    const scene::ContentKey k{1, 10, 10, 3};
    const std::array<float, 4> rect{-1.3f, -1.3f, 1.3f, 1.3f}, visible{-1, -1, 1, 1};
    EXPECT_TRUE(scene::field_due(c, k, 0, rect, visible, true, 0.0, false));  // never built
    c = {k, 1.0, 0, rect, false};
    EXPECT_FALSE(scene::field_due(c, k, 0, rect, visible, true, 1.1, true));  // nothing changed
    EXPECT_TRUE(scene::field_due(c, k, 1, rect, visible, true, 1.1, true));   // another sketch
    scene::ContentKey next = k;
    next.tokens_seen = 20;
    EXPECT_FALSE(scene::field_due(c, next, 0, rect, visible, true, 1.1, true));  // throttled
    EXPECT_TRUE(scene::field_due(c, next, 0, rect, visible, true, 1.3, true));
    // A view the user moved: at once when it leaves the covered rectangle, else throttled.
    const std::array<float, 4> nudged{-1.2f, -1.3f, 1.4f, 1.3f}, nudged_visible{-0.9f, -1, 1.1f, 1};
    EXPECT_FALSE(scene::field_due(c, k, 0, nudged, nudged_visible, false, 1.05, true));
    EXPECT_TRUE(scene::field_due(c, k, 0, nudged, nudged_visible, false, 1.2, true));
    const std::array<float, 4> far{8, 8, 10, 10}, far_visible{8.3f, 8.3f, 9.7f, 9.7f};
    EXPECT_TRUE(scene::field_due(c, k, 0, far, far_visible, false, 1.01, true));
}

TEST(EmbeddingBuilder, NearestPointWithinTenPixelsPreferringStoredVectorsOnlyWhenCloser) {
    const auto data = line_data(11);
    scene::Camera cam;
    const auto v = scene::fit_view(cam, *data, {0, 0}, {400, 300});
    const float p4[3] = {4, 2, 0};
    const auto s4 = v.screen(p4);
    EXPECT_EQ(scene::nearest_point(v, *data, {}, {s4[0] + 3, s4[1]}).token, 4);
    EXPECT_EQ(scene::nearest_point(v, *data, {}, {s4[0], s4[1] + 40}).token, -1);
    const std::vector<float> extra = {4.05f, 2.0f, 0.0f};
    const auto hit = scene::nearest_point(v, *data, extra, v.screen(extra.data()));
    EXPECT_EQ(hit.token, -1);
    EXPECT_EQ(hit.extra, 0);
}

TEST(EmbeddingBuilder, HyperplaneTracesLieOnTheirPlanes) {
    auto data = line_data(4);
    Matrix planes(2, 2);
    planes << 1, 0, 1, 1;  // x = 0 and x + y = 0 (mean 0)
    const float centre[3] = {3, 1, 0};
    const auto segments = scene::hyperplane_segments(planes, data->projection, centre, 50);
    ASSERT_EQ(segments.size(), 2u);
    for (const auto& s : segments) {
        const Eigen::Vector2f h = planes.row(s.index).transpose();
        EXPECT_NEAR(h.dot(Eigen::Vector2f(s.a[0], s.a[1])), 0, 1e-4);
        EXPECT_NEAR(h.dot(Eigen::Vector2f(s.b[0], s.b[1])), 0, 1e-4);
        EXPECT_NEAR(std::hypot(s.a[0] - s.b[0], s.a[1] - s.b[1]), 100, 1e-3);
    }
    EXPECT_TRUE(scene::hyperplane_segments(Matrix::Ones(1, 5), data->projection, centre, 50)
                    .empty());  // another dimension
}

TEST(EmbeddingBuilder, Captions) {
    auto data = line_data(4);
    EXPECT_EQ(scene::projection_caption(*data, false), "exact: d = 2, axes k1, k2");
    data->projection.exact = false;
    data->projection.fitted_on = 2048;
    data->auto_fitting = false;
    EXPECT_EQ(scene::projection_caption(*data, false),
              "PCA of 2048 tokens, 100% of variance, frozen");
}

}  // namespace
}  // namespace kvscope
