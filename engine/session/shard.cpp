#include "session/shard.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <utility>

#include "core/registry.hpp"
#include "io/sha256.hpp"

namespace kvscope {

namespace {

constexpr int kMaxShards = 100000;

bool parse_int(std::string_view text, int& value) {
    if (text.empty()) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

ShardSpec parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    ShardSpec s;
    const bool ok = slash != std::string::npos &&
                    parse_int(std::string_view(text).substr(0, slash), s.index) &&
                    parse_int(std::string_view(text).substr(slash + 1), s.count);
    if (!ok || s.count < 1 || s.count > kMaxShards || s.index < 1 || s.index > s.count) {
        throw std::invalid_argument("--shard '" + text +
                                    "': expected I/N with 1 <= I <= N <= 100000 (1-based, as "
                                    "Slurm array task ids)");
    }
    return s;
}

double sketch_cost_estimate(const SketchInstanceSpec& spec, std::int64_t tokens) {
    const SketchInfo& info = builtin_sketches().at(spec.id, "sketch");
    double size = 0;
    if (info.state_bytes_at) {
        size = std::min(static_cast<double>(tokens) / 2, 8192.0);
    } else {
        for (const ParamSpec& p : info.params) {
            if (p.kind == ParamKind::Int && spec.params.has(p.key))
                size = std::max(size, static_cast<double>(spec.params.integer(p.key)));
        }
    }
    return static_cast<double>(tokens) * (1.0 + size / 256.0);
}

double source_cost_estimate(std::int64_t tokens) {
    const double t = static_cast<double>(tokens);
    return t * (1.0 + std::min(t / 2, 8192.0) / 256.0);
}

std::vector<RunInstance> run_instances(const RunConfig& config) {
    const std::vector<SourceInstanceSpec> sources = expand_sources(config);
    const std::vector<SketchInstanceSpec> sketches = expand_sketches(config);
    std::vector<double> costs;
    for (const SketchInstanceSpec& s : sketches)
        costs.push_back(sketch_cost_estimate(s, config.tokens));
    const double source_cost = source_cost_estimate(config.tokens);
    std::vector<RunInstance> out;
    for (std::size_t src = 0; src < sources.size(); ++src) {
        for (std::size_t k = 0; k < sketches.size(); ++k) {
            RunInstance r;
            r.id = src * sketches.size() + k;
            r.source = src;
            r.sketch = k;
            r.source_label = sources[src].label;
            r.sketch_label = sketches[k].label + (sketches[k].params_text.empty() ? "" : " ") +
                             sketches[k].params_text;
            r.cost = costs[k];
            r.source_cost = source_cost;
            out.push_back(std::move(r));
        }
    }
    return out;
}

std::vector<int> partition_by_cost(std::span<const double> costs, int bins) {
    // Every item its own group at no shared cost: plain LPT.
    std::vector<std::size_t> groups(costs.size());
    std::iota(groups.begin(), groups.end(), std::size_t{0});
    const std::vector<double> none(costs.size(), 0.0);
    return partition_by_cost(costs, groups, none, bins);
}

std::vector<int> partition_by_cost(std::span<const double> costs,
                                   std::span<const std::size_t> groups,
                                   std::span<const double> group_costs, int bins) {
    if (bins < 1) throw std::invalid_argument("partition: at least one bin");
    if (groups.size() != costs.size()) throw std::invalid_argument("partition: one group per item");
    std::vector<std::size_t> order(costs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
    // The bins by (load, index): the first is the least loaded, the lower one on a tie. A bin
    // that does not hold the item's group does best as that first bin; the bins that hold it are
    // few and checked one by one. Same choice as trying every bin, in O(items log bins).
    std::vector<double> load(static_cast<std::size_t>(bins), 0.0);
    std::set<std::pair<double, int>> by_load;
    for (int b = 0; b < bins; ++b)
        by_load.insert({0.0, b});
    std::map<std::size_t, std::vector<int>> holders;  // group -> bins holding it
    std::vector<int> bin_of(costs.size(), 0);
    for (const std::size_t item : order) {
        const std::size_t g = groups[item];
        std::vector<int>& held = holders[g];
        const int least = by_load.begin()->second;
        const bool least_holds = std::find(held.begin(), held.end(), least) != held.end();
        std::pair<double, int> best = {load[static_cast<std::size_t>(least)] + costs[item] +
                                           (least_holds ? 0.0 : group_costs[g]),
                                       least};
        for (const int b : held)
            best = std::min(best, {load[static_cast<std::size_t>(b)] + costs[item], b});
        const auto bin = static_cast<std::size_t>(best.second);
        by_load.erase({load[bin], best.second});
        load[bin] = best.first;
        by_load.insert({load[bin], best.second});
        if (std::find(held.begin(), held.end(), best.second) == held.end())
            held.push_back(best.second);
        bin_of[item] = best.second;
    }
    return bin_of;
}

std::vector<RunInstance> shard_instances(const std::vector<RunInstance>& instances,
                                         ShardSpec shard) {
    std::vector<double> costs;
    std::vector<std::size_t> groups;
    std::vector<double> group_costs;
    for (const RunInstance& r : instances) {
        costs.push_back(r.cost);
        groups.push_back(r.source);
        if (group_costs.size() <= r.source) group_costs.resize(r.source + 1, 0.0);
        group_costs[r.source] = r.source_cost;
    }
    const std::vector<int> bins = partition_by_cost(costs, groups, group_costs, shard.count);
    std::vector<RunInstance> out;
    for (std::size_t i = 0; i < instances.size(); ++i) {
        if (bins[i] == shard.index - 1) out.push_back(instances[i]);
    }
    return out;
}

RunConfig config_for_instances(const RunConfig& config, std::size_t source,
                               const std::vector<std::size_t>& sketches) {
    RunConfig out = config_for_source(config, source);
    const std::vector<SketchInstanceSpec> all = expand_sketches(config);
    out.sketches.clear();
    for (const std::size_t k : sketches) {
        out.sketches.push_back(explicit_entry(all.at(k)));
    }
    return out;
}

std::string config_sha256(const RunConfig& config) {
    // nlohmann::json objects keep their keys sorted, so dump() is canonical.
    return sha256_hex(to_json(config).dump());
}

std::vector<std::string> csv_records(const std::string& text, bool skip_header) {
    std::vector<std::string> out;
    std::size_t start = 0;
    bool quoted = false;
    bool header = skip_header;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"') quoted = !quoted;
        if (text[i] != '\n' || quoted) continue;
        if (!header) out.push_back(text.substr(start, i - start));
        header = false;
        start = i + 1;
    }
    return out;
}

std::vector<std::string> csv_fields(const std::string& record) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < record.size(); ++i) {
        const char c = record[i];
        if (c == '"') {
            // A doubled quote inside quotes is one quote character.
            if (quoted && i + 1 < record.size() && record[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else {
                quoted = !quoted;
            }
        } else if (c == ',' && !quoted) {
            out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    return out;
}

}  // namespace kvscope
