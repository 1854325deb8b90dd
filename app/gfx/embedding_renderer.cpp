#include "gfx/embedding_renderer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <vector>

#include "gfx/gl.hpp"
#include "gfx/shaders_embedded.hpp"

namespace kvscope::gfx {

namespace {

/// Above this many points, only the top point of each 2x2-pixel cell is drawn (thin_points).
constexpr std::int64_t kThinAbove = 30'000;

GLuint compile(GLenum type, const char* source, const char* name, std::string& error) {
    const GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &source, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = {0};
        glGetShaderInfoLog(s, sizeof log, nullptr, log);
        error = std::string("embedding view: shader ") + name + " does not compile: " + log;
        glDeleteShader(s);
        return 0;
    }
    return s;
}

GLuint link(const char* vs_src, const char* vs_name, const char* fs_src, const char* fs_name,
            std::string& error) {
    const GLuint vs = compile(GL_VERTEX_SHADER, vs_src, vs_name, error);
    if (!vs) return 0;
    const GLuint fs = compile(GL_FRAGMENT_SHADER, fs_src, fs_name, error);
    if (!fs) {
        glDeleteShader(vs);
        return 0;
    }
    const GLuint p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    glLinkProgram(p);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024] = {0};
        glGetProgramInfoLog(p, sizeof log, nullptr, log);
        error =
            std::string("embedding view: ") + vs_name + " + " + fs_name + " do not link: " + log;
        glDeleteProgram(p);
        return 0;
    }
    return p;
}

GLint loc(GLuint program, const char* name) {
    return glGetUniformLocation(program, name);
}

constexpr int kMaxEntries = 1024;  ///< per uniform block: 16 KiB, the GL 3.3 minimum size

// Entries (x, y, log w, 0) into a uniform buffer as (beta (x + cx), beta (y + cy), log w, 0),
// at most kMaxEntries (the panel bins to fewer). Returns the count uploaded.
int upload_entries(GLuint ubo, const std::vector<float>& entries, float beta,
                   const std::array<float, 2>& offset) {
    const int count = std::min(kMaxEntries, static_cast<int>(entries.size() / 4));
    std::vector<float> packed(static_cast<std::size_t>(4 * kMaxEntries), 0.0f);
    for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
        packed[4 * i] = beta * (entries[4 * i] + offset[0]);
        packed[4 * i + 1] = beta * (entries[4 * i + 1] + offset[1]);
        packed[4 * i + 2] = entries[4 * i + 2];
    }
    glBindBuffer(GL_UNIFORM_BUFFER, ubo);
    glBufferData(GL_UNIFORM_BUFFER, static_cast<GLsizeiptr>(packed.size() * sizeof(float)),
                 packed.data(), GL_DYNAMIC_DRAW);
    glBindBuffer(GL_UNIFORM_BUFFER, 0);
    return count;
}

GLuint make_texture(GLenum filter) {
    GLuint t = 0;
    glGenTextures(1, &t);
    glBindTexture(GL_TEXTURE_2D, t);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, static_cast<GLint>(filter));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, static_cast<GLint>(filter));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    return t;
}

void setup_attribs(GLuint vao, GLuint pos, GLuint colour, GLuint style) {
    glBindVertexArray(vao);
    glBindBuffer(GL_ARRAY_BUFFER, pos);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindBuffer(GL_ARRAY_BUFFER, colour);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE, 0, nullptr);
    glBindBuffer(GL_ARRAY_BUFFER, style);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
}

}  // namespace

EmbeddingRenderer::~EmbeddingRenderer() {
    if (!initialised_) return;
    const GLuint buffers[] = {pos_vbo_,       colour_vbo_,       style_vbo_,
                              extra_pos_vbo_, extra_colour_vbo_, extra_style_vbo_};
    glDeleteBuffers(6, buffers);
    const GLuint vaos[] = {vao_, empty_vao_, extra_vao_};
    glDeleteVertexArrays(3, vaos);
    const GLuint textures[] = {colour_tex_, field_tex_};
    glDeleteTextures(2, textures);
    const GLuint ubos[] = {exact_ubo_, sketch_ubo_, index_buffer_};
    glDeleteBuffers(3, ubos);
    glDeleteRenderbuffers(1, &depth_rb_);
    const GLuint fbos[] = {fbo_, field_fbo_};
    glDeleteFramebuffers(2, fbos);
    glDeleteProgram(points_program_);
    glDeleteProgram(field_program_);
    glDeleteProgram(display_program_);
}

