#include "session/run_config.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/random.hpp"
#include "core/registry.hpp"
#include "io/input_file.hpp"
#include "io/json_text.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& message) {
    throw std::invalid_argument(message);
}

// A whole number in [lo, hi]; `name` is how the message names it (config: "tokens", --tokens).
std::int64_t checked_count(const json& v, const std::string& name, std::int64_t lo,
                           std::int64_t hi) {
    if (!v.is_number() || v.get<double>() != std::floor(v.get<double>())) {
        fail(name + " must be a whole number, got " + json_excerpt(v));
    }
    const double x = v.get<double>();
    if (x < static_cast<double>(lo) || x > static_cast<double>(hi)) {
        fail(name + " = " + json_excerpt(v) + " is out of range [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]");
    }
    return static_cast<std::int64_t>(x);
}

std::int64_t get_count(const json& doc, const char* key, std::int64_t def, std::int64_t lo,
                       std::int64_t hi) {
    if (!doc.contains(key)) return def;
    return checked_count(doc.at(key), std::string("config: \"") + key + "\"", lo, hi);
}

// A seed: a whole number in [0, 2^64).
std::uint64_t checked_seed(const json& v, const std::string& name) {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
        fail(name + " must be a whole number in [0, 18446744073709551615], got " + json_excerpt(v));
    }
    return v.get<std::uint64_t>();
}

// A value typed on the command line, read as JSON so "1e15" and 1000000000000000 mean what they
// mean in a config.
json command_line_value(const std::string& text, const std::string& option) {
    json v;
    try {
        v = parse_json_text(text, option);
    } catch (const std::invalid_argument&) {
        fail(option + " " + printable(text, 40) + " is not a number");
    }
    if (!v.is_number()) fail(option + " " + printable(text, 40) + " is not a number");
    return v;
}

void check_keys(const json& obj, const std::vector<std::string>& allowed,
                const std::string& where) {
    for (const auto& [key, value] : obj.items()) {
        bool ok = false;
        for (const auto& a : allowed)
            ok = ok || a == key;
        if (!ok) {
            std::string list;
            for (const auto& a : allowed)
                list += (list.empty() ? "" : ", ") + a;
            fail(where + ": unknown key \"" + key + "\" (allowed: " + list + ")");
        }
    }
}

SketchEntry parse_entry(const json& e, std::size_t index) {
    const std::string where = "config: sketches[" + std::to_string(index) + "]";
    if (!e.is_object()) fail(where + " must be an object like {\"id\": \"uniform\"}");
    check_keys(e, {"id", "params", "sweep", "seed", "label"}, where);
    if (!e.contains("id") || !e.at("id").is_string()) fail(where + " needs a string \"id\"");
    SketchEntry s;
    s.id = e.at("id").get<std::string>();
    const SketchInfo& info = builtin_sketches().at(s.id, "sketch");
    (void)info;
    if (e.contains("params")) s.params = e.at("params");
    if (e.contains("sweep")) {
        s.sweep = e.at("sweep");
        if (!s.sweep.is_object()) fail(where + ": \"sweep\" must map a parameter to a list");
        for (const auto& [key, values] : s.sweep.items()) {
            if (!values.is_array() || values.empty()) {
                fail(where + ": sweep \"" + key + "\" must be a non-empty list of values");
            }
        }
    }
    if (e.contains("seed")) s.seed = checked_seed(e.at("seed"), where + ": \"seed\"");
    if (e.contains("label")) {
        if (!e.at("label").is_string()) fail(where + ": \"label\" must be a string");
        s.label = e.at("label").get<std::string>();
    }
    return s;
}

}  // namespace

double RunConfig::beta_for(int d) const {
    return beta ? *beta : 1.0 / std::sqrt(static_cast<double>(d));
}

