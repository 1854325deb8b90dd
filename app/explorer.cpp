#include "explorer.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <vector>

#include "gfx/embedding_renderer.hpp"
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
    // Middle column: the embedding view on top, attention error below.
    const float embed_h = std::floor(body_h * 0.55f);
    tile("Embedding", left_w, 0, mid_w, embed_h);
    ui::draw_embedding_panel(snap, ui);
    ImGui::End();
    tile("Attention error", left_w, embed_h, mid_w, body_h - embed_h);
    ui::draw_error_panel(snap, ui);
    ImGui::End();
    tile("Coreset", left_w + mid_w, 0, right_w, body_h);
    ui::draw_coreset_panel(snap, ui);
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
    ui.speed = static_cast<Index>(opt.speed);
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
    Runner runner(config);
    const bool scripted = opt.frames > 0;
    runner.send(command::SetSpeed{ui.speed});
    if (opt.play && !scripted) runner.send(command::Play{});

    int frame = 0;
    bool screenshot_requested = false;
    auto embedding_renderer = std::make_unique<gfx::EmbeddingRenderer>();
    bool embedding_error_reported = false;
    std::vector<double> frame_ms, embed_ms, cpu_ms;
    while (!glfwWindowShouldClose(window)) {
        if (scripted) {
            // Deterministic frames: each advances one tick and waits for it, so a scripted
            // screenshot shows the same state on every machine.
            runner.send(command::Step{ui.speed});
            runner.wait_idle();
        }
        // Frame time: UI work and rendering, not the scripted engine step above.
        const auto frame_start = std::chrono::steady_clock::now();
        const std::clock_t frame_cpu_start = std::clock();
        glfwPollEvents();
        const std::shared_ptr<const Snapshot> snap = runner.snapshot();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        io.FontGlobalScale = ui.ui_scale / std::max(1.0f, xscale);
        if (opt.animate_view && frame > 2) {
            // Alternating zoom: the view changes every frame, so points and field are redrawn.
            ui.embedding.auto_fit = false;
            ui.embedding.zoom *= frame % 2 ? 1.01f : 1.0f / 1.01f;
        }
        ImGui::NewFrame();
        bool save_requested = false;
        handle_shortcuts(*snap, ui, screenshot_requested, save_requested);
        draw_frame(*snap, ui, io.DisplaySize.x, io.DisplaySize.y);
        ImGui::Render();
        // The embedding view's texture, drawn after the frame's ImGui commands are recorded and
        // before they are rendered (the Image command references the texture by name).
        embedding_renderer->render(ui.embedding.scene, ui.embedding.output);
        if (!ui.embedding.output.error.empty() && ui.status != ui.embedding.output.error) {
            ui.status = ui.embedding.output.error;
            if (!embedding_error_reported) err << "kvscope: " << ui.status << '\n';
            embedding_error_reported = true;
        }
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
        if (opt.report_frame_times) {
            glFinish();  // count the GPU (llvmpipe) work of this frame, not just its submission
            frame_ms.push_back(std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - frame_start)
                                   .count());
            embed_ms.push_back(ui.embedding.output.render_ms);
            // Process CPU time (every thread, llvmpipe's included; the Runner is idle here):
            // what the frame costs on a machine that is not shared with other work.
            cpu_ms.push_back(1000.0 * static_cast<double>(std::clock() - frame_cpu_start) /
                             CLOCKS_PER_SEC);
        }
        for (auto& c : ui.commands)
            runner.send(std::move(c));
        ui.commands.clear();
        if (last) break;
    }

    if (opt.report_frame_times && !frame_ms.empty()) {
        // Skip the first frames (font atlas, shader compilation, first uploads).
        const auto median_of = [](std::vector<double> v, double q) {
            const std::size_t skip = std::min<std::size_t>(5, v.size() - 1);
            v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(skip));
            std::sort(v.begin(), v.end());
            return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
        };
        const auto snap = runner.snapshot();
        char line[320];
        std::snprintf(line, sizeof line,
                      "kvscope: frame times over %zu frames (%dx%d, %lld tokens, %lld points): "
                      "median %.2f ms, p90 %.2f ms, max %.2f ms; CPU time per frame (all "
                      "threads) median %.2f ms; embedding renderer median %.2f ms\n",
                      frame_ms.size() - std::min<std::size_t>(5, frame_ms.size() - 1), opt.width,
                      opt.height, static_cast<long long>(snap->tokens_seen),
                      static_cast<long long>(snap->embedding ? snap->embedding->count : 0),
                      median_of(frame_ms, 0.5), median_of(frame_ms, 0.9), median_of(frame_ms, 1.0),
                      median_of(cpu_ms, 0.5), median_of(embed_ms, 0.5));
        out << line;
    }
    embedding_renderer.reset();  // its GL objects go while the context is current
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}

}  // namespace kvscope
