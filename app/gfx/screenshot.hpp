// PNG screenshots of the current GL framebuffer.
#pragma once

#include <string>

namespace kvscope::gfx {

/// Reads the back buffer [width x height] (after ImGui rendered, before the swap) and writes
/// it as an RGB PNG. Returns an empty string on success, else a one-line error naming the path.
std::string save_framebuffer_png(const std::string& path, int width, int height);

}  // namespace kvscope::gfx
