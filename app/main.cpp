// kvscope: the explorer and the command line, two clients of the engine library.
#include "cli/cli.hpp"
#include "cli/interrupt.hpp"

#ifdef KVSCOPE_HAVE_GUI
#include "explorer.hpp"
#endif

int main(int argc, char** argv) {
#ifdef KVSCOPE_HAVE_GUI
    const kvscope::GuiLauncher launcher = [](const kvscope::GuiRequest& r, std::ostream& out,
                                             std::ostream& err) {
        kvscope::ExplorerOptions opt;
        opt.session = r.session;
        opt.open = r.open;
        opt.default_config = r.default_config;
        opt.frames = r.frames;
        opt.screenshot = r.screenshot;
        opt.width = r.width;
        opt.height = r.height;
        opt.screenshot_scale = r.screenshot_scale;
        opt.screenshot_ui = r.screenshot_ui;
        opt.report_frame_times = r.report_frame_times;
        opt.animate_view = r.animate_view;
        if (r.speed > 0) opt.speed = r.speed;
        opt.lessons_dir = r.lessons_dir;
        opt.lesson = r.lesson;
        opt.lesson_step = r.lesson_step;
        opt.rewind_to = r.rewind_to;
        opt.stop_signal = [] { return kvscope::interrupt_signal(); };
        return kvscope::run_explorer(opt, out, err);
    };
    return kvscope::run_cli(argc, argv, launcher);
#else
    return kvscope::run_cli(argc, argv);
#endif
}
