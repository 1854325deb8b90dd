#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "cli/interrupt.hpp"
#include "cli/lessons_cmd.hpp"
#include "cli/merge_command.hpp"
#include "cli/plot_command.hpp"
#include "cli/results_table.hpp"
#include "cli/run_support.hpp"
#include "cli/sharded_run.hpp"
#include "core/parallel.hpp"
#include "core/registry.hpp"
#include "io/input_file.hpp"
#include "session/run_output.hpp"
#include "session/session.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {

namespace {

constexpr int kExitBadInput = 2;

// Every error is one line: whatever a message quotes (a path, a name from a file), control
// characters are escaped and it is cut at 2,000 characters.
std::string one_line(const std::string& message) {
    return printable(message, 2000);
}

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
    std::string seed;    ///< as typed; empty: the config's
    std::string tokens;  ///< as typed; empty: the config's
    bool quiet = false;
    int threads = default_thread_count();  ///< sketch instances run side by side (same rows)
    std::string shard;                     ///< "I/N" as typed; empty: the whole run
    bool resume = false;                   ///< continue the run in out_dir
};

// The manifest keys --resume and merge read (sharded_run.hpp), for the whole run (shard 1/1):
// `groups` lists the source instances that ran to their end.
void add_whole_run_keys(nlohmann::json& manifest, const RunConfig& config,
                        const nlohmann::json& groups, bool interrupted) {
    const std::vector<RunInstance> all = run_instances(config);
    add_plan_keys(manifest, config, ShardSpec{}, all, all);
    manifest["groups"] = groups;
    nlohmann::json done = nlohmann::json::array();
    for (const auto& g : groups) {
        for (const auto& id : g.at("instances"))
            done.push_back(id);
    }
    manifest["completed_instances"] = done;
    manifest["complete"] = !interrupted;
}

std::vector<std::size_t> source_ids(std::size_t source, std::size_t sketches) {
    std::vector<std::size_t> ids;
    for (std::size_t k = 0; k < sketches; ++k)
        ids.push_back(source * sketches + k);
    return ids;
}

// A manifest left by an earlier run in the folder goes before this run writes rows: --resume
// must never pair it with this run's metrics.csv (a run killed before its own manifest).
void remove_stale_manifest(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::remove(dir / "manifest.json", ec);
}

// The first sketch that failed during the run, as one line; "" when none did.
std::string failed_sketch_message(const Session& session) {
    int failed = 0;
    std::string first;
    for (std::size_t i = 0; i < session.sketches().size(); ++i) {
        const SketchSlot& slot = session.sketches()[i];
        if (slot.error.empty()) continue;
        if (failed++ == 0) {
            first = "sketch '" + slot.spec.label + "' (instance " + std::to_string(i) +
                    ") failed during the run: " + slot.error;
        }
    }
    if (failed > 1) first += " (and " + std::to_string(failed - 1) + " more sketches failed)";
    return first;
}

// The interrupt message of a run stopped at `tokens_seen` of `tokens_target` (`where` says
// which source instance, for a source sweep); returns the exit code.
int report_interrupt(int signal, const std::string& where, Index tokens_seen, Index tokens_target,
                     const MetricsCsvWriter& csv, std::ostream& err) {
    err << "kvscope: interrupted by " << interrupt_signal_name(signal) << where << " at "
        << tokens_seen << " of " << tokens_target << " tokens; wrote " << csv.rows_written()
        << " rows to " << csv.path().string() << " and manifest.json (\"interrupted\": true); exit "
        << interrupt_exit_code(signal) << '\n';
    return interrupt_exit_code(signal);
}

