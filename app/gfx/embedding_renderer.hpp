// GL side of the embedding view: our own shaders (shaders/, embedded at build time) drawing the
// projected keys from our own VBOs into an offscreen texture the panel shows with ImGui::Image.
//
// Stream points live in one VBO of positions, grown geometrically and updated in place
// (glBufferSubData of the new rows only), plus one VBO of per-point colour and style, rewritten
// only when the panel's attribute version changes. The kernel field is rendered by field.frag
// into a small RG32F target (entries in two uniform blocks of at most 1,024 each), only when its
// entries, rectangle or resolution change, and mapped to
// colour under the points by field_display.frag. Errors (shader compile/link, incomplete
// framebuffer) are reported in scene::EmbeddingOutput::error; nothing throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scene/embedding_scene.hpp"

namespace kvscope::gfx {

class EmbeddingRenderer {
  public:
    EmbeddingRenderer() = default;
    ~EmbeddingRenderer();
    EmbeddingRenderer(const EmbeddingRenderer&) = delete;
    EmbeddingRenderer& operator=(const EmbeddingRenderer&) = delete;

    /// Renders `scene` into the texture (needs a current GL 3.3 core context). Call after
    /// ImGui::Render() and before the ImGui draw data is rendered. Restores the default
    /// framebuffer; the ImGui backend sets the rest of its state itself.
    void render(const scene::EmbeddingScene& scene, scene::EmbeddingOutput& out);

  private:
    bool init(std::string& error);
    void ensure_target(int w, int h);
    void upload_points(const scene::EmbeddingScene& scene);
    void render_field(const scene::EmbeddingScene& scene, scene::EmbeddingOutput& out);
    /// Screen-space thinning for large clouds: llvmpipe spends about half a microsecond per
    /// point on vertex work and setup whatever its size, so above 30,000 points only the top
    /// point of each 2x2-pixel cell is drawn (through an index buffer). Points are 3 px wide,
    /// so what is dropped lies under a drawn point of equal or higher priority.
    bool thin_points(const scene::EmbeddingScene& scene, std::int64_t n, int w, int h);
    /// True when the texture already shows this scene at w x h (else remembers it).
    bool unchanged(const scene::EmbeddingScene& scene, int w, int h,
                   const scene::EmbeddingOutput& out);
    void draw_field_layer(const scene::EmbeddingScene& scene);
    void draw_point_layer(const scene::EmbeddingScene& scene, int w, int h,
                          scene::EmbeddingOutput& out);

    /// What the texture was last rendered from; render() returns at once when it is unchanged.
    struct Signature {
        std::int64_t count = -1;
        std::uint64_t buffer_id = 0, attr_version = 0, field_version = 0;
        std::size_t extra = 0;
        std::array<float, 16> mvp{};
        std::array<float, 4> background{};
        int width = 0, height = 0;
        bool three_d = false, field = false;
        int field_mode = 0;
        float point_scale = 0;
        bool operator==(const Signature&) const = default;
    };
    Signature last_;
    unsigned index_buffer_ = 0;
    std::vector<std::int32_t> best_;
    std::vector<float> best_priority_;
    std::vector<unsigned char> keep_flag_;
    std::vector<std::uint32_t> kept_;
    bool initialised_ = false;
    bool failed_ = false;
    std::string init_error_;
    unsigned points_program_ = 0, field_program_ = 0, display_program_ = 0;
    unsigned vao_ = 0, empty_vao_ = 0;
    unsigned pos_vbo_ = 0, colour_vbo_ = 0, style_vbo_ = 0;
    unsigned extra_vao_ = 0, extra_pos_vbo_ = 0, extra_colour_vbo_ = 0, extra_style_vbo_ = 0;
    std::int64_t capacity_ = 0;  ///< rows the stream VBOs hold
    std::int64_t uploaded_ = 0;  ///< position rows uploaded from buffer_id_
    std::uint64_t buffer_id_ = 0;
    std::uint64_t attr_version_ = ~std::uint64_t{0};
    std::int64_t attr_rows_ = 0;
    // Output target.
    unsigned fbo_ = 0, colour_tex_ = 0, depth_rb_ = 0;
    int width_ = 0, height_ = 0;
    // Field.
    unsigned field_fbo_ = 0, field_tex_ = 0, exact_ubo_ = 0, sketch_ubo_ = 0;
    int field_res_ = 0;
    std::uint64_t field_version_ = ~std::uint64_t{0};
    float ranges_[5] = {0, 0, 0, 0, 0};
    float field_rect_[4] = {0, 0, 1, 1};  ///< plane rectangle of the current field texture
    bool field_valid_ = false;
};

}  // namespace kvscope::gfx
