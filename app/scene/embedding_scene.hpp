// What the embedding view asks the GL renderer to draw this frame, and what comes back. Plain
// data (no GL, no ImGui), so both the panels (app/ui) and the renderer (app/gfx) include it: the
// panel (app/ui/embedding_panel.cpp, with the builders in scene/embedding_builder.hpp) fills
// EmbeddingScene while ImGui builds the frame; the explorer hands it to gfx::EmbeddingRenderer
// after ImGui::Render(), which answers in EmbeddingOutput.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kvscope::scene {

struct EmbeddingScene {
    bool active = false;        ///< the panel was drawn this frame and wants a texture
    int width = 0, height = 0;  ///< texture size in pixels (the panel's image size)

    // Stream points: rows [0, count) of `xyz` are immutable while `buffer_id` is unchanged, so
    // the renderer uploads only rows it has not uploaded yet (glBufferSubData).
    const float* xyz = nullptr;  ///< [count x 3] centred projected keys
    std::int64_t count = 0;
    std::uint64_t buffer_id = 0;
    /// Per-point style, [count] each, rebuilt when attr_version changes.
    std::vector<std::uint32_t> colours;  ///< RGBA8 (ImU32 layout: R in the low byte)
    std::vector<float> styles;           ///< [count x 2]: diameter in pixels, layer in [0, 1]
    std::uint64_t attr_version = 0;
    /// Extra points drawn above the stream (a sketch's synthetic stored vectors), [m x 3].
    std::vector<float> extra_xyz;
    std::vector<std::uint32_t> extra_colours;
    std::vector<float> extra_styles;

    std::array<float, 16> mvp{};  ///< column-major: centred coordinates -> clip space
    bool three_d = false;         ///< depth from mvp instead of the layer attribute
    float point_scale = 1.0f;
    std::array<float, 4> background{0.10f, 0.10f, 0.11f, 1.0f};
    std::uint64_t view_version = 0;  ///< changes whenever anything above changes

    // Kernel field (2-D only). Entries are (x, y, log weight, 0) quadruples, at most 1,024 per
    // side (the panel bins beyond that).
    bool field = false;
    int field_mode = 0;  ///< 0 exact, 1 sketch, 2 log(sketch / exact)
    std::vector<float> field_exact;
    std::vector<float> field_sketch;
    std::array<float, 4> field_rect{};    ///< x0, y0, x1, y1 in centred coordinates
    std::array<float, 2> field_offset{};  ///< B mean
    float beta = 1.0f;
    int field_resolution = 128;
    float field_alpha = 0.85f;
    std::uint64_t field_version = 0;  ///< changes when entries, rect or beta change
};

struct EmbeddingOutput {
    std::uintptr_t texture = 0;  ///< GL texture name for ImGui::Image (0 until the first render)
    int width = 0, height = 0;
    std::string error;  ///< shader compile/link or framebuffer errors, for the status line
    /// Range of the log field after the last field render (for the colour bar).
    float exact_min = 0, exact_max = 0, sketch_min = 0, sketch_max = 0, diff_absmax = 0;
    bool field_valid = false;
    std::uint64_t field_version = 0;  ///< field_version the ranges belong to
    double render_ms = 0;           ///< CPU time of the last render call (GL work is asynchronous)
    std::int64_t drawn_points = 0;  ///< stream points drawn by the last render
    std::int64_t total_points = 0;  ///< stream points it had (more than drawn when thinned)
};

/// Every GL view's request and answer for one frame; the panels fill the requests, the frame loop
/// renders them after ImGui::Render() and the answers reach the panels on the next frame.
struct Scenes {
    EmbeddingScene embedding;
    EmbeddingOutput embedding_output;
};

}  // namespace kvscope::scene