// A source sweep: every source instance in turn, each a Session of its own, its rows appended
// to one metrics.csv; one ranking line per source instance at the end.
int do_swept_run(const RunConfig& config, const RunOptions& opt, std::ostream& out,
                 std::ostream& err) {
    const std::size_t count = expand_sources(config).size();
    for (std::size_t i = 0; i < count; ++i)
        Session check(config_for_source(config, i), builtin_sketches(),
                      StreamStorage::Discard);  // bad input in any instance, first
    prepare_output_folder(opt.out_dir);
    if (!opt.quiet) {
        out << "kvscope run: " << count << " source instances of '" << config.source_id << "' x "
            << expand_sketches(config).size() << " sketch instance(s), seed " << config.seed
            << '\n';
    }
    const auto dir = std::filesystem::absolute(opt.out_dir).lexically_normal();
    remove_stale_manifest(dir);
    MetricsCsvWriter csv(dir, config.timing);
    nlohmann::json instances = nlohmann::json::array();
    std::vector<std::string> ranking;
    std::string failure;
    std::unique_ptr<Session> session;
    nlohmann::json groups = nlohmann::json::array();
    const std::size_t sketches = expand_sketches(config).size();
    ProgressMeter progress(err, progress_wanted(opt.quiet, err), count * sketches,
                           static_cast<Index>(count) * config.tokens);
    int signal = 0;
    const InterruptGuard guard;
    for (std::size_t i = 0; i < count && signal == 0; ++i) {
        session = std::make_unique<Session>(config_for_source(config, i), builtin_sketches(),
                                            StreamStorage::Discard);
        session->set_threads(opt.threads);
        csv.next_session();
        progress.start_session(sketches, session->tokens_target(), config.tokens);
        const std::size_t rows_before = csv.rows_written();
        signal = stream_run(*session, csv, &progress);
        progress.end_session(session->tokens_target());
        progress.clear();
        if (signal == 0) {
            groups.push_back(group_entry(i, session->config().source_label, source_ids(i, sketches),
                                         csv.rows_written() - rows_before));
        }
        instances.push_back(source_instance_manifest(*session, i));
        ranking.push_back(ranking_line(*session));
        if (const std::string f = failed_sketch_message(*session); failure.empty() && !f.empty())
            failure = "source " + session->config().source_label + ": " + f;
        if (!opt.quiet && signal == 0)
            out << "  " << i + 1 << "/" << count << " " << session->config().source_label << '\n';
    }
    nlohmann::json manifest_json =
        swept_run_manifest(config, instances, count, *session, signal != 0);
    add_whole_run_keys(manifest_json, config, groups, signal != 0);
    const std::string manifest = manifest_json.dump(2) + "\n";
    std::ofstream file(dir / "manifest.json", std::ios::binary);
    file << manifest;
    if (!file) throw std::runtime_error((dir / "manifest.json").string() + ": cannot write file");
    if (signal != 0) {
        return report_interrupt(signal,
                                " in source instance " + std::to_string(instances.size()) + " of " +
                                    std::to_string(count) + " (" + session->config().source_label +
                                    ")",
                                session->tokens_seen(), session->tokens_target(), csv, err);
    }
    if (!opt.quiet) {
        out << '\n' << ranking_heading(*session) << '\n';
        for (const std::string& line : ranking)
            out << "  " << line << '\n';
        out << "wrote " << csv.path().string() << " (" << csv.rows_written() << " rows) and "
            << (dir / "manifest.json").string() << '\n';
    }
    if (!failure.empty()) {
        err << "kvscope: " << one_line(failure) << '\n';
        return 1;
    }
    return 0;
}

