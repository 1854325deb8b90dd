#include "explorer.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "gfx/embedding_renderer.hpp"
#include "gfx/gl.hpp"
#include "gfx/offscreen_target.hpp"
#include "gfx/screenshot.hpp"
#include "lessons/lesson.hpp"
#include "session/runner.hpp"
#include "sources/file_source.hpp"
#include "ui/embedding_panel.hpp"
#include "ui/file_browser.hpp"
#include "ui/frame_recovery.hpp"
#include "ui/lesson_panel.hpp"
#include "ui/lesson_steps.hpp"
#include "ui/session_file.hpp"
#include "ui/timeline.hpp"
#include "ui/workspace.hpp"

namespace kvscope {

namespace {

constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
// The glyphs the lessons and metric definitions write formulas with (DejaVu Sans has them all):
// Latin, combining accents (N̂), Greek, ẑ, punctuation (‖ –), sub- and superscripts, arrows,
// mathematical operators (Σ ∈ ≤ √), ceilings and floors, and the angle brackets ⟨ ⟩.
constexpr ImWchar kGlyphRanges[] = {0x0020, 0x017F, 0x0300, 0x03FF, 0x1E00, 0x1EFF, 0x2000, 0x209F,
                                    0x2100, 0x23FF, 0x25A0, 0x25FF, 0x27E8, 0x27EF, 0};

void apply_theme(ui::Theme theme) {
    switch (theme) {
        case ui::Theme::Dark:
            ImGui::StyleColorsDark();
            break;
        case ui::Theme::Light:
            ImGui::StyleColorsLight();
            break;
        case ui::Theme::HighContrast: {
            // Black ground, white text, bright yellow for what is active: for projectors and
            // low vision.
            ImGui::StyleColorsDark();
            ImGuiStyle& s = ImGui::GetStyle();
            const ImVec4 black(0, 0, 0, 1), white(1, 1, 1, 1), yellow(1, 0.9f, 0.1f, 1);
            const ImVec4 grey(0.25f, 0.25f, 0.25f, 1);
            s.Colors[ImGuiCol_Text] = white;
            s.Colors[ImGuiCol_TextDisabled] = ImVec4(0.85f, 0.85f, 0.85f, 1);
            s.Colors[ImGuiCol_WindowBg] = black;
            s.Colors[ImGuiCol_ChildBg] = black;
            s.Colors[ImGuiCol_PopupBg] = black;
            s.Colors[ImGuiCol_Border] = white;
            s.Colors[ImGuiCol_FrameBg] = grey;
            s.Colors[ImGuiCol_FrameBgHovered] = ImVec4(0.4f, 0.4f, 0.4f, 1);
            s.Colors[ImGuiCol_TitleBg] = black;
            s.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.2f, 0.2f, 0.2f, 1);
            s.Colors[ImGuiCol_Button] = grey;
            s.Colors[ImGuiCol_ButtonHovered] = ImVec4(0.45f, 0.45f, 0.1f, 1);
            s.Colors[ImGuiCol_ButtonActive] = yellow;
            s.Colors[ImGuiCol_Header] = ImVec4(0.35f, 0.35f, 0.1f, 1);
            s.Colors[ImGuiCol_HeaderHovered] = ImVec4(0.5f, 0.5f, 0.1f, 1);
            s.Colors[ImGuiCol_CheckMark] = yellow;
            s.Colors[ImGuiCol_SliderGrab] = yellow;
            s.Colors[ImGuiCol_PlotHistogram] = yellow;
            s.FrameBorderSize = 1.0f;
            s.WindowBorderSize = 2.0f;
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

// A config with a source sweep opens its first source instance (a session runs one source);
// `note` then says so, once, for the status line and the log.
RunConfig first_source_instance(const RunConfig& config, std::string& note) {
    if (config.source_sweep.empty()) return config;
    const std::size_t count = expand_sources(config).size();
    RunConfig one = config_for_source(config, 0);
    note = "source sweep: showing " + one.source_label + ", instance 1 of " +
           std::to_string(count) + "; kvscope run evaluates all";
    return one;
}

void handle_shortcuts(const Snapshot& snap, ui::Workspace& w) {
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;  // typing in a field never triggers shortcuts
    ui::Sink& sink = w.sink;
    ui::Settings& settings = w.settings;
    if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) {
        sink.send(snap.playing ? Command{command::Pause{}} : Command{command::Play{}});
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) sink.send(command::Step{settings.speed});
    if (ImGui::IsKeyPressed(GLFW_KEY_LEFT) && snap.tokens_seen > 0) {  // one evaluation back
        const auto points = ui::timeline_points(snap);
        const auto at = std::lower_bound(points.begin(), points.end(), snap.tokens_seen);
        sink.send(command::Seek{*std::prev(at)});
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) {
        if (io.KeyShift) {
            sink.send(command::NewSeed{snap.config->seed + 1});
        } else {
            sink.send(command::Reset{});
        }
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_F12, false) ||
        (!io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_S, false))) {
        sink.request({ui::Request::Kind::Screenshot});
    }
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_S, false))
        sink.request({ui::Request::Kind::SaveSession});
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O, false)) settings.show_file_browser = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) settings.show_help = !settings.show_help;
    if (!io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_L, false))
        settings.show_lesson_picker = !settings.show_lesson_picker;
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD))) {
        settings.ui_scale = std::min(3.0f, settings.ui_scale + 0.1f);
    }
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT))) {
        settings.ui_scale = std::max(0.5f, settings.ui_scale - 0.1f);
    }
}

