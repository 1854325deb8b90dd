// An offscreen RGBA8 framebuffer (screenshots at 2x, or without the UI). Owns its GL objects;
// needs a current OpenGL 3.3 context for its whole life.
#pragma once

namespace kvscope::gfx {

class OffscreenTarget {
  public:
    OffscreenTarget(int width, int height);
    ~OffscreenTarget();
    OffscreenTarget(const OffscreenTarget&) = delete;
    OffscreenTarget& operator=(const OffscreenTarget&) = delete;

    /// False when the driver refused the framebuffer (e.g. larger than GL_MAX_RENDERBUFFER_SIZE).
    bool complete() const { return complete_; }
    /// Makes it the draw and read target, with the viewport covering it.
    void bind() const;
    /// Back to the window's framebuffer.
    static void unbind();

  private:
    int width_, height_;
    unsigned fbo_ = 0, colour_ = 0;
    bool complete_ = false;
};

}  // namespace kvscope::gfx