int do_run(const RunOptions& opt, std::ostream& out, std::ostream& err) {
    RunConfig config = load_run_config(opt.config);
    if (!opt.seed.empty()) override_seed(config, opt.seed, "--seed");
    if (!opt.tokens.empty()) override_tokens(config, opt.tokens, "--tokens");
    if (!opt.shard.empty() || opt.resume) {
        ShardedRunOptions sharded;
        sharded.out_dir = opt.out_dir;
        if (!opt.shard.empty()) sharded.shard = parse_shard(opt.shard);
        sharded.resume = opt.resume;
        sharded.quiet = opt.quiet;
        sharded.threads = opt.threads;
        return run_sharded(config, sharded, out, err);
    }
    if (!config.source_sweep.empty()) return do_swept_run(config, opt, out, err);
    // Bad input in the config or its files is reported first. A batch run never edits, so it
    // keeps only what the sketches need of the stream (memory flat on endless streams).
    Session session(config, builtin_sketches(), StreamStorage::Discard);
    session.set_threads(opt.threads);
    prepare_output_folder(opt.out_dir);
    if (!opt.quiet) {
        out << "kvscope run: " << session.sketches().size() << " sketch instance(s) on '"
            << config.source_id << "' (d=" << session.dim() << ", d_v=" << session.value_dim()
            << ", beta=" << format_number(session.beta()) << "), " << session.tokens_target()
            << " tokens, seed " << config.seed << '\n';
    }
    const auto dir = std::filesystem::absolute(opt.out_dir).lexically_normal();
    remove_stale_manifest(dir);
    MetricsCsvWriter csv(dir, session.config().timing);
    int signal = 0;
    {
        InterruptGuard guard;
        ProgressMeter progress(err, progress_wanted(opt.quiet, err), session.sketches().size(),
                               session.tokens_target());
        progress.start_session(session.sketches().size(), 0, 0);
        signal = stream_run(session, csv, &progress);
        progress.clear();
    }
    nlohmann::json manifest = run_manifest(session, signal != 0);
    nlohmann::json groups = nlohmann::json::array();
    if (signal == 0)
        groups.push_back(
            group_entry(0, "", source_ids(0, session.sketches().size()), csv.rows_written()));
    add_whole_run_keys(manifest, config, groups, signal != 0);
    {
        std::ofstream file(dir / "manifest.json", std::ios::binary);
        file << manifest.dump(2) << '\n';
        if (!file)
            throw std::runtime_error((dir / "manifest.json").string() + ": cannot write file");
    }
    if (signal != 0) {
        return report_interrupt(signal, "", session.tokens_seen(), session.tokens_target(), csv,
                                err);
    }
    if (!opt.quiet) {
        out << '\n' << results_table(session) << '\n';
        out << "wrote " << csv.path().string() << " (" << session.history().size() << " rows) and "
            << (dir / "manifest.json").string() << '\n';
    }
    // A sketch that threw stopped receiving tokens; its rows hold nan. The run is not a success.
    if (const std::string failure = failed_sketch_message(session); !failure.empty()) {
        err << "kvscope: " << one_line(failure) << '\n';
        return 1;
    }
    return 0;
}

// The subcommands' options, one function each (run_cli stays a readable dispatcher).
CLI::App* add_run_command(CLI::App& app, RunOptions& run_opt) {
    CLI::App* run = app.add_subcommand("run",
                                       "Run a config headless; write metrics.csv and "
                                       "manifest.json");
    run->footer(
        "metrics.csv is written row by row as the run goes. Ctrl+C (SIGINT) or SIGTERM stops "
        "at the next safe point (between chunks of at most 4,096 tokens), keeps the rows "
        "evaluated so far (complete lines), writes manifest.json with \"interrupted\": true "
        "and the tokens reached, and exits 130 (SIGINT) or 143 (SIGTERM); a second Ctrl+C exits "
        "at once.\nA config with a source sweep runs every source instance in turn, all into one "
        "metrics.csv (its column source_params names the instance), and prints one ranking line "
        "per instance.\nOn a terminal (stderr), one progress line is redrawn in place: "
        "instances done, tokens, elapsed, ETA; --quiet or output to a file or pipe shows none.\n"
        "--shard I/N runs one of N disjoint parts (each sketch instance on each source instance "
        "is one run instance, id = source x sketch_count + sketch; shards are balanced by "
        "estimated cost); its manifest records config_sha256, shard, run_instances and the "
        "finished groups. --resume continues a stopped run or shard in --out.\nExit codes: 0 done, "
        "1 a sketch failed during the run, 2 bad input, 130 "
        "interrupted (SIGINT), 143 terminated (SIGTERM).");
    run->add_option("--config,-c", run_opt.config, "Run config (JSON, schema_version 1)")
        ->required();
    run->add_option("--out,-o", run_opt.out_dir, "Output folder")->required();
    run->add_option("--seed", run_opt.seed,
                    "Override the config's seed (same rules as the config)");
    run->add_option("--tokens", run_opt.tokens,
                    "Override the config's token count (same limit as the config: 1 to 10^8)");
    run->add_flag("--quiet,-q", run_opt.quiet, "Print nothing but errors (and no progress line)");
    run->add_option("--shard", run_opt.shard,
                    "Run only shard I of N (I/N, 1 <= I <= N, as Slurm array task ids): a "
                    "deterministic, disjoint part of the run instances (sketch instance x source "
                    "instance), balanced by estimated cost; join the shards with kvscope merge");
    run->add_flag("--resume", run_opt.resume,
                  "Continue the run (or shard) in --out: finished source instances keep their "
                  "rows, the unfinished one runs again; refused (exit 2) when the folder's "
                  "manifest is from another config, version or shard");
    run->add_option("--threads", run_opt.threads,
                    "Threads for the sketch instances, which run side by side (default: the "
                    "machine's cores); metrics.csv is the same for every count, timing aside")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    return run;
}

