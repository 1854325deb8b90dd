// Multi-seed comparison of sketches with uniform sampling at equal memory (issue 14): the
// harness behind the tables of docs/discrepancy.md.
//
//   ./build/bench/discrepancy_study bench/studies/STUDY.json [--seeds N] [--only SUBSTR]
//       [--sketches JSON] [--baseline JSON] [--csv OUT.csv] [--points] [--summary] [--threads T]
//
// A study names streams (run configs without sketches) and sketches (entries as in a run
// config, sweeps allowed). For every stream and seed, one Session runs the sketches together with
// a dense budget grid of the baseline (four budgets per octave; `uniform` over `budget` unless
// the study's "baseline" names {"id", "knob", "params"}), on the same stream and probes. At every
// evaluation point each sketch's rel_err_mean is set against uniform's at the same retained
// tokens (and, separately, at the same memory_floats), interpolated log-log between the two
// nearest budgets of that seed. A file source whose "layer" or "head" is "all" expands into one
// stream per head; a stream may carry its own "sketches" list, which replaces the study's (and
// --sketches replaces both). Seeds are 1..N; the run seed drives the source, the probes and
// every sketch.
//
// Printed per stream and sketch instance: final retained tokens and rel_err (means over seeds),
// uniform at equal tokens, the ratio of the means, the median and worst per-seed ratio at the
// last point, the worst ratio of seed means over every evaluation point where the sketch
// compresses, the same ratio at equal memory, and the count of non-finite errors.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "session/session.hpp"

