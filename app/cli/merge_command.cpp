#include "cli/merge_command.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>

#include "cli/run_support.hpp"
#include "io/input_file.hpp"
#include "session/run_config.hpp"
#include "session/shard.hpp"

namespace kvscope {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

[[noreturn]] void bad(const std::string& message) {
    throw std::invalid_argument("merge: " + message);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) bad(printable(path.string()) + ": cannot read");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Shard {
    std::string dir;
    json manifest;
    int index = 0;
    int count = 0;
};

std::string shard_name(int index, int count) {
    return std::to_string(index) + "/" + std::to_string(count);
}

Shard read_shard(const std::string& dir) {
    Shard s;
    s.dir = dir;
    try {
        s.manifest = json::parse(read_text(fs::path(dir) / "manifest.json"));
        const json& sh = s.manifest.at("shard");
        s.index = sh.at("index").get<int>();
        s.count = sh.at("count").get<int>();
        s.manifest.at("config_sha256").get<std::string>();
        s.manifest.at("groups").is_array();
    } catch (const std::invalid_argument&) {
        throw;
    } catch (const std::exception& e) {
        bad(printable(dir) +
            ": not the folder of a kvscope run (manifest.json: " + printable(e.what(), 200) + ")");
    }
    return s;
}

// Every shard from one config, version and N, each index once.
void check_shards(const std::vector<Shard>& shards) {
    const Shard& first = shards.front();
    std::map<int, const Shard*> seen;
    for (const Shard& s : shards) {
        if (s.manifest.at("config_sha256") != first.manifest.at("config_sha256")) {
            bad(printable(s.dir) + ": shard of another config (config_sha256 " +
                s.manifest.at("config_sha256").get<std::string>().substr(0, 12) + ", " +
                printable(first.dir) + " has " +
                first.manifest.at("config_sha256").get<std::string>().substr(0, 12) + ")");
        }
        if (s.manifest.value("kvscope_version", "") != first.manifest.value("kvscope_version", ""))
            bad(printable(s.dir) + ": written by another kvscope version");
        if (s.count != first.count) {
            bad(printable(s.dir) + ": shard " + shard_name(s.index, s.count) +
                " of another split (" + printable(first.dir) + " is shard " +
                shard_name(first.index, first.count) + ")");
        }
        if (const auto it = seen.find(s.index); it != seen.end()) {
            bad("shard " + shard_name(s.index, s.count) +
                " given twice: " + printable(it->second->dir) + " and " + printable(s.dir));
        }
        seen[s.index] = &s;
    }
}

// A row with the position the unsharded run gives it.
struct KeyedRow {
    std::size_t source = 0;
    long long tokens = 0;
    long long instance = 0;
    std::string text;
};

// The rows of the finished groups of one shard, each tagged with its source instance.
void collect_rows(const Shard& s, std::vector<KeyedRow>& rows, std::string& header) {
    const std::string text = read_text(fs::path(s.dir) / "metrics.csv");
    const std::string head = text.substr(0, text.find('\n'));
    if (header.empty()) header = head;
    if (head != header) bad(printable(s.dir) + ": metrics.csv has other columns");
    const std::vector<std::string> records = csv_records(text, true);
    std::size_t at = 0;
    for (const json& g : s.manifest.at("groups")) {
        const std::size_t source = g.at("source").get<std::size_t>();
        const std::size_t n = g.at("rows").get<std::size_t>();
        if (at + n > records.size())
            bad(printable(s.dir) + ": metrics.csv has fewer rows than its manifest lists");
        for (std::size_t i = at; i < at + n; ++i) {
            const std::vector<std::string> f = csv_fields(records[i]);
            if (f.size() < 7) bad(printable(s.dir) + ": metrics.csv row " + std::to_string(i + 1));
            rows.push_back({source, std::stoll(f[6]), std::stoll(f[0]), records[i]});
        }
        at += n;
    }
}

}  // namespace