bool EmbeddingRenderer::init(std::string& error) {
    points_program_ =
        link(shaders::points_vert, "points.vert", shaders::points_frag, "points.frag", error);
    if (!points_program_) return false;
    field_program_ =
        link(shaders::fullscreen_vert, "fullscreen.vert", shaders::field_frag, "field.frag", error);
    if (!field_program_) return false;
    display_program_ = link(shaders::field_display_vert, "field_display.vert",
                            shaders::field_display_frag, "field_display.frag", error);
    if (!display_program_) return false;

    GLuint buffers[6];
    glGenBuffers(6, buffers);
    pos_vbo_ = buffers[0];
    colour_vbo_ = buffers[1];
    style_vbo_ = buffers[2];
    extra_pos_vbo_ = buffers[3];
    extra_colour_vbo_ = buffers[4];
    extra_style_vbo_ = buffers[5];
    GLuint vaos[3];
    glGenVertexArrays(3, vaos);
    vao_ = vaos[0];
    empty_vao_ = vaos[1];
    extra_vao_ = vaos[2];
    setup_attribs(vao_, pos_vbo_, colour_vbo_, style_vbo_);
    setup_attribs(extra_vao_, extra_pos_vbo_, extra_colour_vbo_, extra_style_vbo_);

    colour_tex_ = make_texture(GL_LINEAR);
    glGenRenderbuffers(1, &depth_rb_);
    glGenFramebuffers(1, &fbo_);
    field_tex_ = make_texture(GL_LINEAR);
    glGenBuffers(1, &index_buffer_);
    GLuint ubos[2];
    glGenBuffers(2, ubos);
    exact_ubo_ = ubos[0];
    sketch_ubo_ = ubos[1];
    glGenFramebuffers(1, &field_fbo_);
    return true;
}

void EmbeddingRenderer::ensure_target(int w, int h) {
    if (w == width_ && h == height_) return;
    width_ = w;
    height_ = h;
    glBindTexture(GL_TEXTURE_2D, colour_tex_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glBindRenderbuffer(GL_RENDERBUFFER, depth_rb_);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colour_tex_, 0);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_rb_);
}

void EmbeddingRenderer::upload_points(const scene::EmbeddingScene& scene) {
    const std::int64_t n = scene.xyz ? scene.count : 0;
    if (scene.buffer_id != buffer_id_ || n < uploaded_) {
        buffer_id_ = scene.buffer_id;
        uploaded_ = 0;  // a new buffer (refit, reset): upload everything again
    }
    if (n > capacity_) {
        // Grow geometrically; the old contents are re-uploaded below.
        capacity_ = std::max<std::int64_t>({n, 2 * capacity_, 4096});
        glBindBuffer(GL_ARRAY_BUFFER, pos_vbo_);
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(capacity_ * 3 * sizeof(float)),
                     nullptr, GL_DYNAMIC_DRAW);
        glBindBuffer(GL_ARRAY_BUFFER, colour_vbo_);
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(capacity_ * 4), nullptr,
                     GL_DYNAMIC_DRAW);
        glBindBuffer(GL_ARRAY_BUFFER, style_vbo_);
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(capacity_ * 2 * sizeof(float)),
                     nullptr, GL_DYNAMIC_DRAW);
        uploaded_ = 0;
        attr_version_ = ~std::uint64_t{0};
    }
    if (n > uploaded_) {
        glBindBuffer(GL_ARRAY_BUFFER, pos_vbo_);
        glBufferSubData(GL_ARRAY_BUFFER, static_cast<GLintptr>(uploaded_ * 3 * sizeof(float)),
                        static_cast<GLsizeiptr>((n - uploaded_) * 3 * sizeof(float)),
                        scene.xyz + 3 * uploaded_);
        uploaded_ = n;
    }
    const auto rows = static_cast<std::int64_t>(
        std::min<std::size_t>(scene.colours.size(), scene.styles.size() / 2));
    if (scene.attr_version != attr_version_ && rows > 0) {
        const std::int64_t m = std::min(rows, capacity_);
        glBindBuffer(GL_ARRAY_BUFFER, colour_vbo_);
        glBufferSubData(GL_ARRAY_BUFFER, 0, static_cast<GLsizeiptr>(m * 4), scene.colours.data());
        glBindBuffer(GL_ARRAY_BUFFER, style_vbo_);
        glBufferSubData(GL_ARRAY_BUFFER, 0, static_cast<GLsizeiptr>(m * 2 * sizeof(float)),
                        scene.styles.data());
        attr_version_ = scene.attr_version;
        attr_rows_ = m;
    }
    const auto extra = static_cast<GLsizeiptr>(scene.extra_colours.size());
    if (extra > 0) {
        glBindBuffer(GL_ARRAY_BUFFER, extra_pos_vbo_);
        glBufferData(GL_ARRAY_BUFFER, extra * 3 * static_cast<GLsizeiptr>(sizeof(float)),
                     scene.extra_xyz.data(), GL_STREAM_DRAW);
        glBindBuffer(GL_ARRAY_BUFFER, extra_colour_vbo_);
        glBufferData(GL_ARRAY_BUFFER, extra * 4, scene.extra_colours.data(), GL_STREAM_DRAW);
        glBindBuffer(GL_ARRAY_BUFFER, extra_style_vbo_);
        glBufferData(GL_ARRAY_BUFFER, extra * 2 * static_cast<GLsizeiptr>(sizeof(float)),
                     scene.extra_styles.data(), GL_STREAM_DRAW);
    }
}