void write_sidecar(const std::string& png, const Snapshot& snap, const ui::Workspace& w) {
    const std::string json_path =
        std::filesystem::path(png).replace_extension(".session.json").string();
    std::ofstream(json_path) << ui::session_document(snap, w).dump(2) << '\n';
}

// The explorer's per-window state and one frame of it.
class Explorer {
  public:
    Explorer(GLFWwindow* window, const ExplorerOptions& opt, std::ostream& out, std::ostream& err)
        : window_(window), opt_(opt), out_(out), err_(err) {}

    int run();

  private:
    void start();
    /// One frame: UI, GL, the scripted screenshot, requests, commands. False after the last
    /// scripted frame.
    bool frame(int index);
    void build_ui(const Snapshot& snap, float width, float height, bool with_ui);
    void render_draw_data(int fb_w, int fb_h);
    std::string screenshot(const std::string& path, const Snapshot& snap, int scale, bool with_ui,
                           int fb_w, int fb_h);
    void scripted_screenshot(const Snapshot& snap, int frames, int fb_w, int fb_h);
    void handle_requests(const Snapshot& snap, int fb_w, int fb_h);
    void handle_request(const ui::Request& request, const Snapshot& snap, int fb_w, int fb_h);
    void send_commands();
    void open_path(const std::string& path, const Snapshot& snap);
    void open_session(const RunConfig& swept, const std::string& what);
    void export_csv(const Snapshot& snap);
    /// The lessons the picker lists, and the one named on the command line (with its scene).
    void load_lessons();
    std::optional<RunConfig> start_lesson();
    /// Takes the run to the step the Lesson panel asked for; its view waits for the scene.
    void apply_lesson_step(const Snapshot& snap);
    void apply_pending_lesson_view(const Snapshot& snap);
    ui::LessonPanelState* lessons();
    void autosave(const Snapshot& snap, bool force);
    /// Saves the session to the autosave path because signal `signal` asked the process to stop
    /// (whatever the mode: a scripted run is saved too), saying so on `err`.
    void save_on_signal(int signal);
    void report(const std::string& message, bool error);
    /// Reports an error that refused a file, config or lesson, also in the error dialog.
    void refuse(const std::string& message);
    void record_frame_time(std::chrono::steady_clock::time_point start, std::clock_t cpu_start);
    void report_frame_times(const Snapshot& snap);