RunConfig parse_run_config(const json& doc, const std::filesystem::path& base_dir) {
    if (!doc.is_object()) fail("config: the top level must be a JSON object");
    check_keys(doc,
               {"schema_version", "seed", "beta", "tokens", "eval_every", "probe_queries", "timing",
                "source", "sketches", "description", "name", "view"},
               "config");
    RunConfig c;
    c.base_dir = base_dir;
    if (!doc.contains("schema_version")) fail("config: \"schema_version\" is missing (use 1)");
    if (doc.at("schema_version") != kSchemaVersion) {
        fail("config: schema_version " + json_excerpt(doc.at("schema_version")) +
             " is not supported (this kvscope reads version 1)");
    }
    if (doc.contains("seed")) c.seed = checked_seed(doc.at("seed"), "config: \"seed\"");
    if (doc.contains("beta")) {
        const json& b = doc.at("beta");
        if (b.is_string() && b.get<std::string>() == "inv_sqrt_d") {
            c.beta.reset();
        } else if (b.is_number() && b.get<double>() > 0 && b.get<double>() <= kMaxBeta) {
            c.beta = b.get<double>();
        } else {
            // Above 10^4 the logits beta <k, q> leave the range the float sketches can
            // exponentiate (1e308 gave nan in every column).
            fail("config: \"beta\" must be \"inv_sqrt_d\" or a number in (0, " +
                 format_number(kMaxBeta) + "], got " + json_excerpt(b));
        }
    }
    c.tokens = get_count(doc, "tokens", c.tokens, 1, kMaxTokens);
    c.eval_every = get_count(doc, "eval_every", c.eval_every, 1, kMaxEvalEvery);
    c.probe_queries =
        static_cast<int>(get_count(doc, "probe_queries", c.probe_queries, 1, kMaxProbeQueries));
    if (doc.contains("timing")) {
        if (!doc.at("timing").is_boolean()) fail("config: \"timing\" must be true or false");
        c.timing = doc.at("timing").get<bool>();
    }
    for (const char* key : {"description", "name"}) {
        if (doc.contains(key) && !doc.at(key).is_string()) {
            fail(std::string("config: \"") + key + "\" must be a string");
        }
    }
    if (doc.contains("description")) c.description = doc.at("description").get<std::string>();
    if (doc.contains("view")) {
        if (!doc.at("view").is_object()) fail("config: \"view\" must be an object");
        c.view = doc.at("view");
    }

    if (!doc.contains("source") || !doc.at("source").is_object()) {
        fail("config: \"source\" is missing; e.g. {\"id\": \"isotropic_ball\"}");
    }
    const json& src = doc.at("source");
    check_keys(src, {"id", "params"}, "config: source");
    if (!src.contains("id") || !src.at("id").is_string()) fail("config: source needs an \"id\"");
    c.source_id = src.at("id").get<std::string>();
    const SourceInfo& sinfo = builtin_sources().at(c.source_id, "source");
    if (src.contains("params")) c.source_params = src.at("params");
    ParamSet::from_json(sinfo.params, c.source_params, "source '" + c.source_id + "'");

    if (!doc.contains("sketches") || !doc.at("sketches").is_array() || doc.at("sketches").empty()) {
        fail("config: \"sketches\" must be a non-empty list, e.g. [{\"id\": \"exact\"}]");
    }
    const json& list = doc.at("sketches");
    for (std::size_t i = 0; i < list.size(); ++i)
        c.sketches.push_back(parse_entry(list[i], i));
    expand_sketches(c);  // validates every parameter and sweep value now
    return c;
}

RunConfig load_run_config(const std::filesystem::path& path) {
    const json doc = load_json_file(path.string(), "config file");
    try {
        return parse_run_config(doc, path.parent_path());
    } catch (const std::invalid_argument& e) {
        fail(printable(path.string()) + ": " + e.what());
    }
}

void override_seed(RunConfig& config, const std::string& text, const std::string& option) {
    config.seed = checked_seed(command_line_value(text, option), option);
}

void override_tokens(RunConfig& config, const std::string& text, const std::string& option) {
    config.tokens = checked_count(command_line_value(text, option), option, 1, kMaxTokens);
}

