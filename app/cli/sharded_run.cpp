#include "cli/sharded_run.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cli/interrupt.hpp"
#include "cli/run_support.hpp"
#include "io/input_file.hpp"
#include "session/run_output.hpp"
#include "session/session.hpp"

namespace kvscope {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Written beside, then renamed over: a kill while writing leaves the previous manifest whole.
void write_manifest(const fs::path& dir, const json& manifest) {
    const fs::path tmp = dir / "manifest.json.tmp";
    {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        file << manifest.dump(2) << '\n';
        if (!file) throw std::runtime_error(tmp.string() + ": cannot write file");
    }
    std::error_code ec;
    fs::rename(tmp, dir / "manifest.json", ec);
    if (ec) throw std::runtime_error((dir / "manifest.json").string() + ": " + ec.message());
}

// One group: a source instance and the shard's sketch instances of it, in id order.
struct Group {
    std::size_t source = 0;
    std::string source_label;
    std::vector<std::size_t> sketches;
    std::vector<std::size_t> ids;
};

std::vector<Group> make_groups(const std::vector<RunInstance>& mine) {
    std::vector<Group> groups;
    for (const RunInstance& r : mine) {
        if (groups.empty() || groups.back().source != r.source)
            groups.push_back({r.source, r.source_label, {}, {}});
        groups.back().sketches.push_back(r.sketch);
        groups.back().ids.push_back(r.id);
    }
    return groups;
}

// What a resumed run keeps: the finished groups (manifest) and their rows (metrics.csv).
struct Resumed {
    json groups = json::array();
    std::set<std::size_t> done_sources;
    std::size_t done_instances = 0;
    std::vector<std::string> kept_rows;
};

Resumed read_resume(const fs::path& dir, const json& plan) {
    Resumed r;
    const fs::path path = dir / "manifest.json";
    if (!fs::exists(path)) return r;  // stopped before its first manifest: nothing finished
    json m;
    try {
        m = json::parse(read_text(path));
    } catch (const std::exception& e) {
        throw std::invalid_argument(printable(path.string()) + ": not a manifest (" + e.what() +
                                    "); --resume needs the folder of an earlier run");
    }
    for (const char* key : {"kvscope_version", "config_sha256", "shard"}) {
        if (m.value(key, json()) == plan.at(key)) continue;
        throw std::invalid_argument(
            printable(path.string()) + ": from another " +
            (std::string(key) == "shard" ? "shard" : std::string(key).substr(0, 6)) + " (" + key +
            " " + printable(m.value(key, json()).dump(), 80) + ", this run " +
            printable(plan.at(key).dump(), 80) + "); --resume continues the same config and shard");
    }
    std::size_t rows = 0;
    r.groups = m.value("groups", json::array());
    for (const json& g : r.groups) {
        rows += g.at("rows").get<std::size_t>();
        r.done_sources.insert(g.at("source").get<std::size_t>());
        r.done_instances += g.at("instances").size();
    }
    std::vector<std::string> records = csv_records(read_text(dir / "metrics.csv"), true);
    if (records.size() < rows) {
        throw std::invalid_argument(printable((dir / "metrics.csv").string()) + ": " +
                                    std::to_string(records.size()) + " rows, fewer than the " +
                                    std::to_string(rows) + " its manifest's finished groups wrote");
    }
    records.resize(rows);  // the rows of an unfinished group are dropped; it runs again
    r.kept_rows = std::move(records);
    return r;
}

json base_manifest(const RunConfig& config, ShardSpec shard, const std::vector<RunInstance>& all,
                   const std::vector<RunInstance>& mine) {
    json m;
    m["kvscope_version"] = KVSCOPE_VERSION;
    m["schema_version"] = kSchemaVersion;
    m["seed"] = config.seed;
    m["config"] = to_json(config);
    add_plan_keys(m, config, shard, all, mine);
    m["columns"] = metric_columns();
    return m;
}

void finish_manifest(json& m, const json& groups, bool complete, bool interrupted) {
    m["groups"] = groups;
    json done = json::array();
    for (const json& g : groups) {
        for (const json& id : g.at("instances"))
            done.push_back(id);
    }
    m["completed_instances"] = done;
    m["complete"] = complete;
    m["interrupted"] = interrupted;
}

std::string failed_sketches_line(const Session& session, const Group& g) {
    for (std::size_t i = 0; i < session.sketches().size(); ++i) {
        const SketchSlot& slot = session.sketches()[i];
        if (!slot.error.empty()) {
            return "sketch '" + slot.spec.label + "' (instance " + std::to_string(g.sketches[i]) +
                   ") failed during the run on source instance " + std::to_string(g.source) + ": " +
                   slot.error;
        }
    }
    return "";
}

}  // namespace

json group_entry(std::size_t source, const std::string& source_label,
                 const std::vector<std::size_t>& ids, std::size_t rows) {
    return {{"source", source}, {"source_label", source_label}, {"instances", ids}, {"rows", rows}};
}

