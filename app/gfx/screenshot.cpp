#include "gfx/screenshot.hpp"

#include <stb_image_write.h>

#include <vector>

#include "gfx/gl.hpp"

namespace kvscope::gfx {

std::string save_framebuffer_png(const std::string& path, int width, int height, bool offscreen) {
    if (width <= 0 || height <= 0) return path + ": the window has no pixels to save";
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(offscreen ? GL_COLOR_ATTACHMENT0 : GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    if (glGetError() != GL_NO_ERROR) return path + ": reading the framebuffer failed";
    stbi_flip_vertically_on_write(1);
    if (!stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3)) {
        return path + ": cannot write the PNG file";
    }
    return {};
}

}  // namespace kvscope::gfx
