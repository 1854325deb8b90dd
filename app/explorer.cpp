#include "explorer.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>

#include "gfx/gl.hpp"
#include "gfx/screenshot.hpp"
#include "session/runner.hpp"
#include "ui/panels.hpp"
#include "ui/ui_state.hpp"

namespace kvscope {

namespace {

constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

void apply_theme(ui::Theme theme) {
    switch (theme) {
        case ui::Theme::Dark:
            ImGui::StyleColorsDark();
            break;
        case ui::Theme::Light:
            ImGui::StyleColorsLight();
            break;
        case ui::Theme::Projector: {
            ImGui::StyleColorsLight();
            ImGuiStyle& s = ImGui::GetStyle();
            s.Colors[ImGuiCol_Text] = ImVec4(0, 0, 0, 1);
            s.Colors[ImGuiCol_WindowBg] = ImVec4(1, 1, 1, 1);
            s.FrameBorderSize = 1.0f;
            break;
        }
    }
}

// Loads the session (or default) config. A corrupt file gives a warning and the default scene.
RunConfig load_start_config(const ExplorerOptions& opt, std::string& warning) {
    const std::string path = opt.session.empty() ? opt.default_config : opt.session;
    try {
        return load_run_config(path);
    } catch (const std::exception& e) {
        warning = std::string("could not open session, using defaults: ") + e.what();
    }
    return load_run_config(opt.default_config);
}

void tile(const char* name, float x, float y, float w, float h) {
    ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
    ImGui::Begin(name, nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
}

void handle_shortcuts(const Snapshot& snap, ui::UiState& ui, bool& screenshot_requested,
                      bool& save_requested) {
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;  // typing in a field never triggers shortcuts
    if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) {
        ui.commands.push_back(snap.playing ? Command{command::Pause{}} : Command{command::Play{}});
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) ui.commands.push_back(command::Step{ui.speed});
    if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) {
        if (io.KeyShift) {
            ui.commands.push_back(command::NewSeed{snap.config.seed + 1});
        } else {
            ui.commands.push_back(command::Reset{});
        }
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_F12, false) ||
        (!io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_S, false))) {
        screenshot_requested = true;
    }
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_S, false)) save_requested = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) ui.show_help = !ui.show_help;
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD))) {
        ui.ui_scale = std::min(3.0f, ui.ui_scale + 0.1f);
    }
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT))) {
        ui.ui_scale = std::max(0.5f, ui.ui_scale - 0.1f);
    }
}

void draw_frame(const Snapshot& snap, ui::UiState& ui, float width, float height) {
    const float status_h = ImGui::GetFrameHeightWithSpacing() + 8;
    const float left_w = std::max(320.0f, width * 0.27f);
    const float right_w = std::max(320.0f, width * 0.30f);
    const float mid_w = width - left_w - right_w;
    const float body_h = height - status_h;

    tile("Controls", 0, 0, left_w, body_h * 0.42f);
    ui::draw_controls_panel(snap, ui);
    ImGui::End();
    tile("Sketches", 0, body_h * 0.42f, left_w, body_h * 0.58f);
    ui::draw_sketches_panel(snap, ui);
    ImGui::End();
    tile("Attention error", left_w, 0, mid_w, body_h);
    ui::draw_error_panel(snap, ui);
    ImGui::End();
    tile("Sketch internals", left_w + mid_w, 0, right_w, body_h);
    ui::draw_internals_panel(snap, ui);
    ImGui::End();
    ImGui::SetNextWindowPos(ImVec2(0, body_h), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(width, status_h), ImGuiCond_Always);
    ImGui::Begin(
        "##status", nullptr,
        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    ui::draw_status_line(snap, ui);
    ImGui::End();
    ui::draw_help_overlay(ui);
}

std::string next_screenshot_path() {
    for (int i = 1; i < 100000; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "kvscope_%04d.png", i);
        if (!std::filesystem::exists(name)) return name;
    }
    return "kvscope_overflow.png";
}

void write_sidecar(const std::string& png, const Snapshot& snap) {
    const std::string json_path =
        std::filesystem::path(png).replace_extension(".session.json").string();
    std::ofstream(json_path) << to_json(snap.config).dump(2) << '\n';
}

}  // namespace