CLI::App* add_merge_command(CLI::App& app, MergeOptions& merge_opt) {
    CLI::App* merge = app.add_subcommand(
        "merge", "Join the folders of kvscope run --shard I/N into one metrics.csv and manifest");
    merge->footer(
        "The shards must come from the same config (config_sha256) and kvscope version, each "
        "shard once, every one finished, their instances disjoint and complete; otherwise exit 2 "
        "with one line naming the folder or shard. Rows come in the order of the unsharded run; "
        "with \"timing\": false the merged metrics.csv equals the unsharded run's byte for "
        "byte.\nExit codes: 0 merged, 2 bad input (missing, duplicated, unfinished or foreign "
        "shard).");
    merge->add_option("dirs", merge_opt.inputs, "Shard folders (written by kvscope run --shard)")
        ->required();
    merge->add_option("--out,-o", merge_opt.out_dir, "Output folder")->required();
    merge->add_flag("--allow-partial", merge_opt.allow_partial,
                    "Merge what there is; list the missing shards and instances on stderr and in "
                    "the manifest (\"missing_shards\", \"missing_instances\")");
    merge->add_flag("--quiet,-q", merge_opt.quiet, "Print nothing but errors");
    return merge;
}

CLI::App* add_plot_command(CLI::App& app, PlotOptions& plot_opt) {
    CLI::App* plot =
        app.add_subcommand("plot", "Draw a figure (SVG or PNG) from a run's metrics.csv, headless");
    plot->add_option("--run,run", plot_opt.run, "Run folder (holding metrics.csv) or a CSV")
        ->required();
    plot->add_option("--x", plot_opt.x,
                     "x axis: memory (final error against memory, families connected with "
                     "their slope), tokens (error against tokens seen), or a numeric column")
        ->capture_default_str();
    plot->add_option("--metric,--y", plot_opt.metric, "y axis: a metrics.csv column")
        ->capture_default_str();
    plot->add_option("--out,-o", plot_opt.out, "Figure file: .svg or .png")->required();
    plot->add_option("--scale", plot_opt.scale, "Scale of text, lines and size (2: slides)")
        ->capture_default_str();
    plot->add_option("--width", plot_opt.width, "Width at scale 1")
        ->check(CLI::Range(320, 4096))
        ->capture_default_str();
    plot->add_option("--height", plot_opt.height, "Height at scale 1")
        ->check(CLI::Range(240, 4096))
        ->capture_default_str();
    plot->add_flag("--dark", plot_opt.dark, "The explorer's dark theme");
    plot->add_flag("--full-range", plot_opt.full_range,
                   "Error against tokens: fit the exact phase before each budget fills too");
    plot->add_option("--by", plot_opt.by,
                     "Group series by a column, one colour each: sketch, source_params, a source "
                     "parameter (layer, head), instance; default: sweep families");
    plot->add_flag("!--no-theory", plot_opt.theory,
                   "Leave out the theory curves (drawn against memory when the run folder's "
                   "manifest.json records the stream's logit bound B)");
    plot->add_option("--facet", plot_opt.facet,
                     "One small plot per value of a column (source_params, layer, head, sketch), "
                     "in a grid; at most 64");
    plot->footer(
        "A source sweep's source_params (\"layer=1;head=3\") also give numeric columns per key, "
        "so --x head, --by layer or --facet layer work on them.\nExample: kvscope plot runs/heads "
        "--x head --by sketch --facet layer -o heads.svg");
    return plot;
}

CLI::App* add_gui_command(CLI::App& app, GuiRequest& gui_req, bool& no_ui,
                          std::string& lesson_name) {
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
    gui->add_option("--rewind-to", gui_req.rewind_to,
                    "With --frames: before the last frame, scrub the timeline back to the last "
                    "evaluation point at or before TOKENS")
        ->check(CLI::NonNegativeNumber);

    gui->add_option("--lesson", lesson_name,
                    "Open a lesson (name as `kvscope lessons` lists it, its number, or a file)");
    gui->add_option("--step", gui_req.lesson_step, "With --lesson: the step to open (from 1)")
        ->check(CLI::Range(1, 1000));
    return gui;
}

