// The built-in file browser (Ctrl+O): lists one directory, folders first, showing only what
// kvscope opens (session/run config .json, and .npy .npz .safetensors .csv data). Picking a file
// asks the frame loop to open it (request::Open). A path can also be typed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ui/panel.hpp"

namespace kvscope::ui {

struct FileBrowserState {
    std::string directory;  ///< "" = the working directory
    std::string error;      ///< why the directory could not be listed
    char path_input[1024] = {};
};

/// One row of the file browser's listing.
struct BrowserEntry {
    std::string name;
    bool is_directory = false;
    std::uintmax_t bytes = 0;
};
/// True for the extensions kvscope opens (.json sessions, .npy .npz .safetensors .csv data).
bool is_openable_file(const std::string& path);
/// Folders first, then openable files, by name; hidden entries skipped. On failure `error`
/// names the directory and the reason and the list is empty.
std::vector<BrowserEntry> list_directory(const std::string& directory, std::string& error);
/// The browser window while Settings::show_file_browser is set.
void draw_file_browser(FileBrowserState& state, PanelContext& ctx);

}  // namespace kvscope::ui