    GLFWwindow* window_;
    const ExplorerOptions& opt_;
    std::ostream& out_;
    std::ostream& err_;
    ui::Workspace workspace_;
    std::unique_ptr<Runner> runner_;
    ui::StreamCatchUp catch_up_;  ///< streaming back to an opened session's position
    ui::Theme applied_theme_ = ui::Theme::Dark;
    float content_scale_ = 1.0f;
    ImFont* font_2x_ = nullptr;
    std::chrono::steady_clock::time_point last_autosave_ = std::chrono::steady_clock::now();
    std::uint64_t autosaved_version_ = 0;
    std::unique_ptr<gfx::EmbeddingRenderer> embedding_renderer_;
    bool embedding_error_reported_ = false;
    std::string logged_engine_error_;                   // the snapshot error last written to stderr
    std::vector<double> frame_ms_, embed_ms_, cpu_ms_;  // --report-frame-times
    std::optional<nlohmann::json> lesson_view_;         // a step's view, shown once its scene runs
    RunConfig lesson_scene_;
    int lesson_view_wait_ = 0;  // frames waited for the scene

  public:
    static std::vector<std::string> dropped;  // paths dropped on the window (GLFW callback)
};

std::vector<std::string> Explorer::dropped;

void Explorer::report(const std::string& message, bool error) {
    workspace_.sink.say(message);
    if (error) err_ << "kvscope: " << message << '\n';
}

void Explorer::refuse(const std::string& message) {
    report(message, true);
    workspace_.sink.refuse(message);
}

// No exception unwinds through a frame: a panel that throws is reported on the status line and
// ImGui's window stack is closed so the frame still renders.
void Explorer::build_ui(const Snapshot& snap, float width, float height, bool with_ui) {
    ImGui::NewFrame();
    try {
        if (with_ui) handle_shortcuts(snap, workspace_);
        workspace_.draw(snap, width, height, with_ui);
    } catch (const std::exception& e) {
        ui::recover_frame_after_exception();
        report(std::string("a panel failed: ") + e.what(), true);
    }
    // Each panel is contained on its own (Workspace::draw_panel); its failures reach the log
    // here, and so does the engine's error (a sketch whose view or stats threw, named), once
    // each time it changes.
    for (const std::string& line : workspace_.sink.log)
        err_ << "kvscope: " << line << '\n';
    workspace_.sink.log.clear();
    if (snap.error != logged_engine_error_) {
        if (!snap.error.empty()) err_ << "kvscope: " << snap.error << '\n';
        logged_engine_error_ = snap.error;
    }
    ImGui::Render();
    // The embedding view's texture, drawn after the frame's ImGui commands are recorded and
    // before they are rendered (the Image command references the texture by name).
    scene::Scenes& scenes = workspace_.scenes;
    embedding_renderer_->render(scenes.embedding, scenes.embedding_output);
    const std::string& gl_error = scenes.embedding_output.error;
    if (!gl_error.empty() && workspace_.sink.status != gl_error) {
        report(gl_error, !embedding_error_reported_);
        embedding_error_reported_ = true;
    }
}

void Explorer::report_frame_times(const Snapshot& snap) {
    if (frame_ms_.empty()) return;
    // Skip the first frames (font atlas, shader compilation, first uploads).
    const std::size_t skip = std::min<std::size_t>(5, frame_ms_.size() - 1);
    const auto quantile = [skip](std::vector<double> v, double q) {
        v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(skip));
        std::sort(v.begin(), v.end());
        return v[std::min(v.size() - 1,
                          static_cast<std::size_t>(q * static_cast<double>(v.size())))];
    };
    char line[320];
    std::snprintf(line, sizeof line,
                  "kvscope: frame times over %zu frames (%dx%d, %lld tokens, %lld points): "
                  "median %.2f ms, p90 %.2f ms, max %.2f ms; CPU time per frame (all "
                  "threads) median %.2f ms; embedding renderer median %.2f ms\n",
                  frame_ms_.size() - skip, opt_.width, opt_.height,
                  static_cast<long long>(snap.tokens_seen),
                  static_cast<long long>(snap.embedding ? snap.embedding->count : 0),
                  quantile(frame_ms_, 0.5), quantile(frame_ms_, 0.9), quantile(frame_ms_, 1.0),
                  quantile(cpu_ms_, 0.5), quantile(embed_ms_, 0.5));
    out_ << line;
}