void EmbeddingRenderer::render_field(const scene::EmbeddingScene& scene,
                                     scene::EmbeddingOutput& out) {
    const int res = std::clamp(scene.field_resolution, 16, 512);
    if (res != field_res_) {
        field_res_ = res;
        glBindTexture(GL_TEXTURE_2D, field_tex_);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RG32F, res, res, 0, GL_RG, GL_FLOAT, nullptr);
        glBindFramebuffer(GL_FRAMEBUFFER, field_fbo_);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, field_tex_, 0);
        field_version_ = ~std::uint64_t{0};
    }
    if (scene.field_version != field_version_) {
        glBindFramebuffer(GL_FRAMEBUFFER, field_fbo_);
        if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
            out.error = "embedding view: the float field target is not supported by this driver";
            field_valid_ = false;
            return;
        }
        const int n_exact =
            upload_entries(exact_ubo_, scene.field_exact, scene.beta, scene.field_offset);
        const int n_sketch =
            upload_entries(sketch_ubo_, scene.field_sketch, scene.beta, scene.field_offset);
        glViewport(0, 0, res, res);
        glDisable(GL_BLEND);
        glDisable(GL_DEPTH_TEST);
        glUseProgram(field_program_);
        glUniformBlockBinding(field_program_,
                              glGetUniformBlockIndex(field_program_, "ExactEntries"), 0);
        glUniformBlockBinding(field_program_,
                              glGetUniformBlockIndex(field_program_, "SketchEntries"), 1);
        glBindBufferBase(GL_UNIFORM_BUFFER, 0, exact_ubo_);
        glBindBufferBase(GL_UNIFORM_BUFFER, 1, sketch_ubo_);
        glUniform1i(loc(field_program_, "u_exact_count"), n_exact);
        glUniform1i(loc(field_program_, "u_sketch_count"), n_sketch);
        glUniform4fv(loc(field_program_, "u_rect"), 1, scene.field_rect.data());
        glUniform2fv(loc(field_program_, "u_offset"), 1, scene.field_offset.data());
        glBindVertexArray(empty_vao_);
        glDrawArrays(GL_TRIANGLES, 0, 3);
        // Ranges for the colour bar: one small read-back per field render.
        std::vector<float> px(static_cast<std::size_t>(res * res * 2));
        glPixelStorei(GL_PACK_ALIGNMENT, 4);
        glReadPixels(0, 0, res, res, GL_RG, GL_FLOAT, px.data());
        float emin = 1e30f, emax = -1e30f, smin = 1e30f, smax = -1e30f, dmax = 0;
        for (std::size_t i = 0; i + 1 < px.size(); i += 2) {
            const float e = px[i], s = px[i + 1];
            const bool ev = e > -1e29f && std::isfinite(e), sv = s > -1e29f && std::isfinite(s);
            if (ev) emin = std::min(emin, e), emax = std::max(emax, e);
            if (sv) smin = std::min(smin, s), smax = std::max(smax, s);
            if (ev && sv) dmax = std::max(dmax, std::abs(s - e));
        }
        ranges_[0] = emin;
        ranges_[1] = emax;
        ranges_[2] = smin;
        ranges_[3] = smax;
        ranges_[4] = dmax;
        field_valid_ = emax >= emin || smax >= smin;
        field_version_ = scene.field_version;
        std::copy(scene.field_rect.begin(), scene.field_rect.end(), field_rect_);
    }
    out.exact_min = ranges_[0];
    out.exact_max = ranges_[1];
    out.sketch_min = ranges_[2];
    out.sketch_max = ranges_[3];
    out.diff_absmax = ranges_[4];
    out.field_valid = field_valid_;
    out.field_version = field_version_;
}