CLI::App* add_lessons_command(CLI::App& app, LessonsOptions& lessons_opt, long long& lessons_seed) {
    lessons_opt.dir = std::string(KVSCOPE_ASSET_DIR) + "/lessons";
    CLI::App* lessons =
        app.add_subcommand("lessons", "List the lessons and their steps, or check their claims");
    lessons->add_option("name", lessons_opt.name, "One lesson (name, number or .json file)");
    lessons->add_flag("--json", lessons_opt.json, "List as JSON");
    lessons->add_flag("--check", lessons_opt.check,
                      "Run each lesson headless and check every step's claims (exit 1 naming "
                      "the lesson and step that fails)");
    lessons->add_flag("--verbose,-v", lessons_opt.verbose,
                      "With --check: print every claim's measurement and margin");
    lessons->add_option("--seed", lessons_seed, "With --check: run every scene with this seed")
        ->check(CLI::NonNegativeNumber);
    lessons->add_option("--dir", lessons_opt.dir, "Folder of lesson files");
    return lessons;
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
    CLI::App* run = add_run_command(app, run_opt);
    PlotOptions plot_opt;
    CLI::App* plot = add_plot_command(app, plot_opt);
    MergeOptions merge_opt;
    CLI::App* merge = add_merge_command(app, merge_opt);
    bool list_json = false;
    CLI::App* list = app.add_subcommand("list", "List every source and sketch with parameters");
    list->add_flag("--json", list_json, "Machine-readable output");

    GuiRequest gui_req;
    bool no_ui = false;
    std::string lesson_name;
    CLI::App* gui = add_gui_command(app, gui_req, no_ui, lesson_name);
    LessonsOptions lessons_opt;
    long long lessons_seed = -1;
    CLI::App* lessons = add_lessons_command(app, lessons_opt, lessons_seed);

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
        err << "kvscope: " << one_line(e.what()) << " (see kvscope --help)\n";
        return kExitBadInput;
    }

    try {
        if (*list) return do_list(list_json, out);
        if (*run) return do_run(run_opt, out, err);
        if (*plot) return do_plot(plot_opt, out);
        if (*merge) return do_merge(merge_opt, out, err);
        if (*lessons) {
            if (lessons_seed >= 0) lessons_opt.seed = static_cast<std::uint64_t>(lessons_seed);
            if (lessons_opt.json && lessons_opt.check)
                throw std::invalid_argument("lessons: --json lists; it does not go with --check");
            return run_lessons(lessons_opt, out, err);
        }
        if (*gui) {
            if (gui_req.lesson_step > 0 && lesson_name.empty())
                throw std::invalid_argument("gui: --step needs --lesson");
            if (!lesson_name.empty()) {
                gui_req.lesson = resolve_lesson_step(
                    lesson_name, std::string(KVSCOPE_ASSET_DIR) + "/lessons", gui_req.lesson_step);
            }
            if (!launcher) {
                err << "kvscope: this build has no explorer window (built without the GUI)\n";
                return 1;
            }
            gui_req.default_config = default_config;
            gui_req.lessons_dir = std::string(KVSCOPE_ASSET_DIR) + "/lessons";
            gui_req.screenshot_ui = !no_ui;
            const InterruptGuard guard;  // the explorer polls interrupt_signal() per frame
            return launcher(gui_req, out, err);
        }
        // No subcommand: the explorer when a display is there, else the headless scenario.
        if (launcher) {
            GuiRequest def;
            def.default_config = default_config;
            def.lessons_dir = std::string(KVSCOPE_ASSET_DIR) + "/lessons";
            int code = 0;
            {
                const InterruptGuard guard;
                code = launcher(def, out, err);
            }
            if (code != 3) return code;
            out << "kvscope: no display for the explorer window, so here is the default "
                   "scenario headless instead (to see the window: run under a display or "
                   "xvfb-run)\n";
        }
        out << "kvscope: running the default scenario " << default_config << '\n';
        RunOptions def;
        def.config = default_config;
        def.out_dir = default_out;
        return do_run(def, out, err);
    } catch (const std::invalid_argument& e) {
        err << "kvscope: " << one_line(e.what()) << '\n';
        return kExitBadInput;
    } catch (const std::exception& e) {
        err << "kvscope: " << one_line(e.what()) << '\n';
        return 1;
    }
}

}  // namespace kvscope