void add_plan_keys(json& manifest, const RunConfig& config, ShardSpec shard,
                   const std::vector<RunInstance>& all, const std::vector<RunInstance>& mine) {
    manifest["config_sha256"] = config_sha256(config);
    manifest["shard"] = {{"index", shard.index}, {"count", shard.count}};
    manifest["instance_count"] = all.size();
    json list = json::array();
    for (const RunInstance& r : mine) {
        list.push_back({{"id", r.id},
                        {"source", r.source},
                        {"source_label", r.source_label},
                        {"sketch_instance", r.sketch},
                        {"label", r.sketch_label},
                        {"cost", r.cost}});
    }
    manifest["run_instances"] = list;
}

int run_sharded(const RunConfig& config, const ShardedRunOptions& opt, std::ostream& out,
                std::ostream& err) {
    const std::vector<RunInstance> all = run_instances(config);
    const std::vector<RunInstance> mine = shard_instances(all, opt.shard);
    const std::vector<Group> groups = make_groups(mine);
    for (const Group& g : groups)  // bad input in any group, before anything is written
        Session check(config_for_instances(config, g.source, g.sketches), builtin_sketches(),
                      StreamStorage::Discard);
    prepare_output_folder(opt.out_dir);
    const fs::path dir = fs::absolute(opt.out_dir).lexically_normal();
    json manifest = base_manifest(config, opt.shard, all, mine);
    Resumed resumed = opt.resume ? read_resume(dir, manifest) : Resumed{};
    const std::string shard_text =
        std::to_string(opt.shard.index) + "/" + std::to_string(opt.shard.count);
    if (!opt.quiet) {
        out << "kvscope run: shard " << shard_text << ", " << mine.size() << " of " << all.size()
            << " run instances on " << groups.size() << " source instance(s) of '"
            << config.source_id << "', seed " << config.seed << '\n';
        if (opt.resume) {
            out << "  resuming: " << resumed.done_instances << " instances ("
                << resumed.kept_rows.size() << " rows) already done\n";
        }
    }
    MetricsCsvWriter csv(dir, config.timing, resumed.kept_rows);
    json done_groups = resumed.groups;
    finish_manifest(manifest, done_groups, false, false);
    write_manifest(dir, manifest);

    ProgressMeter progress(err, progress_wanted(opt.quiet, err), mine.size(),
                           static_cast<Index>(groups.size()) * config.tokens);
    progress.add_done(resumed.done_instances);
    std::string failure;
    int signal = 0;
    const InterruptGuard guard;
    for (std::size_t gi = 0; gi < groups.size() && signal == 0; ++gi) {
        const Group& g = groups[gi];
        if (resumed.done_sources.count(g.source)) {
            progress.start_session(0, config.tokens, config.tokens);
            progress.end_session(config.tokens);
            continue;
        }
        Session session(config_for_instances(config, g.source, g.sketches), builtin_sketches(),
                        StreamStorage::Discard);
        progress.start_session(g.ids.size(), session.tokens_target(), config.tokens);
        csv.next_session(std::vector<int>(g.sketches.begin(), g.sketches.end()));
        const std::size_t rows_before = csv.rows_written();
        signal = stream_run(session, csv, &progress);
        if (signal != 0) break;
        progress.end_session(session.tokens_target());
        json entry = group_entry(g.source, g.source_label, g.ids, csv.rows_written() - rows_before);
        entry["source_instance"] = source_instance_manifest(session, g.source);
        done_groups.push_back(std::move(entry));
        finish_manifest(manifest, done_groups, false, false);
        write_manifest(dir, manifest);
        if (const std::string f = failed_sketches_line(session, g); failure.empty()) failure = f;
        if (!opt.quiet) {
            progress.clear();
            out << "  " << gi + 1 << "/" << groups.size() << " source instance " << g.source
                << (g.source_label.empty() ? "" : " (" + g.source_label + ")") << ", "
                << g.ids.size() << " instance(s)\n";
        }
    }
    progress.clear();
    finish_manifest(manifest, done_groups, signal == 0, signal != 0);
    write_manifest(dir, manifest);
    if (signal != 0) {
        err << "kvscope: interrupted by " << interrupt_signal_name(signal) << " in shard "
            << shard_text << "; wrote " << csv.rows_written() << " rows to " << csv.path().string()
            << " and manifest.json (\"interrupted\": true; continue with "
            << "--resume); exit " << interrupt_exit_code(signal) << '\n';
        return interrupt_exit_code(signal);
    }
    if (!opt.quiet) {
        out << "wrote " << csv.path().string() << " (" << csv.rows_written() << " rows) and "
            << (dir / "manifest.json").string() << '\n';
    }
    if (!failure.empty()) {
        err << "kvscope: " << printable(failure, 2000) << '\n';
        return 1;
    }
    return 0;
}

}  // namespace kvscope
