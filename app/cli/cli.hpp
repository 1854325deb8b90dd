// The kvscope command line: run, list, plot, gui.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace kvscope {

/// What `kvscope gui` asks of the explorer.
struct GuiRequest {
    std::string session;  ///< run config / session file, or empty for the default scene
    std::string open;     ///< a data file (.npy .npz .safetensors .csv) or session to open
    std::string default_config;
    int frames = 0;          ///< > 0: render N frames and exit
    std::string screenshot;  ///< PNG written after the last frame
    int width = 1600;
    int height = 900;
    int screenshot_scale = 1;         ///< 1 or 2 (offscreen at twice the window size)
    bool screenshot_ui = true;        ///< false: the views only, no controls or status line
    bool report_frame_times = false;  ///< print frame time statistics at exit
    bool animate_view = false;        ///< zoom the embedding view a little every frame (bench)
    long long speed = 0;              ///< tokens per tick (0: the explorer's default)
    std::string lessons_dir;          ///< the lessons the explorer's picker lists
    std::string lesson;               ///< a lesson file to open (validated), or ""
    int lesson_step = 0;              ///< its step, from 1 (0: the first)
    long long rewind_to = -1;         ///< with frames: the timeline scrubbed back to this position
};

/// Opens the explorer; returns an exit code (3: no window could be opened). The binary passes
/// one; tests and builds without a GUI pass none.
using GuiLauncher = std::function<int(const GuiRequest&, std::ostream&, std::ostream&)>;

/// Runs the command line with `argv`; returns the process exit code (0 ok, 2 bad input, 1 other
/// failure, 3 no window). Output goes to `out`, one-line errors to `err`.
int run_cli(int argc, char** argv, const GuiLauncher& launcher = {});
int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err,
            const GuiLauncher& launcher = {});

}  // namespace kvscope