void Explorer::render_draw_data(int fb_w, int fb_h) {
    glViewport(0, 0, fb_w, fb_h);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// At scale 1 with the UI the window's back buffer is saved as drawn. Otherwise one extra frame
// is laid out at `scale` times the window size (style and font scaled, input switched off) and
// rendered into an offscreen framebuffer, so text and lines are drawn at that resolution.
std::string Explorer::screenshot(const std::string& path, const Snapshot& snap, int scale,
                                 bool with_ui, int fb_w, int fb_h) {
    if (scale == 1 && with_ui) return gfx::save_framebuffer_png(path, fb_w, fb_h, false);
    ImGuiIO& io = ImGui::GetIO();
    const int w = fb_w * scale, h = fb_h * scale;
    gfx::OffscreenTarget target(w, h);
    if (!target.complete())
        return path + ": cannot create a " + std::to_string(w) + "x" + std::to_string(h) +
               " offscreen framebuffer";
    const ImGuiStyle saved_style = ImGui::GetStyle();
    const float saved_font_scale = io.FontGlobalScale;
    const ImVec2 saved_mouse = io.MousePos;
    bool saved_down[5];
    for (int b = 0; b < 5; ++b) {
        saved_down[b] = io.MouseDown[b];
        io.MouseDown[b] = false;
    }
    ui::Sink& sink = workspace_.sink;
    const std::size_t commands_before = sink.commands.size();
    const std::size_t requests_before = sink.requests.size();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    if (scale != 1) {
        ImGui::GetStyle().ScaleAllSizes(static_cast<float>(scale));
        if (font_2x_) {
            io.FontDefault = font_2x_;  // crisp glyphs rasterised at twice the size
        } else {
            io.FontGlobalScale = saved_font_scale * static_cast<float>(scale);
        }
    }
    build_ui(snap, static_cast<float>(w), static_cast<float>(h), with_ui);
    target.bind();
    render_draw_data(w, h);
    const std::string e = gfx::save_framebuffer_png(path, w, h, true);
    gfx::OffscreenTarget::unbind();
    ImGui::GetStyle() = saved_style;
    io.FontGlobalScale = saved_font_scale;
    io.FontDefault = nullptr;
    io.MousePos = saved_mouse;
    for (int b = 0; b < 5; ++b)
        io.MouseDown[b] = saved_down[b];
    sink.commands.resize(commands_before);  // the extra frame never acts
    sink.requests.resize(requests_before);
    return e;
}

void Explorer::scripted_screenshot(const Snapshot& snap, int frames, int fb_w, int fb_h) {
    const std::string e =
        screenshot(opt_.screenshot, snap, opt_.screenshot_scale, opt_.screenshot_ui, fb_w, fb_h);
    if (!e.empty()) {
        report(e, true);
        return;
    }
    write_sidecar(opt_.screenshot, snap, workspace_);
    out_ << "kvscope: wrote " << opt_.screenshot << " (" << fb_w * opt_.screenshot_scale << "x"
         << fb_h * opt_.screenshot_scale << ", " << frames << " frames)\n";
}

void Explorer::open_session(const RunConfig& swept, const std::string& what) {
    std::string sweep_note;
    const RunConfig config = first_source_instance(swept, sweep_note);
    workspace_.settings.source_sweep =
        swept.source_sweep.empty() ? nullptr : std::make_shared<const RunConfig>(swept);
    if (!sweep_note.empty()) out_ << "kvscope: " << sweep_note << '\n';
    std::string warnings;
    const Index position = ui::view_from_json(config.view, workspace_, warnings);
    // Streamed to the saved position only when the config could be built (a refused config
    // leaves the running scene exactly as it was), in bounded steps so frames keep drawing.
    catch_up_.start(position, config.tokens, runner_->snapshot()->version);
    workspace_.sink.send(command::Configure{config, catch_up_.first()});
    workspace_.sink.send(command::SetSpeed{workspace_.settings.speed});
    int& selected = workspace_.selection.sketch;
    selected = std::clamp(selected, 0, std::max(0, static_cast<int>(config.sketches.size()) - 1));
    report("opening " + what + (sweep_note.empty() ? "" : "; " + sweep_note) +
               (warnings.empty() ? "" : " (" + warnings + ")"),
           false);
}

// A .json is a session or run config; anything else is a data file streamed by the `file`
// source with the current sketches. A file that cannot be opened leaves everything as it was.
void Explorer::open_path(const std::string& path, const Snapshot& snap) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path full = fs::absolute(path, ec);
    if (!fs::exists(full, ec)) {
        refuse(path + ": no such file");
        return;
    }
    std::string ext = full.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".json") {
        try {
            open_session(load_run_config(full), full.filename().string());
        } catch (const std::exception& e) {
            refuse(std::string("cannot open ") + path + ": " + e.what());
        }
        return;
    }
    if (!ui::is_openable_file(full.string())) {
        refuse(path + ": kvscope opens .json sessions and .npy .npz .safetensors .csv data");
        return;
    }
    RunConfig next = *snap.config;
    const DataFileOpening opening = open_data_file(full.string());
    next.source_id = "file";
    next.source_params = opening.params;
    next.source_label.clear();  // no longer an instance of an opened source sweep
    workspace_.sink.send(command::Configure{next});
    report(opening.note + "; a file that cannot be read leaves the current stream", false);
}