json to_json(const RunConfig& c) {
    json doc;
    doc["schema_version"] = c.schema_version;
    doc["seed"] = c.seed;
    if (c.beta) {
        doc["beta"] = *c.beta;
    } else {
        doc["beta"] = "inv_sqrt_d";
    }
    doc["tokens"] = c.tokens;
    doc["eval_every"] = c.eval_every;
    doc["probe_queries"] = c.probe_queries;
    doc["timing"] = c.timing;
    if (!c.description.empty()) doc["description"] = c.description;
    doc["source"] = {{"id", c.source_id}, {"params", c.source_params}};
    json list = json::array();
    for (const auto& s : c.sketches) {
        json e = {{"id", s.id}};
        if (!s.params.empty()) e["params"] = s.params;
        if (!s.sweep.empty()) e["sweep"] = s.sweep;
        if (s.seed) e["seed"] = *s.seed;
        if (!s.label.empty()) e["label"] = s.label;
        list.push_back(e);
    }
    doc["sketches"] = list;
    if (!c.view.empty()) doc["view"] = c.view;
    return doc;
}

json resolved_source_params(const RunConfig& c) {
    const SourceInfo& info = builtin_sources().at(c.source_id, "source");
    const ParamSet p =
        ParamSet::from_json(info.params, c.source_params, "source '" + c.source_id + "'");
    json out = p.to_json(info.params);
    for (const auto& spec : info.params) {
        if (spec.kind != ParamKind::Path) continue;
        const std::string value = out[spec.key].get<std::string>();
        if (value.empty()) continue;
        std::filesystem::path path(value);
        if (path.is_relative() && !c.base_dir.empty()) path = c.base_dir / path;
        out[spec.key] = path.lexically_normal().string();
    }
    return out;
}

std::uint64_t sketch_instance_count(const RunConfig& c) {
    constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t total = 0;
    for (const SketchEntry& e : c.sketches) {
        std::uint64_t product = 1;
        if (e.sweep.is_object()) {
            for (const auto& [key, values] : e.sweep.items()) {
                const std::uint64_t n = values.is_array() ? values.size() : 1;
                product = (n != 0 && product > kSaturated / n) ? kSaturated : product * n;
            }
        }
        total = total > kSaturated - product ? kSaturated : total + product;
    }
    return total;
}

std::vector<SketchInstanceSpec> expand_sketches(const RunConfig& c) {
    // Counted before anything is built: a 10^6-value sweep or a 10^9 product is refused at once.
    if (const std::uint64_t count = sketch_instance_count(c); count > kMaxSketchInstances) {
        fail("config: the sketches expand into " +
             (count == std::numeric_limits<std::uint64_t>::max() ? std::string("more than 2^64")
                                                                 : std::to_string(count)) +
             " instances (sweeps multiply), above the limit of " +
             std::to_string(kMaxSketchInstances) + "; split the sweep over several runs");
    }
    std::vector<SketchInstanceSpec> out;
    for (std::size_t i = 0; i < c.sketches.size(); ++i) {
        const SketchEntry& e = c.sketches[i];
        const SketchInfo& info = builtin_sketches().at(e.id, "sketch");
        const std::string owner = "sketch '" + e.id + "'";
        if (!e.params.is_object())
            fail("config: sketches[" + std::to_string(i) + "]: \"params\" must be an object");
        // Cartesian product of sweep lists, first key varying slowest.
        std::vector<json> combos{e.params};
        for (const auto& [key, values] : e.sweep.items()) {
            if (!find_spec(info.params, key)) {
                ParamSet::from_json(info.params, json{{key, values.front()}}, owner);
            }
            std::vector<json> next;
            for (const json& base : combos) {
                for (const json& v : values) {
                    json p = base;
                    p[key] = v;
                    next.push_back(p);
                }
            }
            combos = std::move(next);
        }
        for (const json& p : combos) {
            SketchInstanceSpec inst;
            inst.id = e.id;
            inst.label = e.label.empty() ? e.id : e.label;
            inst.params = ParamSet::from_json(info.params, p, owner);
            inst.params_text = inst.params.to_compact_string(info.params);
            inst.seed = e.seed ? *e.seed : derive_seed(c.seed, e.id + "|" + inst.params_text);
            out.push_back(std::move(inst));
        }
    }
    return out;
}

}  // namespace kvscope