int do_merge(const MergeOptions& opt, std::ostream& out, std::ostream& err) {
    if (opt.inputs.empty()) bad("no shard folders given");
    std::vector<Shard> shards;
    for (const std::string& dir : opt.inputs)
        shards.push_back(read_shard(dir));
    check_shards(shards);
    const json& first = shards.front().manifest;
    const int count = shards.front().count;
    std::vector<std::string> missing;
    std::vector<bool> present(static_cast<std::size_t>(count) + 1, false);
    for (const Shard& s : shards)
        present[static_cast<std::size_t>(s.index)] = true;
    for (int i = 1; i <= count; ++i) {
        if (!present[static_cast<std::size_t>(i)]) missing.push_back(shard_name(i, count));
    }
    if (!missing.empty() && !opt.allow_partial) {
        std::string list;
        for (const std::string& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        bad("missing shard" + std::string(missing.size() > 1 ? "s " : " ") + list +
            " (--allow-partial merges the others)");
    }
    // Disjoint instances; an unfinished shard is refused unless partial merges are allowed.
    std::map<std::size_t, std::string> owner;
    json instances = json::array();
    for (const Shard& s : shards) {
        if (!s.manifest.value("complete", false) && !opt.allow_partial) {
            bad(printable(s.dir) + ": shard " + shard_name(s.index, s.count) +
                " did not finish (continue it with kvscope run --resume, or --allow-partial)");
        }
        for (const json& r : s.manifest.value("run_instances", json::array())) {
            const std::size_t id = r.at("id").get<std::size_t>();
            if (owner.count(id)) {
                bad("instance " + std::to_string(id) + " is in both " + printable(owner[id]) +
                    " and " + printable(s.dir));
            }
            owner[id] = s.dir;
        }
    }
    std::vector<KeyedRow> rows;
    std::string header;
    json completed = json::array();
    json groups = json::array();
    for (const Shard& s : shards) {
        collect_rows(s, rows, header);
        for (const json& id : s.manifest.value("completed_instances", json::array()))
            completed.push_back(id);
        for (const json& r : s.manifest.value("run_instances", json::array()))
            instances.push_back(r);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const KeyedRow& a, const KeyedRow& b) {
        return std::tie(a.source, a.tokens, a.instance) < std::tie(b.source, b.tokens, b.instance);
    });
    std::sort(instances.begin(), instances.end(),
              [](const json& a, const json& b) { return a.at("id") < b.at("id"); });
    std::vector<std::size_t> done_ids;
    for (const json& id : completed)
        done_ids.push_back(id.get<std::size_t>());
    std::sort(done_ids.begin(), done_ids.end());
    const std::size_t total = first.value("instance_count", std::size_t{0});
    json missing_ids = json::array();
    for (std::size_t id = 0, j = 0; id < total; ++id) {
        if (j < done_ids.size() && done_ids[j] == id) {
            ++j;
        } else {
            missing_ids.push_back(id);
        }
    }
    if (!missing_ids.empty() && !opt.allow_partial)
        bad("the shards hold " + std::to_string(done_ids.size()) + " of " + std::to_string(total) +
            " instances (first missing: " + std::to_string(missing_ids.front().get<std::size_t>()) +
            ")");

    prepare_output_folder(opt.out_dir);
    const fs::path dir = fs::absolute(opt.out_dir).lexically_normal();
    {
        std::string text = header + '\n';
        for (const KeyedRow& r : rows)
            text += r.text + '\n';
        std::ofstream file(dir / "metrics.csv", std::ios::binary | std::ios::trunc);
        file << text;
        if (!file) throw std::runtime_error((dir / "metrics.csv").string() + ": cannot write file");
    }
    json m;
    for (const char* key : {"kvscope_version", "schema_version", "seed", "config", "config_sha256",
                            "instance_count", "columns"}) {
        if (first.contains(key)) m[key] = first.at(key);
    }
    m["shard"] = nullptr;
    json from = json::array();
    for (const Shard& s : shards)
        from.push_back({{"dir", s.dir},
                        {"index", s.index},
                        {"complete", s.manifest.value("complete", false)}});
    m["merged_from"] = from;
    m["shard_count"] = count;
    m["missing_shards"] = missing;
    m["missing_instances"] = missing_ids;
    m["run_instances"] = instances;
    m["complete"] = missing.empty() && missing_ids.empty();
    m["interrupted"] = false;
    {
        std::ofstream file(dir / "manifest.json", std::ios::binary | std::ios::trunc);
        file << m.dump(2) << '\n';
        if (!file)
            throw std::runtime_error((dir / "manifest.json").string() + ": cannot write file");
    }
    if (!missing.empty() || !missing_ids.empty()) {
        std::string list;
        for (const std::string& s : missing)
            list += (list.empty() ? "" : ", ") + s;
        err << "kvscope: merge: partial: missing shard(s) " << (list.empty() ? "none" : list)
            << "; " << missing_ids.size() << " of " << total << " instances missing (listed in "
            << (dir / "manifest.json").string() << ")\n";
    }
    if (!opt.quiet) {
        out << "kvscope merge: " << shards.size() << " of " << count << " shards, " << rows.size()
            << " rows; wrote " << (dir / "metrics.csv").string() << " and "
            << (dir / "manifest.json").string() << '\n';
    }
    return 0;
}

}  // namespace kvscope