void Explorer::autosave(const Snapshot& snap, bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force &&
        (now - last_autosave_ < std::chrono::seconds(30) || snap.version == autosaved_version_)) {
        return;
    }
    last_autosave_ = now;
    autosaved_version_ = snap.version;
    const std::string e = ui::save_session(ui::autosave_path(), snap, workspace_);
    if (!e.empty() && force) err_ << "kvscope: autosave: " << e << '\n';
}

void Explorer::save_on_signal(int signal) {
    const std::string path = ui::autosave_path().string();
    const std::string e = ui::save_session(path, *runner_->snapshot(), workspace_);
    const std::string name = signal == SIGTERM  ? "SIGTERM"
                             : signal == SIGINT ? "SIGINT"
                                                : "signal " + std::to_string(signal);
    if (e.empty()) {
        err_ << "kvscope: " << name << ": saved the session to " << path << "; exit "
             << 128 + signal << '\n';
    } else {
        err_ << "kvscope: " << name << ": could not save the session: " << e << '\n';
    }
}

void Explorer::export_csv(const Snapshot& snap) {
    const auto path = ui::numbered_path(".", "kvscope_metrics", ".csv");
    std::ofstream f(path);
    f << ui::run_csv(snap);
    report(f ? "wrote " + path.string() + " (" + std::to_string(snap.history.size()) +
                   " rows, the schema of kvscope run)"
             : path.string() + ": cannot write the CSV",
           !f);
}

void Explorer::handle_requests(const Snapshot& snap, int fb_w, int fb_h) {
    // The last file dropped this frame wins.
    if (!dropped.empty()) workspace_.sink.request({ui::Request::Kind::Open, dropped.back()});
    dropped.clear();
    std::vector<ui::Request> requests;
    requests.swap(workspace_.sink.requests);
    for (const ui::Request& r : requests) {
        try {
            handle_request(r, snap, fb_w, fb_h);
        } catch (const std::exception& e) {
            report(e.what(), true);
        }
    }
}

