#include "gfx/offscreen_target.hpp"

#include "gfx/gl.hpp"

namespace kvscope::gfx {

OffscreenTarget::OffscreenTarget(int width, int height) : width_(width), height_(height) {
    GLint max_size = 0;
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &max_size);
    if (width <= 0 || height <= 0 || width > max_size || height > max_size) return;
    glGenFramebuffers(1, &fbo_);
    glGenRenderbuffers(1, &colour_);
    glBindRenderbuffer(GL_RENDERBUFFER, colour_);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_);
    complete_ = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

OffscreenTarget::~OffscreenTarget() {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (colour_) glDeleteRenderbuffers(1, &colour_);
    if (fbo_) glDeleteFramebuffers(1, &fbo_);
}

void OffscreenTarget::bind() const {
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glViewport(0, 0, width_, height_);
}

void OffscreenTarget::unbind() {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

}  // namespace kvscope::gfx
