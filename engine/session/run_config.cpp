#include "session/run_config.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/random.hpp"
#include "core/registry.hpp"
#include "io/array_file.hpp"
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

std::string parameter_list(const std::vector<ParamSpec>& specs) {
    std::string list;
    for (const auto& spec : specs)
        list += (list.empty() ? "" : ", ") + spec.key;
    return list;
}

// Every key of the source sweep is a parameter of the source, not also fixed in "params", and
// swept over a non-empty list (or "all", for the file source's layer and head).
void check_source_sweep(const RunConfig& c, const SourceInfo& info) {
    const std::string where = "config: source sweep";
    if (!c.source_sweep.is_object()) fail(where + " must map a parameter to a list of values");
    for (const auto& [key, values] : c.source_sweep.items()) {
        if (!find_spec(info.params, key)) {
            fail(where + ": \"" + key + "\" is not a parameter of source '" + c.source_id +
                 "' (parameters: " + parameter_list(info.params) + ")");
        }
        if (c.source_params.is_object() && c.source_params.contains(key)) {
            fail(where + ": \"" + key +
                 "\" is both swept and fixed in \"params\"; remove it from one of them");
        }
        if (values.is_string() && values.get<std::string>() == "all") {
            if (c.source_id != "file" || (key != "layer" && key != "head")) {
                fail(where + ": \"" + key + "\": \"all\" is only for the file source's " +
                     "\"layer\" and \"head\", not for source '" + c.source_id + "'");
            }
        } else if (!values.is_array() || values.empty()) {
            fail(where + ": \"" + key + "\" must be a non-empty list of values" +
                 (c.source_id == "file" && (key == "layer" || key == "head") ? " or \"all\"" : ""));
        }
    }
}

// The indices 0..n-1 of the keys array's layer or head axis, read from the file's shape.
json all_indices(const RunConfig& c, const std::string& key) {
    const std::string where = "config: source sweep: \"" + key + "\": \"all\"";
    if (c.source_sweep.contains("keys") || c.source_sweep.contains("keys_tensor"))
        fail(where + " needs one keys file; do not sweep \"keys\" or \"keys_tensor\" with it");
    RunConfig fixed = c;
    fixed.source_sweep = json::object();
    const json p = resolved_source_params(fixed);
    const std::string path = p.at("keys").get<std::string>();
    if (path.empty()) fail(where + " needs the file source's \"keys\" file");
    const std::vector<Index> shape = load_array_shape(path, p.at("keys_tensor").get<std::string>());
    const std::size_t rank = shape.size();
    if ((key == "layer" && rank != 4) || (key == "head" && rank != 3 && rank != 4)) {
        fail(where + ": keys " + printable(path) + " has shape " + shape_to_string(shape) +
             ", which has no " + key + " axis (\"layer\" needs 4-D [layers, heads, tokens, " +
             "dim], \"head\" 3-D or 4-D)");
    }
    const Index n = shape[key == "layer" || rank == 3 ? 0 : 1];
    json out = json::array();
    for (Index i = 0; i < n && static_cast<std::uint64_t>(i) <= kMaxRunInstances; ++i)
        out.push_back(i);
    return out;
}

std::string count_text(std::uint64_t n) {
    return n == std::numeric_limits<std::uint64_t>::max() ? std::string("more than 2^64")
                                                          : std::to_string(n);
}

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
    constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();
    return (b != 0 && a > kSaturated / b) ? kSaturated : a * b;
}

}  // namespace

double RunConfig::beta_for(int d) const {
    return beta ? *beta : 1.0 / std::sqrt(static_cast<double>(d));
}