void Explorer::handle_request(const ui::Request& request, const Snapshot& snap, int fb_w,
                              int fb_h) {
    using Kind = ui::Request::Kind;
    switch (request.kind) {
        case Kind::Open:
            open_path(request.path, snap);
            break;
        case Kind::SaveSession: {
            const std::string e = ui::save_session("kvscope_session.json", snap, workspace_);
            report(e.empty() ? "saved session to kvscope_session.json" : e, !e.empty());
            break;
        }
        case Kind::RestoreLastSession:
            try {
                open_session(load_run_config(ui::autosave_path()), "the last session");
            } catch (const std::exception& e) {
                refuse(std::string("no last session to restore: ") + e.what());
            }
            break;
        case Kind::ExportCsv:
            export_csv(snap);
            break;
        case Kind::LessonStep:
            apply_lesson_step(snap);
            break;
        case Kind::Screenshot: {
            const std::string path = ui::numbered_path(".", "kvscope", ".png").string();
            const ui::Settings& s = workspace_.settings;
            const std::string e =
                screenshot(path, snap, s.screenshot_scale, s.screenshot_with_ui, fb_w, fb_h);
            if (e.empty()) write_sidecar(path, snap, workspace_);
            report(e.empty() ? "saved " + path : e, !e.empty());
            break;
        }
    }
}

void Explorer::send_commands() {
    for (auto& c : workspace_.sink.commands)
        runner_->send(std::move(c));
    workspace_.sink.commands.clear();
}

ui::LessonPanelState* Explorer::lessons() {
    return workspace_.state<ui::LessonPanelState>("lesson");
}

void Explorer::load_lessons() {
    ui::LessonPanelState* L = lessons();
    if (!L || opt_.lessons_dir.empty()) return;
    for (const auto& file : lesson_files(opt_.lessons_dir)) {
        try {
            L->lessons.push_back(load_lesson(file));
        } catch (const std::exception& e) {
            L->problem += (L->problem.empty() ? "" : "\n") + std::string(e.what());
        }
    }
    if (!L->problem.empty()) refuse("a lesson could not be read: " + L->problem);
}

// `kvscope gui --lesson`: the lesson (from the list, or its own file) opens at its step; the
// run starts on that step's scene.
std::optional<RunConfig> Explorer::start_lesson() {
    ui::LessonPanelState* L = lessons();
    if (!L || opt_.lesson.empty()) return std::nullopt;
    namespace fs = std::filesystem;
    std::error_code ec;
    int index = -1;
    for (std::size_t i = 0; i < L->lessons.size(); ++i)
        if (fs::equivalent(L->lessons[i].file, opt_.lesson, ec)) index = static_cast<int>(i);
    try {
        if (index < 0) {
            L->lessons.push_back(load_lesson(opt_.lesson));
            index = static_cast<int>(L->lessons.size()) - 1;
        }
        const Lesson& l = L->lessons[static_cast<std::size_t>(index)];
        const int step = std::clamp(opt_.lesson_step - 1, 0, static_cast<int>(l.steps.size()) - 1);
        L->open = index;
        L->step = step;
        L->requested = step;
        workspace_.settings.lesson_open = true;
        return step_configs(l)[static_cast<std::size_t>(step)];
    } catch (const std::exception& e) {
        refuse(std::string("cannot open the lesson: ") + e.what());
    }
    return std::nullopt;
}

void Explorer::apply_lesson_step(const Snapshot& snap) {
    ui::LessonPanelState* L = lessons();
    if (!L || L->open < 0 || L->requested < 0) return;
    const Lesson& l = L->lessons[static_cast<std::size_t>(L->open)];
    const auto k = static_cast<std::size_t>(L->requested);
    L->requested = -1;
    const LessonStep& step = l.steps[k];
    const RunConfig scene = step_configs(l)[k];
    for (auto& c : ui::lesson_step_commands(*snap.config, snap.tokens_seen, scene, step.position))
        workspace_.sink.send(std::move(c));
    lesson_view_ = ui::lesson_view_object(step.view, scene);
    lesson_scene_ = scene;
    lesson_view_wait_ = 0;
    L->step = static_cast<int>(k);
    report("lesson " + l.name + ", step " + std::to_string(k + 1) + ": " + step.title, false);
}

