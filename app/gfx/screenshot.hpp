// PNG screenshots of the current GL framebuffer.
#pragma once

#include <string>

namespace kvscope::gfx {

/// Reads [width x height] pixels of the back buffer (after ImGui rendered, before the swap) or,
/// with `offscreen`, of the bound framebuffer object's first colour attachment, and writes them
/// as an RGB PNG. Returns an empty string on success, else a one-line error naming the path.
std::string save_framebuffer_png(const std::string& path, int width, int height,
                                 bool offscreen = false);

}  // namespace kvscope::gfx