namespace kvscope {
namespace {

struct Options {
    std::string study;
    int seeds = 0;  // 0: the study's
    std::string only;
    std::string sketches_json;
    std::string baseline_json;
    std::string csv;
    bool points = false;
    bool summary = false;
    int threads = 1;
};

struct Stream {
    std::string name;
    nlohmann::json config;
};

// One evaluation of one sketch instance on one seed, with uniform at equal tokens and memory.
struct Sample {
    Index tokens = 0;
    Index retained = 0;
    double memory = 0;
    double rel = 0;
    double uni_tokens = NAN;
    double uni_memory = NAN;
};

struct InstanceKey {
    std::string stream;
    int instance = 0;
    bool operator<(const InstanceKey& o) const {
        return stream != o.stream ? stream < o.stream : instance < o.instance;
    }
};

struct InstanceData {
    std::string label;
    std::map<int, std::vector<Sample>> by_seed;  // seed -> samples in token order
};

std::vector<Stream> expand_streams(const nlohmann::json& study) {
    std::vector<Stream> out;
    for (const auto& s : study.at("streams")) {
        const auto& params = s.at("source").value("params", nlohmann::json::object());
        const bool all_layers = params.contains("layer") && params.at("layer") == "all";
        const bool all_heads = params.contains("head") && params.at("head") == "all";
        if (!all_layers && !all_heads) {
            out.push_back({s.at("name").get<std::string>(), s});
            continue;
        }
        const int layers = all_layers ? s.value("layers", 2) : 1;
        const int heads = all_heads ? s.value("heads", 8) : 1;
        for (int l = 0; l < layers; ++l) {
            for (int h = 0; h < heads; ++h) {
                nlohmann::json c = s;
                c.erase("layers");
                c.erase("heads");
                if (all_layers) c["source"]["params"]["layer"] = l;
                if (all_heads) c["source"]["params"]["head"] = h;
                const int layer = c["source"]["params"].value("layer", 0);
                const int head = c["source"]["params"].value("head", 0);
                out.push_back({s.at("name").get<std::string>() + " L" + std::to_string(layer) +
                                   "H" + std::to_string(head),
                               c});
            }
        }
    }
    return out;
}

std::vector<Index> uniform_grid(Index tokens) {
    std::vector<Index> b;
    for (double x = 4; x < static_cast<double>(tokens) * 1.2; x *= std::pow(2.0, 0.25)) {
        const Index v = static_cast<Index>(std::llround(x));
        if (b.empty() || v > b.back()) b.push_back(v);
    }
    return b;
}

// Log-log interpolation of y at x over points sorted by x (x strictly increasing).
double interp_loglog(const std::vector<std::pair<double, double>>& pts, double x) {
    if (pts.size() < 2 || !(x > 0)) return NAN;
    std::size_t i = 0;
    while (i + 2 < pts.size() && x > pts[i + 1].first)
        ++i;
    const auto [x0, y0] = pts[i];
    const auto [x1, y1] = pts[i + 1];
    if (!(y0 > 0) || !(y1 > 0)) return NAN;
    const double t = std::log(x / x0) / std::log(x1 / x0);
    return std::exp(std::log(y0) + t * (std::log(y1) - std::log(y0)));
}

// The baseline every sketch is compared with: uniform over `budget` unless the study names
// another sketch and knob (e.g. hybrid with the reservoir residual over its budget).
nlohmann::json baseline_entry(const nlohmann::json& baseline, Index tokens) {
    const std::string knob = baseline.value("knob", "budget");
    nlohmann::json e = {{"id", baseline.value("id", "uniform")},
                        {"label", "baseline grid"},
                        {"sweep", {{knob, uniform_grid(tokens)}}}};
    if (baseline.contains("params")) e["params"] = baseline.at("params");
    return e;
}

RunConfig stream_config(const Stream& s, const nlohmann::json& sketches,
                        const nlohmann::json& baseline, int seed,
                        const std::filesystem::path& base) {
    nlohmann::json c = s.config;
    c.erase("name");
    c.erase("sketches");  // a stream's own list (Stream::sketches) replaces the study's
    c["schema_version"] = 1;
    c["seed"] = seed;
    c["timing"] = false;
    nlohmann::json list = sketches;
    list.push_back(baseline_entry(baseline, c.at("tokens").get<Index>()));
    c["sketches"] = list;
    return parse_run_config(c, base);
}

// "id k=v ..." with only the parameters that differ from their defaults.
std::string short_label(const SketchSlot& slot) {
    const auto& specs = slot.info->params;
    const nlohmann::json now = slot.spec.params.to_json(specs);
    const nlohmann::json def = ParamSet::defaults(specs).to_json(specs);
    std::string out = slot.spec.label;
    for (const auto& [k, v] : now.items())
        if (!def.contains(k) || def.at(k) != v)
            out += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    return out;
}

// Runs one stream at one seed; appends its samples to `data` (under `lock`).
void run_one(const Stream& s, const nlohmann::json& sketches, const nlohmann::json& baseline,
             int seed, const std::filesystem::path& base, std::map<InstanceKey, InstanceData>& data,
             std::mutex& lock) {
    const nlohmann::json& list = s.config.contains("sketches") ? s.config.at("sketches") : sketches;
    Session session(stream_config(s, list, baseline, seed, base));
    session.run_to_end();
    // uniform[tokens] = (retained, memory, rel) sorted by budget.
    std::map<Index, std::vector<std::array<double, 3>>> uniform;
    for (const MetricRow& r : session.history()) {
        if (r.label != "baseline grid" || r.retained_tokens >= r.tokens_seen) continue;
        uniform[r.tokens_seen].push_back(
            {static_cast<double>(r.retained_tokens), r.memory_floats, r.errors.rel_err_mean});
    }
    std::lock_guard<std::mutex> g(lock);
    for (const MetricRow& r : session.history()) {
        if (r.label == "baseline grid") continue;
        InstanceData& d = data[{s.name, r.instance}];
        if (d.label.empty()) d.label = short_label(session.sketches().at(r.instance));
        Sample x;
        x.tokens = r.tokens_seen;
        x.retained = r.retained_tokens;
        x.memory = r.memory_floats;
        x.rel = r.errors.rel_err_mean;
        auto it = uniform.find(r.tokens_seen);
        if (it != uniform.end() && r.retained_tokens < r.tokens_seen) {
            std::vector<std::pair<double, double>> by_tokens, by_memory;
            for (const auto& u : it->second) {
                by_tokens.push_back({u[0], u[2]});
                by_memory.push_back({u[1], u[2]});
            }
            x.uni_tokens = interp_loglog(by_tokens, static_cast<double>(r.retained_tokens));
            x.uni_memory = interp_loglog(by_memory, r.memory_floats);
        }
        d.by_seed[seed].push_back(x);
    }
}

double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

struct Row {
    double ratio = 0, worst_all = 0, worst_mem = 0, retained = 0;
    int nonfinite = 0;
};

// Per sketch label over every stream: geometric mean of the final ratio, the worst stream, the
// worst ratio over all points, the number of streams above 1.
void summarise(const std::map<std::string, std::vector<std::pair<std::string, Row>>>& rows) {
    std::printf("\n%-64s %7s %7s %7s %7s %-14s %6s %4s\n", "sketch (over streams)", "geomean",
                "worst", "allpts", "mem", "worst stream", ">1", "nan");
    for (const auto& [label, v] : rows) {
        double lg = 0, worst = 0, all = 0, mem = 0;
        int above = 0, nan = 0;
        std::string ws;
        for (const auto& [stream, r] : v) {
            lg += std::log(r.ratio) / static_cast<double>(v.size());
            if (r.ratio > worst) {
                worst = r.ratio;
                ws = stream;
            }
            all = std::max(all, r.worst_all);
            mem = std::max(mem, r.worst_mem);
            above += r.ratio > 1;
            nan += r.nonfinite;
        }
        std::printf("%-64.64s %7.3f %7.3f %7.3f %7.3f %-14.14s %3d/%-2zu %4d\n", label.c_str(),
                    std::exp(lg), worst, all, mem, ws.c_str(), above, v.size(), nan);
    }
}

void report(const std::map<InstanceKey, InstanceData>& data, const Options& opt) {
    std::map<std::string, std::vector<std::pair<std::string, Row>>> rows;
    std::printf("%-22s %-44s %8s %10s %10s %6s %6s %6s %6s %6s %4s\n", "stream", "sketch",
                "retained", "rel_err", "uniform", "ratio", "med", "worst", "allpts", "mem", "nan");
    std::string last_stream;
    for (const auto& [key, d] : data) {
        if (key.stream != last_stream && !last_stream.empty() && !opt.summary) std::printf("\n");
        last_stream = key.stream;
        // Samples per evaluation point (index into each seed's vector).
        const std::size_t points = d.by_seed.begin()->second.size();
        double worst_all = 0, worst_mem = 0;
        int nonfinite = 0;
        for (std::size_t p = 0; p < points; ++p) {
            double rel = 0, ut = 0, um = 0;
            int k = 0;
            for (const auto& [seed, v] : d.by_seed) {
                if (p >= v.size()) continue;
                if (!std::isfinite(v[p].rel)) ++nonfinite;
                rel += v[p].rel;
                ut += v[p].uni_tokens;
                um += v[p].uni_memory;
                ++k;
            }
            if (k == 0 || std::isnan(ut)) continue;
            worst_all = std::max(worst_all, rel / ut);
            worst_mem = std::max(worst_mem, rel / um);
            if (opt.points) {
                const Sample& s0 = d.by_seed.begin()->second[p];
                std::printf("    point tokens=%lld retained~%lld rel=%.4g uni=%.4g ratio=%.3f\n",
                            static_cast<long long>(s0.tokens), static_cast<long long>(s0.retained),
                            rel / k, ut / k, rel / ut);
            }
        }
        double ret = 0, rel = 0, uni = 0;
        std::vector<double> ratios;
        for (const auto& [seed, v] : d.by_seed) {
            const Sample& s = v.back();
            ret += static_cast<double>(s.retained);
            rel += s.rel;
            uni += s.uni_tokens;
            ratios.push_back(s.rel / s.uni_tokens);
        }
        const double n = static_cast<double>(d.by_seed.size());
        rows[d.label].push_back(
            {key.stream, {rel / uni, worst_all, worst_mem, ret / n, nonfinite}});
        if (opt.summary) continue;
        std::printf("%-22s %-44.44s %8.0f %10.4g %10.4g %6.3f %6.3f %6.3f %6.3f %6.3f %4d\n",
                    key.stream.c_str(), d.label.c_str(), ret / n, rel / n, uni / n, rel / uni,
                    median(ratios), *std::max_element(ratios.begin(), ratios.end()), worst_all,
                    worst_mem, nonfinite);
    }
    summarise(rows);
}

void write_csv(const std::map<InstanceKey, InstanceData>& data, const std::string& path) {
    std::ofstream out(path);
    out << "stream,sketch,seed,tokens_seen,retained,memory_floats,rel_err_mean,"
           "uniform_equal_tokens,uniform_equal_memory\n";
    for (const auto& [key, d] : data)
        for (const auto& [seed, v] : d.by_seed)
            for (const Sample& s : v)
                out << '"' << key.stream << "\",\"" << d.label << "\"," << seed << ',' << s.tokens
                    << ',' << s.retained << ',' << s.memory << ',' << s.rel << ',' << s.uni_tokens
                    << ',' << s.uni_memory << '\n';
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
            return argv[++i];
        };
        if (a == "--seeds")
            o.seeds = std::stoi(next());
        else if (a == "--only")
            o.only = next();
        else if (a == "--sketches")
            o.sketches_json = next();
        else if (a == "--baseline")
            o.baseline_json = next();
        else if (a == "--csv")
            o.csv = next();
        else if (a == "--points")
            o.points = true;
        else if (a == "--summary")
            o.summary = true;
        else if (a == "--threads")
            o.threads = std::max(1, std::stoi(next()));
        else if (o.study.empty())
            o.study = a;
        else
            throw std::invalid_argument("unexpected argument " + a);
    }
    if (o.study.empty()) throw std::invalid_argument("usage: discrepancy_study STUDY.json [...]");
    return o;
}