bool EmbeddingRenderer::thin_points(const scene::EmbeddingScene& scene, std::int64_t n, int w,
                                    int h) {
    if (!scene.xyz || scene.styles.size() < static_cast<std::size_t>(2 * n)) return false;
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    best_.assign(static_cast<std::size_t>(cw) * static_cast<std::size_t>(ch), -1);
    best_priority_.resize(best_.size());
    const auto& m = scene.mvp;
    for (std::int64_t i = 0; i < n; ++i) {
        const float* p = scene.xyz + 3 * i;
        const float cx = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
        const float cy = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
        if (cx < -1 || cx > 1 || cy < -1 || cy > 1) continue;  // clipped anyway
        const int gx =
            std::min(cw - 1, static_cast<int>((cx * 0.5f + 0.5f) * static_cast<float>(w)) / 2);
        const int gy =
            std::min(ch - 1, static_cast<int>((cy * 0.5f + 0.5f) * static_cast<float>(h)) / 2);
        const auto cell = static_cast<std::size_t>(gy) * static_cast<std::size_t>(cw) +
                          static_cast<std::size_t>(gx);
        // 2-D: retained (layer 1) above evicted; 3-D: the nearer. Ties: the later token, which
        // is the one drawn on top.
        const float priority = scene.three_d ? -(m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14])
                                             : scene.styles[static_cast<std::size_t>(2 * i + 1)];
        if (best_[cell] < 0 || priority >= best_priority_[cell]) {
            best_[cell] = static_cast<std::int32_t>(i);
            best_priority_[cell] = priority;
        }
    }
    keep_flag_.assign(static_cast<std::size_t>(n), 0);
    for (const std::int32_t b : best_)
        if (b >= 0) keep_flag_[static_cast<std::size_t>(b)] = 1;
    kept_.clear();
    for (std::int64_t i = 0; i < n; ++i)
        if (keep_flag_[static_cast<std::size_t>(i)]) kept_.push_back(static_cast<std::uint32_t>(i));
    if (kept_.empty()) return false;
    glBindVertexArray(vao_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, index_buffer_);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER,
                 static_cast<GLsizeiptr>(kept_.size() * sizeof(std::uint32_t)), kept_.data(),
                 GL_STREAM_DRAW);
    glBindVertexArray(0);
    return true;
}

bool EmbeddingRenderer::unchanged(const scene::EmbeddingScene& scene, int w, int h,
                                  const scene::EmbeddingOutput& out) {
    const Signature sig{scene.count,
                        scene.buffer_id,
                        scene.attr_version,
                        scene.field_version,
                        scene.extra_colours.size(),
                        scene.mvp,
                        scene.background,
                        w,
                        h,
                        scene.three_d,
                        scene.field,
                        scene.field_mode,
                        scene.point_scale};
    if (sig == last_ && out.texture == colour_tex_ && colour_tex_ != 0) return true;
    last_ = sig;
    return false;
}

