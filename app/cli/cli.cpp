#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli/results_table.hpp"
#include "core/registry.hpp"
#include "session/run_output.hpp"
#include "session/session.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {

namespace {

constexpr int kExitBadInput = 2;

nlohmann::json param_json(const ParamSpec& s) {
    nlohmann::json p = {
        {"key", s.key}, {"label", s.label}, {"help", s.help}, {"kind", to_string(s.kind)}};
    if (s.is_numeric()) {
        p["default"] = s.default_number;
        if (s.kind != ParamKind::Bool) {
            p["min"] = s.min;
            p["max"] = s.max;
            p["log_scale"] = s.log_scale;
        }
    } else {
        p["default"] = s.default_text;
        if (s.kind == ParamKind::Choice || s.kind == ParamKind::Sketch) p["choices"] = s.choices;
    }
    return p;
}

std::string param_line(const ParamSpec& s) {
    std::ostringstream o;
    o << "    " << std::left << std::setw(18) << s.key << ' ';
    std::string range;
    switch (s.kind) {
        case ParamKind::Int:
        case ParamKind::Float:
            range = format_number(s.default_number) + " in [" + format_number(s.min) + ", " +
                    format_number(s.max) + "]";
            break;
        case ParamKind::Bool:
            range = s.default_number != 0 ? "true" : "false";
            break;
        case ParamKind::Choice:
        case ParamKind::Sketch: {
            range = (s.kind == ParamKind::Sketch ? "sketch '" : "'") + s.default_text + "' of {";
            for (std::size_t i = 0; i < s.choices.size(); ++i) {
                range += (i ? ", " : "") + s.choices[i];
            }
            range += "}";
            break;
        }
        default:
            range = s.default_text.empty() ? "(" + std::string(to_string(s.kind)) + ")"
                                           : "'" + s.default_text + "'";
    }
    o << std::setw(34) << range << ' ' << s.help;
    return o.str();
}

int do_list(bool as_json, std::ostream& out) {
    if (as_json) {
        nlohmann::json doc;
        for (const auto& s : builtin_sources().all()) {
            nlohmann::json e = {{"id", s.id}, {"name", s.name}, {"summary", s.summary}};
            e["params"] = nlohmann::json::array();
            for (const auto& p : s.params)
                e["params"].push_back(param_json(p));
            doc["sources"].push_back(e);
        }
        for (const auto& s : builtin_sketches().all()) {
            nlohmann::json e = {{"id", s.id},
                                {"name", s.name},
                                {"summary", s.summary},
                                {"paper", s.paper},
                                {"subset_of_stream", s.subset_of_stream}};
            e["params"] = nlohmann::json::array();
            for (const auto& p : s.params)
                e["params"].push_back(param_json(p));
            doc["sketches"].push_back(e);
        }
        out << doc.dump(2) << '\n';
        return 0;
    }
    out << "Sources (\"source\": {\"id\": ..., \"params\": {...}}):\n";
    for (const auto& s : builtin_sources().all()) {
        out << "  " << s.id << " - " << s.summary << '\n';
        for (const auto& p : s.params)
            out << param_line(p) << '\n';
    }
    out << "\nSketches (\"sketches\": [{\"id\": ..., \"params\": {...}}]):\n";
    for (const auto& s : builtin_sketches().all()) {
        out << "  " << s.id << " - " << s.summary << '\n';
        if (!s.paper.empty()) out << "    paper: " << s.paper << '\n';
        for (const auto& p : s.params)
            out << param_line(p) << '\n';
    }
    return 0;
}

struct RunOptions {
    std::string config;
    std::string out_dir;
    long long seed = -1;
    long long tokens = -1;
    bool quiet = false;
};

int do_run(const RunOptions& opt, std::ostream& out) {
    RunConfig config = load_run_config(opt.config);
    if (opt.seed >= 0) config.seed = static_cast<std::uint64_t>(opt.seed);
    if (opt.tokens > 0) config.tokens = opt.tokens;
    Session session(config);
    if (!opt.quiet) {
        out << "kvscope run: " << session.sketches().size() << " sketch instance(s) on '"
            << config.source_id << "' (d=" << session.dim() << ", d_v=" << session.value_dim()
            << ", beta=" << format_number(session.beta()) << "), " << session.tokens_target()
            << " tokens, seed " << config.seed << '\n';
    }
    session.run_to_end();
    write_run_output(session, opt.out_dir);
    if (!opt.quiet) {
        out << '\n' << results_table(session) << '\n';
        const auto dir = std::filesystem::absolute(opt.out_dir).lexically_normal();
        out << "wrote " << (dir / "metrics.csv").string() << " (" << session.history().size()
            << " rows) and " << (dir / "manifest.json").string() << '\n';
    }
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv, const GuiLauncher& launcher) {
    return run_cli(argc, argv, std::cout, std::cerr, launcher);
}

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err,
            const GuiLauncher& launcher) {
    CLI::App app{"kvscope: see and measure streaming attention approximation", "kvscope"};
    app.set_version_flag("--version", std::string("kvscope ") + KVSCOPE_VERSION);
    app.require_subcommand(0, 1);

    RunOptions run_opt;
    CLI::App* run = app.add_subcommand("run",
                                       "Run a config headless; write metrics.csv and "
                                       "manifest.json");
    run->add_option("--config,-c", run_opt.config, "Run config (JSON, schema_version 1)")
        ->required();
    run->add_option("--out,-o", run_opt.out_dir, "Output folder")->required();
    run->add_option("--seed", run_opt.seed, "Override the config's seed")
        ->check(CLI::NonNegativeNumber);
    run->add_option("--tokens", run_opt.tokens, "Override the config's token count")
        ->check(CLI::PositiveNumber);
    run->add_flag("--quiet,-q", run_opt.quiet, "Print nothing but errors");

    bool list_json = false;
    CLI::App* list = app.add_subcommand("list", "List every source and sketch with parameters");
    list->add_flag("--json", list_json, "Machine-readable output");

    GuiRequest gui_req;
    CLI::App* gui = app.add_subcommand("gui", "Open the explorer window");
    gui->add_option("--session", gui_req.session, "Session or run config to open");
    gui->add_option("file", gui_req.open,
                    "A data file (.npy .npz .safetensors .csv) to stream with the scene's "
                    "sketches, or a session (.json)");
    gui->add_option("--frames", gui_req.frames, "Render N frames, then exit")
        ->check(CLI::PositiveNumber);
    gui->add_option("--screenshot", gui_req.screenshot,
                    "With --frames: write the last frame as PNG");
    gui->add_option("--scale", gui_req.screenshot_scale,
                    "Screenshot scale: 1, or 2 (rendered offscreen at twice the window size)")
        ->check(CLI::Range(1, 2));
    bool no_ui = false;
    gui->add_flag("--no-ui", no_ui, "Screenshot of the views only (no controls, no status line)");
    gui->add_option("--width", gui_req.width, "Window width")->check(CLI::Range(320, 8192));
    gui->add_option("--height", gui_req.height, "Window height")->check(CLI::Range(240, 8192));
    gui->add_flag("--report-frame-times", gui_req.report_frame_times,
                  "At exit, print the median, p90 and max frame time (benchmarking)");
    gui->add_flag("--animate-view", gui_req.animate_view,
                  "Zoom the embedding view in and out a little every frame, so it is redrawn "
                  "every frame (worst case for --report-frame-times)");
    gui->add_option("--speed", gui_req.speed, "Tokens per tick (per frame with --frames)")
        ->check(CLI::Range(1LL, 1000000LL));

    std::string default_config = std::string(KVSCOPE_ASSET_DIR) + "/configs/default.json";
    std::string default_out = "runs/default";
    app.add_option("--default-config", default_config,
                   "Config of the default scenario (no subcommand)");
    app.add_option("--default-out", default_out, "Output folder of the default scenario");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        out << app.help();
        return 0;
    } catch (const CLI::CallForVersion& e) {
        out << app.version() << '\n';
        return 0;
    } catch (const CLI::ParseError& e) {
        err << "kvscope: " << e.what() << " (see kvscope --help)\n";
        return kExitBadInput;
    }

    try {
        if (*list) return do_list(list_json, out);
        if (*run) return do_run(run_opt, out);
        if (*gui) {
            if (!launcher) {
                err << "kvscope: this build has no explorer window (built without the GUI)\n";
                return 1;
            }
            gui_req.default_config = default_config;
            gui_req.screenshot_ui = !no_ui;
            return launcher(gui_req, out, err);
        }
        // No subcommand: the explorer when a display is there, else the headless scenario.
        if (launcher) {
            GuiRequest def;
            def.default_config = default_config;
            const int code = launcher(def, out, err);
            if (code != 3) return code;
            out << "kvscope: no display for the explorer window, so here is the default "
                   "scenario headless instead (to see the window: run under a display or "
                   "xvfb-run)\n";
        }
        out << "kvscope: running the default scenario " << default_config << '\n';
        RunOptions def;
        def.config = default_config;
        def.out_dir = default_out;
        return do_run(def, out);
    } catch (const std::invalid_argument& e) {
        err << "kvscope: " << e.what() << '\n';
        return kExitBadInput;
    } catch (const std::exception& e) {
        err << "kvscope: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace kvscope