// The step's view names the step scene's sketches, so it is applied once that scene runs (a
// replaced run takes a few frames); a scene that never comes (refused) drops it after 10 s.
void Explorer::apply_pending_lesson_view(const Snapshot& snap) {
    if (!lesson_view_) return;
    if (!ui::scene_is_running(*snap.config, lesson_scene_) && ++lesson_view_wait_ < 600) return;
    std::string warnings;
    ui::view_from_json(*lesson_view_, workspace_, warnings);
    if (!warnings.empty()) report("lesson view: " + warnings, true);
    lesson_view_.reset();
}

// Fonts, the drop callback, the start config and its view, the renderer and the Runner.
void Explorer::start() {
    ImGuiIO& io = ImGui::GetIO();
    float yscale = 1.0f;
    glfwGetWindowContentScale(window_, &content_scale_, &yscale);
    content_scale_ = std::max(1.0f, content_scale_);
    workspace_.settings.ui_scale = content_scale_;
    if (std::filesystem::exists(kFontPath)) {
        io.Fonts->AddFontFromFileTTF(kFontPath, 15.0f * content_scale_, nullptr, kGlyphRanges);
        font_2x_ =
            io.Fonts->AddFontFromFileTTF(kFontPath, 30.0f * content_scale_, nullptr, kGlyphRanges);
    }
    glfwSetDropCallback(window_, [](GLFWwindow*, int count, const char** paths) {
        for (int i = 0; i < count; ++i)
            Explorer::dropped.emplace_back(paths[i]);
    });
    load_lessons();
    std::string warning;
    const std::optional<RunConfig> lesson_config = start_lesson();
    std::string sweep_note;
    const RunConfig start = lesson_config ? *lesson_config : load_start_config(opt_, warning);
    const RunConfig config = first_source_instance(start, sweep_note);
    // The Source sweep tab runs the whole sweep: set here too, not only for files opened later
    // (`gui --session real_attention_all_heads.json` showed "sweeps no parameter").
    if (!start.source_sweep.empty())
        workspace_.settings.source_sweep = std::make_shared<const RunConfig>(start);
    if (!warning.empty()) report(warning, true);
    if (!sweep_note.empty()) {
        report(sweep_note, false);
        out_ << "kvscope: " << sweep_note << '\n';
    }
    std::string view_warnings;
    const Index position = ui::view_from_json(config.view, workspace_, view_warnings);
    if (!view_warnings.empty()) report("session view: " + view_warnings, true);
    if (opt_.speed > 0) workspace_.settings.speed = static_cast<Index>(opt_.speed);  // wins
    apply_theme(workspace_.settings.theme);
    applied_theme_ = workspace_.settings.theme;
    embedding_renderer_ = std::make_unique<gfx::EmbeddingRenderer>();
    runner_ = std::make_unique<Runner>(config);
    runner_->send(command::SetSpeed{workspace_.settings.speed});
    catch_up_.start(position, config.tokens, runner_->snapshot()->version);
    if (const Index step = catch_up_.first()) runner_->send(command::Step{step});
    if (!opt_.open.empty()) {
        // A data file or session named on the command line: opened like a dropped file.
        open_path(opt_.open, *runner_->snapshot());
        send_commands();
        if (!workspace_.sink.status.empty()) out_ << "kvscope: " << workspace_.sink.status << '\n';
    }
    if (lesson_config) {
        apply_lesson_step(*runner_->snapshot());  // pauses at the step's position
        send_commands();
    } else if (opt_.play && opt_.frames <= 0) {
        runner_->send(command::Play{});
    }
    // On first start (no session saved yet) the lessons are offered at once.
    std::error_code ec;
    const bool first_start = !std::filesystem::exists(ui::autosave_path(), ec);
    if (opt_.frames <= 0 && opt_.session.empty() && opt_.open.empty() && !lesson_config &&
        first_start) {
        workspace_.settings.show_lesson_picker = true;
    }
}