// The kernel field texture mapped to colour under the points (2-D only).
void EmbeddingRenderer::draw_field_layer(const scene::EmbeddingScene& scene) {
    glDisable(GL_DEPTH_TEST);
    glUseProgram(display_program_);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, field_tex_);
    glUniform1i(loc(display_program_, "u_field"), 0);
    glUniform1i(loc(display_program_, "u_mode"), scene.field_mode);
    const bool sketch = scene.field_mode == 1;
    glUniform1f(loc(display_program_, "u_lo"), sketch ? ranges_[2] : ranges_[0]);
    glUniform1f(loc(display_program_, "u_hi"), scene.field_mode == 2 ? ranges_[4]
                                               : sketch              ? ranges_[3]
                                                                     : ranges_[1]);
    glUniform1f(loc(display_program_, "u_alpha"), scene.field_alpha);
    glUniformMatrix4fv(loc(display_program_, "u_mvp"), 1, GL_FALSE, scene.mvp.data());
    glUniform4fv(loc(display_program_, "u_rect"), 1, field_rect_);
    glBindVertexArray(empty_vao_);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

// The stream points (thinned above kThinAbove) and the sketch's stored vectors above them.
void EmbeddingRenderer::draw_point_layer(const scene::EmbeddingScene& scene, int w, int h,
                                         scene::EmbeddingOutput& out) {
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
    glEnable(GL_PROGRAM_POINT_SIZE);
    glUseProgram(points_program_);
    glUniformMatrix4fv(loc(points_program_, "u_mvp"), 1, GL_FALSE, scene.mvp.data());
    glUniform1f(loc(points_program_, "u_point_scale"), scene.point_scale);
    glUniform1i(loc(points_program_, "u_use_layer"), scene.three_d ? 0 : 1);
    const std::int64_t drawn = std::min({uploaded_, attr_rows_, capacity_});
    out.drawn_points = drawn;
    out.total_points = drawn;
    if (drawn > kThinAbove && thin_points(scene, drawn, w, h)) {
        glBindVertexArray(vao_);
        glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, index_buffer_);
        glDrawElements(GL_POINTS, static_cast<GLsizei>(kept_.size()), GL_UNSIGNED_INT, nullptr);
        out.drawn_points = static_cast<std::int64_t>(kept_.size());
    } else if (drawn > 0) {
        glBindVertexArray(vao_);
        glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(drawn));
    }
    if (!scene.extra_colours.empty()) {
        glUniform1i(loc(points_program_, "u_use_layer"), 1);
        glBindVertexArray(extra_vao_);
        glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(scene.extra_colours.size()));
    }
    glDisable(GL_PROGRAM_POINT_SIZE);
    glDisable(GL_DEPTH_TEST);
}

void EmbeddingRenderer::render(const scene::EmbeddingScene& scene, scene::EmbeddingOutput& out) {
    if (!scene.active || failed_) {
        if (failed_) out.error = init_error_;
        return;
    }
    const auto start = std::chrono::steady_clock::now();
    if (!initialised_) {
        if (!init(init_error_)) {
            failed_ = true;
            out.error = init_error_;
            return;
        }
        initialised_ = true;
    }
    const int w = std::clamp(scene.width, 1, 8192), h = std::clamp(scene.height, 1, 8192);
    out.error.clear();
    // Nothing changed since the last render: the texture still shows this scene.
    if (unchanged(scene, w, h, out)) {
        out.render_ms = 0;
        return;
    }
    GLint old_viewport[4];
    glGetIntegerv(GL_VIEWPORT, old_viewport);
    const bool scissor = glIsEnabled(GL_SCISSOR_TEST);
    glDisable(GL_SCISSOR_TEST);
    upload_points(scene);
    const bool field = scene.field && !scene.three_d;
    if (field) render_field(scene, out);
    ensure_target(w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        out.error = "embedding view: the offscreen framebuffer is incomplete";
    } else {
        glViewport(0, 0, w, h);
        glClearColor(scene.background[0], scene.background[1], scene.background[2],
                     scene.background[3]);
        glClearDepth(1.0);
        glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
        glEnable(GL_BLEND);
        // Colour blends; alpha stays opaque so ImGui::Image shows the texture as drawn.
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
        if (field && field_valid_) draw_field_layer(scene);
        draw_point_layer(scene, w, h, out);
    }
    glBindVertexArray(0);
    glUseProgram(0);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(old_viewport[0], old_viewport[1], old_viewport[2], old_viewport[3]);
    if (scissor) glEnable(GL_SCISSOR_TEST);
    out.texture = colour_tex_;
    out.width = w;
    out.height = h;
    out.render_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace kvscope::gfx