namespace {

RunConfig parse_document(const json& doc, const std::filesystem::path& base_dir) {
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
    check_keys(src, {"id", "params", "sweep"}, "config: source");
    if (!src.contains("id") || !src.at("id").is_string()) fail("config: source needs an \"id\"");
    c.source_id = src.at("id").get<std::string>();
    const SourceInfo& sinfo = builtin_sources().at(c.source_id, "source");
    if (src.contains("params")) c.source_params = src.at("params");
    ParamSet::from_json(sinfo.params, c.source_params, "source '" + c.source_id + "'");
    if (src.contains("sweep")) {
        c.source_sweep = src.at("sweep");
        if (!c.source_sweep.is_object())
            fail("config: source sweep must map a parameter to a list of values");
    }

    if (!doc.contains("sketches") || !doc.at("sketches").is_array() || doc.at("sketches").empty()) {
        fail("config: \"sketches\" must be a non-empty list, e.g. [{\"id\": \"exact\"}]");
    }
    const json& list = doc.at("sketches");
    for (std::size_t i = 0; i < list.size(); ++i)
        c.sketches.push_back(parse_entry(list[i], i));
    expand_sketches(c);  // validates every parameter and sweep value now
    expand_sources(c);   // and every source sweep value, and the run's instance limit
    return c;
}

}  // namespace

RunConfig parse_run_config(const json& doc, const std::filesystem::path& base_dir) {
    try {
        return parse_document(doc, base_dir);
    } catch (const std::invalid_argument& e) {
        // Messages quote keys, ids and values from the file, which may hold control characters
        // (a key "tok\ns"): escaped here, once, so every error stays one line.
        throw std::invalid_argument(printable(e.what(), 2000));
    }
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
    if (!c.source_sweep.empty()) doc["source"]["sweep"] = c.source_sweep;
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

SketchEntry explicit_entry(const SketchInstanceSpec& spec) {
    const SketchInfo& info = builtin_sketches().at(spec.id, "sketch");
    SketchEntry e;
    e.id = spec.id;
    e.params = spec.params.to_json(info.params);
    e.seed = spec.seed;
    if (spec.label != spec.id) e.label = spec.label;
    return e;
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

std::vector<SourceInstanceSpec> expand_sources(const RunConfig& c) {
    const SourceInfo& info = builtin_sources().at(c.source_id, "source");
    if (c.source_sweep.empty()) return {{c.source_params, ""}};
    check_source_sweep(c, info);
    // The swept keys in the source's parameter order (the JSON object's own order is lost).
    std::vector<ParamSpec> swept;
    std::vector<json> values;
    std::uint64_t sources = 1;
    for (const ParamSpec& spec : info.params) {
        if (!c.source_sweep.contains(spec.key)) continue;
        const json& v = c.source_sweep.at(spec.key);
        swept.push_back(spec);
        values.push_back(v.is_string() ? all_indices(c, spec.key) : v);
        sources = saturating_product(sources, values.back().size());
    }
    // Counted before anything is built, like the sketches' limit.
    const std::uint64_t sketches = sketch_instance_count(c);
    const std::uint64_t total = saturating_product(sources, sketches);
    if (total > kMaxRunInstances) {
        fail("config: the source sweep gives " + count_text(sources) + " source instances x " +
             count_text(sketches) + " sketch instances = " + count_text(total) +
             ", above the limit of " + std::to_string(kMaxRunInstances) +
             "; split the sweep over several runs");
    }
    std::vector<json> combos{c.source_params.is_object() ? c.source_params : json::object()};
    for (std::size_t k = 0; k < swept.size(); ++k) {
        std::vector<json> next;
        for (const json& base : combos) {
            for (const json& v : values[k]) {
                json p = base;
                p[swept[k].key] = v;
                next.push_back(std::move(p));
            }
        }
        combos = std::move(next);
    }
    const std::string owner = "source '" + c.source_id + "' sweep";
    std::vector<SourceInstanceSpec> out;
    for (json& p : combos) {
        const ParamSet set = ParamSet::from_json(info.params, p, owner);  // validates the value
        out.push_back({std::move(p), set.to_compact_string(swept)});
    }
    return out;
}

RunConfig config_for_source(const RunConfig& c, std::size_t index) {
    std::vector<SourceInstanceSpec> instances = expand_sources(c);
    if (index >= instances.size()) {
        fail("config: no source instance " + std::to_string(index) + " (the source sweep has " +
             std::to_string(instances.size()) + ")");
    }
    RunConfig out = c;
    out.source_params = std::move(instances[index].params);
    out.source_sweep = json::object();
    out.source_label = std::move(instances[index].label);
    return out;
}

}  // namespace kvscope