void Explorer::record_frame_time(std::chrono::steady_clock::time_point start,
                                 std::clock_t cpu_start) {
    glFinish();  // count the GPU (llvmpipe) work of this frame, not just its submission
    frame_ms_.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    embed_ms_.push_back(workspace_.scenes.embedding_output.render_ms);
    // Process CPU time (every thread, llvmpipe's included; the Runner is idle here).
    cpu_ms_.push_back(1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
}

bool Explorer::frame(int index) {
    const bool scripted = opt_.frames > 0;
    if (scripted) {
        // Deterministic frames: each advances one tick and waits for it, so a scripted
        // screenshot shows the same state on every machine. A lesson stays at its step's
        // position.
        const ui::LessonPanelState* L = lessons();
        if (opt_.rewind_to >= 0 && index + 2 >= opt_.frames) {
            if (index + 2 == opt_.frames) {
                const auto points = ui::timeline_points(*runner_->snapshot());
                const auto at = std::upper_bound(points.begin(), points.end(), opt_.rewind_to);
                runner_->send(command::Seek{*std::prev(at)});
            }
        } else if (!L || L->open < 0) {
            runner_->send(command::Step{workspace_.settings.speed});
        }
        runner_->wait_idle();
    }
    // Frame time: UI work and rendering, not the scripted engine step above.
    const auto frame_start = std::chrono::steady_clock::now();
    const std::clock_t frame_cpu_start = std::clock();
    glfwPollEvents();
    const std::shared_ptr<const Snapshot> snap = runner_->snapshot();
    apply_pending_lesson_view(*snap);
    if (workspace_.settings.theme != applied_theme_) {
        apply_theme(workspace_.settings.theme);
        applied_theme_ = workspace_.settings.theme;
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    io.FontGlobalScale = workspace_.settings.ui_scale / content_scale_;
    // Xvfb parks the pointer mid-screen: a scripted screenshot would show whatever tooltip
    // lies under it.
    if (scripted) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    if (opt_.animate_view && index > 2) {
        // Alternating zoom: the view changes every frame, so points and field are redrawn.
        if (auto* e = workspace_.state<ui::EmbeddingPanelState>("embedding")) {
            e->camera.auto_fit = false;
            e->camera.zoom *= index % 2 ? 1.01f : 1.0f / 1.01f;
        }
    }
    build_ui(*snap, io.DisplaySize.x, io.DisplaySize.y, true);
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window_, &fb_w, &fb_h);
    render_draw_data(fb_w, fb_h);
    const bool last = scripted && index + 1 >= opt_.frames;
    if (last && !opt_.screenshot.empty()) scripted_screenshot(*snap, index + 1, fb_w, fb_h);
    handle_requests(*snap, fb_w, fb_h);
    glfwSwapBuffers(window_);
    if (opt_.report_frame_times) record_frame_time(frame_start, frame_cpu_start);
    if (const Index step = catch_up_.next(*snap)) workspace_.sink.send(command::Step{step});
    send_commands();
    if (!scripted) autosave(*runner_->snapshot(), false);
    return !last;
}

int Explorer::run() {
    start();
    int signal = 0;
    for (int index = 0; !glfwWindowShouldClose(window_); ++index) {
        // Between frames: the snapshot and the workspace are whole, so the save is consistent.
        if (opt_.stop_signal && (signal = opt_.stop_signal()) != 0) break;
        if (!frame(index)) break;
    }
    if (signal != 0) {
        save_on_signal(signal);
    } else if (opt_.frames <= 0) {
        autosave(*runner_->snapshot(), true);
    }
    if (opt_.report_frame_times) report_frame_times(*runner_->snapshot());
    runner_.reset();
    embedding_renderer_.reset();  // its GL objects go while the context is current
    return signal != 0 ? 128 + signal : 0;
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
    ImGui::GetIO().IniFilename = nullptr;  // layout is tiled by code; nothing to persist
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    int code = 0;
    {
        Explorer explorer(window, opt, out, err);
        code = explorer.run();
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return code;
}

}  // namespace kvscope
