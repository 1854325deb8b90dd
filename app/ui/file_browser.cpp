#include "ui/file_browser.hpp"

#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace kvscope::ui {

namespace fs = std::filesystem;

bool is_openable_file(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".json" || ext == ".npy" || ext == ".npz" || ext == ".safetensors" ||
           ext == ".csv";
}

std::vector<BrowserEntry> list_directory(const std::string& directory, std::string& error) {
    std::vector<BrowserEntry> entries;
    error.clear();
    std::error_code ec;
    fs::directory_iterator it(directory.empty() ? fs::path(".") : fs::path(directory), ec);
    if (ec) {
        error = directory + ": " + ec.message();
        return entries;
    }
    for (const auto& e : it) {
        std::error_code ignore;
        const bool dir = e.is_directory(ignore);
        const std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        if (!dir && !is_openable_file(name)) continue;
        BrowserEntry entry;
        entry.name = name;
        entry.is_directory = dir;
        entry.bytes = dir ? 0 : static_cast<std::uintmax_t>(e.file_size(ignore));
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(), [](const BrowserEntry& a, const BrowserEntry& b) {
        return a.is_directory != b.is_directory ? a.is_directory : a.name < b.name;
    });
    return entries;
}

void draw_file_browser(FileBrowserState& b, PanelContext& ctx) {
    bool& open = ctx.settings.show_file_browser;
    if (!open) return;
    std::error_code ec;
    if (b.directory.empty()) b.directory = fs::current_path(ec).string();
    ImGui::SetNextWindowSize(ImVec2(560, 420), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin("Open file", &open)) {
        ImGui::End();
        return;
    }
    ImGui::TextWrapped("%s", b.directory.c_str());
    if (ImGui::Button("Up")) b.directory = fs::path(b.directory).parent_path().string();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Parent folder");
    ImGui::SameLine();
    ImGui::TextDisabled("sessions and configs (.json), data (.npy .npz .safetensors .csv)");
    const std::vector<BrowserEntry> entries = list_directory(b.directory, b.error);
    const float footer = ImGui::GetFrameHeightWithSpacing() * 2.2f;
    ImGui::BeginChild("##listing", ImVec2(0, -footer), true);
    if (!b.error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", b.error.c_str());
    for (const auto& e : entries) {
        const std::string label = e.is_directory ? "[dir]  " + e.name : e.name;
        if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) {
            const std::string full = (fs::path(b.directory) / e.name).string();
            if (e.is_directory) {
                b.directory = full;
            } else {
                std::snprintf(b.path_input, sizeof b.path_input, "%s", full.c_str());
                if (ImGui::IsMouseDoubleClicked(0)) {
                    ctx.sink.request({Request::Kind::Open, full});
                    open = false;
                }
            }
        }
        if (!e.is_directory && ImGui::IsItemHovered()) {
            ImGui::SetTooltip("%.1f KiB: double-click to open",
                              static_cast<double>(e.bytes) / 1024);
        }
    }
    ImGui::EndChild();
    ImGui::SetNextItemWidth(-90);
    const bool entered = ImGui::InputText("##path", b.path_input, sizeof b.path_input,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Path of a file to open (Enter)");
    ImGui::SameLine();
    if ((ImGui::Button("Open") || entered) && b.path_input[0] != '\0') {
        ctx.sink.request({Request::Kind::Open, b.path_input});
        open = false;
    }
    ImGui::End();
}

PanelInfo file_browser() {
    return panel_info<FileBrowserState>("file_browser", "Open file",
                                        "Open a session or a data file (Ctrl+O)", Place::Overlay,
                                        draw_file_browser);
}

}  // namespace kvscope::ui
