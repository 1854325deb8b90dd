// The explorer window: GLFW + Dear ImGui 1.86 + OpenGL 3.3 core. The engine runs in a Runner
// thread; the frame loop only reads snapshots and sends commands.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace kvscope {

struct ExplorerOptions {
    std::string session;         ///< run config / session JSON; empty = the default scene
    std::string open;            ///< a data file (or session) to open once the window is up
    std::string default_config;  ///< the default scene's config
    int frames = 0;              ///< > 0: render this many frames, then exit (scripted use)
    std::string screenshot;      ///< with frames: write the last frame here as PNG
    int width = 1600;
    int height = 900;
    bool play = true;           ///< start streaming at once
    int screenshot_scale = 1;   ///< 1 or 2 for the scripted screenshot
    bool screenshot_ui = true;  ///< false: the scripted screenshot shows the views only
    /// Print the median / p90 / max frame time (UI + GL, glFinish'ed) at exit (benchmarking).
    bool report_frame_times = false;
    long long speed = 0;        ///< tokens per tick; 0: the session's (or 64)
    bool animate_view = false;  ///< zoom the embedding view in and out every frame (benchmark)
    std::string lessons_dir;    ///< the lessons the picker lists (assets/lessons)
    std::string lesson;         ///< a lesson file to open at start ("" = none)
    int lesson_step = 0;        ///< its step, from 1 (0 = the first); scripted frames then stay
                                ///< at the step's position instead of stepping on
    /// >= 0 with frames: the second-to-last frame scrubs the timeline back to the last
    /// evaluation point at or before it instead of stepping (screenshots of the timeline).
    long long rewind_to = -1;
    /// Polled once per frame: a signal number (SIGTERM, SIGINT) once the process was asked to
    /// stop, else 0. The explorer then saves the session to the autosave path and returns
    /// 128 + that number. Empty: never asked.
    std::function<int()> stop_signal;
};

/// Opens the window and runs until it is closed (or `frames` frames were drawn, or stop_signal
/// reports a signal). Returns 0 on success, 3 when no window could be opened (no display, or
/// OpenGL older than 3.3; the reason goes to `err`), 2 on a bad session file, 128 + the signal
/// number when stopped by one (the session saved first).
int run_explorer(const ExplorerOptions& options, std::ostream& out, std::ostream& err);

}  // namespace kvscope