int run_explorer(const ExplorerOptions& opt, std::ostream& out, std::ostream& err) {
    glfwSetErrorCallback([](int, const char*) {});
    if (!glfwInit()) {
        err << "kvscope: cannot open a window: no display (set DISPLAY, or run under "
               "xvfb-run)\n";
        return 3;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    if (opt.frames > 0) glfwWindowHint(GLFW_VISIBLE, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(opt.width, opt.height, "kvscope", nullptr, nullptr);
    if (!window) {
        err << "kvscope: cannot create an OpenGL 3.3 core window (the driver offers an older "
               "version, or no display is available)\n";
        glfwTerminate();
        return 3;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(opt.frames > 0 ? 0 : 1);
    GLint major = 0, minor = 0;
    glGetIntegerv(GL_MAJOR_VERSION, &major);
    glGetIntegerv(GL_MINOR_VERSION, &minor);
    if (major * 10 + minor < 33) {
        err << "kvscope: OpenGL " << major << "." << minor
            << " is too old; the explorer needs 3.3 core\n";
        glfwDestroyWindow(window);
        glfwTerminate();
        return 3;
    }

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // layout is tiled by code; nothing to persist
    float xscale = 1.0f, yscale = 1.0f;
    glfwGetWindowContentScale(window, &xscale, &yscale);
    ui::UiState ui;
    ui.ui_scale = std::max(1.0f, xscale);
    if (std::filesystem::exists(kFontPath)) {
        io.Fonts->AddFontFromFileTTF(kFontPath, 15.0f * ui.ui_scale);
    }
    apply_theme(ui.theme);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    std::string warning;
    const RunConfig config = load_start_config(opt, warning);
    ui.status = warning;
    if (!warning.empty()) err << "kvscope: " << warning << '\n';
    ui::apply_view_state(config.view, ui);
    Runner runner(config);
    const bool scripted = opt.frames > 0;
    if (opt.play && !scripted) runner.send(command::Play{});

    int frame = 0;
    bool screenshot_requested = false;
    while (!glfwWindowShouldClose(window)) {
        if (scripted) {
            // Deterministic frames: each advances one tick and waits for it, so a scripted
            // screenshot shows the same state on every machine.
            runner.send(command::Step{ui.speed});
            runner.wait_idle();
        }
        glfwPollEvents();
        const std::shared_ptr<const Snapshot> snap = runner.snapshot();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        io.FontGlobalScale = ui.ui_scale / std::max(1.0f, xscale);
        ImGui::NewFrame();
        bool save_requested = false;
        handle_shortcuts(*snap, ui, screenshot_requested, save_requested);
        draw_frame(*snap, ui, io.DisplaySize.x, io.DisplaySize.y);
        ImGui::Render();
        int fb_w = 0, fb_h = 0;
        glfwGetFramebufferSize(window, &fb_w, &fb_h);
        glViewport(0, 0, fb_w, fb_h);
        glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        ++frame;
        const bool last = scripted && frame >= opt.frames;
        if (screenshot_requested || (last && !opt.screenshot.empty())) {
            const std::string path =
                last && !opt.screenshot.empty() ? opt.screenshot : next_screenshot_path();
            const std::string e = gfx::save_framebuffer_png(path, fb_w, fb_h);
            if (e.empty()) {
                write_sidecar(path, *snap);
                ui.status = "saved " + path;
                if (scripted)
                    out << "kvscope: wrote " << path << " (" << fb_w << "x" << fb_h << ", " << frame
                        << " frames)\n";
            } else {
                ui.status = e;
                err << "kvscope: " << e << '\n';
            }
            screenshot_requested = false;
        }
        if (save_requested) {
            std::ofstream("kvscope_session.json") << to_json(snap->config).dump(2) << '\n';
            ui.status = "saved session to kvscope_session.json";
        }
        glfwSwapBuffers(window);
        for (auto& c : ui.commands)
            runner.send(std::move(c));
        ui.commands.clear();
        if (last) break;
    }

    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}

}  // namespace kvscope