int run(const Options& opt) {
    std::ifstream in(opt.study);
    if (!in) throw std::invalid_argument("cannot read " + opt.study);
    const nlohmann::json study = nlohmann::json::parse(in);
    const std::filesystem::path base = std::filesystem::path(opt.study).parent_path();
    const nlohmann::json sketches =
        opt.sketches_json.empty() ? study.at("sketches") : nlohmann::json::parse(opt.sketches_json);
    const int seeds = opt.seeds > 0 ? opt.seeds : study.value("seeds", 8);
    const nlohmann::json baseline = !opt.baseline_json.empty()
                                        ? nlohmann::json::parse(opt.baseline_json)
                                        : study.value("baseline", nlohmann::json::object());
    std::vector<std::pair<const Stream*, int>> jobs;
    std::vector<Stream> streams = expand_streams(study);
    if (!opt.sketches_json.empty())
        for (Stream& st : streams)
            st.config.erase("sketches");
    for (const Stream& s : streams) {
        if (!opt.only.empty() && s.name.find(opt.only) == std::string::npos) continue;
        for (int seed = 1; seed <= seeds; ++seed)
            jobs.push_back({&s, seed});
    }
    std::map<InstanceKey, InstanceData> data;
    std::mutex lock;
    std::size_t next_job = 0;
    auto worker = [&]() {
        while (true) {
            std::size_t j;
            {
                std::lock_guard<std::mutex> g(lock);
                if (next_job >= jobs.size()) return;
                j = next_job++;
            }
            run_one(*jobs[j].first, sketches, baseline, jobs[j].second, base, data, lock);
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < opt.threads; ++t)
        pool.emplace_back(worker);
    for (auto& t : pool)
        t.join();
    report(data, opt);
    if (!opt.csv.empty()) write_csv(data, opt.csv);
    return 0;
}

}  // namespace
}  // namespace kvscope

int main(int argc, char** argv) {
    try {
        return kvscope::run(kvscope::parse_args(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "discrepancy_study: " << e.what() << "\n";
        return 2;
    }
}
