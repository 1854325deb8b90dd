#include "lessons/lesson.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/random.hpp"
#include "core/registry.hpp"
#include "lessons/json_fields.hpp"
#include "session/events.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::string> kTabs = {"coreset", "buckets", "polynomial"};
const std::vector<std::string> kColours = {"retained", "weight",   "tag",
                                           "bucket",   "key_norm", "token_index"};

/// Runs `f`, prefixing any std::invalid_argument with `where`.
template <class F>
auto prefixed(const std::string& where, F&& f) {
    try {
        return f();
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where + ": " + e.what());
    }
}

RunConfig load_scene(const json& v, const fs::path& base_dir, const std::string& where) {
    if (v.is_string()) {
        const fs::path file = base_dir / v.get<std::string>();
        return prefixed(where, [&] { return load_run_config(file); });
    }
    if (!v.is_object())
        field_fail(where, "must be a run config object or the name of a config file");
    return prefixed(where, [&] { return parse_run_config(v, base_dir); });
}

LessonView parse_view(const json& doc, const std::string& where) {
    require_object(doc, where);
    check_fields(doc, {"sketch", "metric", "tab", "colour_by", "series", "theory"}, where);
    LessonView v;
    v.sketch = string_field(doc, "sketch", where, false);
    v.metric = string_field(doc, "metric", where, false);
    if (!v.metric.empty() &&
        std::find(metric_keys().begin(), metric_keys().end(), v.metric) == metric_keys().end())
        field_fail(where + ".metric", "'" + v.metric + "' is not a metric column");
    if (doc.contains("tab")) v.tab = choice_field(doc, "tab", where, kTabs);
    if (doc.contains("colour_by")) v.colour_by = choice_field(doc, "colour_by", where, kColours);
    if (doc.contains("series")) v.series = strings_field(doc, "series", where);
    if (doc.contains("theory")) {
        if (!doc.at("theory").is_boolean()) field_fail(where + ".theory", "must be true or false");
        v.theory = doc.at("theory").get<bool>();
    }
    return v;
}

LessonEdit parse_edit(const json& doc, const std::string& where) {
    require_object(doc, where);
    check_fields(doc, {"source", "sketch", "params"}, where);
    LessonEdit e;
    if (doc.contains("source") == doc.contains("sketch"))
        field_fail(where, "needs exactly one of \"source\" (its params) or \"sketch\" (a label)");
    if (doc.contains("source")) {
        e.source = true;
        e.params = object_field(doc, "source", where);
        if (doc.contains("params")) field_fail(where + ".params", "a source edit takes no params");
    } else {
        e.sketch = string_field(doc, "sketch", where, true);
        e.params = object_field(doc, "params", where);
    }
    if (e.params.empty()) field_fail(where, "changes nothing");
    return e;
}

LessonMarker parse_marker(const json& doc, const std::string& where) {
    require_object(doc, where);
    check_fields(doc, {"event", "sketch", "at", "label"}, where);
    LessonMarker m;
    if (doc.contains("event") == doc.contains("at"))
        field_fail(where, "needs exactly one of \"event\" (a kind) or \"at\" (a position)");
    if (doc.contains("event")) {
        m.event = choice_field(doc, "event", where, event_kinds());
        m.sketch = string_field(doc, "sketch", where, false);
        if (is_source_event_kind(m.event) != m.sketch.empty()) {
            field_fail(where + ".sketch", is_source_event_kind(m.event)
                                              ? "a source event names no sketch"
                                              : "a sketch event needs the sketch's label");
        }
        if (doc.contains("label")) field_fail(where + ".label", "events bring their own label");
    } else {
        m.at = position_field(doc, "at", where);
        m.label = string_field(doc, "label", where, true);
        if (doc.contains("sketch")) field_fail(where + ".sketch", "only events name a sketch");
    }
    return m;
}

template <class T, class F>
std::vector<T> parse_list(const json& doc, const char* key, const std::string& where, F parse) {
    std::vector<T> out;
    if (!doc.contains(key)) return out;
    if (!doc.at(key).is_array()) field_fail(where + "." + key, "must be a list");
    for (std::size_t i = 0; i < doc.at(key).size(); ++i)
        out.push_back(parse(doc.at(key)[i], where + "." + key + "[" + std::to_string(i) + "]"));
    return out;
}

LessonStep parse_step(const json& doc, const std::string& where) {
    require_object(doc, where);
    check_fields(doc,
                 {"title", "narration", "formula", "position", "session", "edits", "view",
                  "markers", "try", "claims"},
                 where);
    LessonStep s;
    s.title = string_field(doc, "title", where, true);
    s.narration = string_field(doc, "narration", where, true);
    s.formula = string_field(doc, "formula", where, false);
    s.try_it = string_field(doc, "try", where, false);
    s.position = position_field(doc, "position", where);
    if (s.position < 1) field_fail(where + ".position", "must be at least 1");
    if (doc.contains("session")) s.session = doc.at("session");
    s.edits = parse_list<LessonEdit>(doc, "edits", where, parse_edit);
    if (doc.contains("view")) s.view = parse_view(doc.at("view"), where + ".view");
    s.markers = parse_list<LessonMarker>(doc, "markers", where, parse_marker);
    s.claims = parse_list<Claim>(doc, "claims", where, parse_claim);
    return s;
}

std::string entry_label(const SketchEntry& e) {
    return e.label.empty() ? e.id : e.label;
}

RunConfig apply_edit(const RunConfig& c, const LessonEdit& e, const std::string& where) {
    RunConfig out = c;
    if (e.source) {
        out.source_params.update(e.params);
        const SourceInfo& info = builtin_sources().at(out.source_id, "source");
        prefixed(where + ".source", [&] {
            return ParamSet::from_json(info.params, out.source_params,
                                       "source '" + c.source_id + "'");
        });
        return out;
    }
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < c.sketches.size(); ++i)
        if (entry_label(c.sketches[i]) == e.sketch) hits.push_back(i);
    if (hits.size() != 1) {
        field_fail(where + ".sketch", hits.empty() ? "no sketch labelled '" + e.sketch + "'"
                                                   : "'" + e.sketch + "' labels " +
                                                         std::to_string(hits.size()) +
                                                         " entries; give the edited one a label");
    }
    SketchEntry& entry = out.sketches[hits.front()];
    if (!entry.sweep.empty()) field_fail(where + ".sketch", "'" + e.sketch + "' is a sweep");
    // Keep the seed the sketch had (an explorer edit keeps it), so the scene is reproducible.
    RunConfig alone = c;
    alone.sketches = {c.sketches[hits.front()]};
    const std::uint64_t seed = expand_sketches(alone).front().seed;
    entry.params.update(e.params);
    entry.seed = seed;
    prefixed(where + ".params", [&] { return expand_sketches(out); });
    return out;
}

bool has_label(const RunConfig& c, const std::string& label) {
    for (const auto& e : c.sketches)
        if (entry_label(e) == label) return true;
    return false;
}

void check_label(const RunConfig& c, const std::string& label, const std::string& where) {
    if (!has_label(c, label)) {
        std::string list;
        for (const auto& e : c.sketches)
            list += (list.empty() ? "'" : ", '") + entry_label(e) + "'";
        field_fail(where, "no sketch labelled '" + label + "' in this step's scene (" + list + ")");
    }
}

void check_step(const LessonStep& s, const RunConfig& scene, const std::string& where) {
    if (s.position > scene.tokens)
        field_fail(where + ".position", std::to_string(s.position) + " is beyond the stream (" +
                                            std::to_string(scene.tokens) + " tokens)");
    if (!s.view.sketch.empty()) check_label(scene, s.view.sketch, where + ".view.sketch");
    for (std::size_t i = 0; i < s.view.series.size(); ++i)
        check_label(scene, s.view.series[i], where + ".view.series[" + std::to_string(i) + "]");
    for (std::size_t i = 0; i < s.markers.size(); ++i) {
        const std::string w = where + ".markers[" + std::to_string(i) + "]";
        if (!s.markers[i].sketch.empty()) check_label(scene, s.markers[i].sketch, w + ".sketch");
        if (s.markers[i].at > scene.tokens) field_fail(w + ".at", "is beyond the stream");
    }
    for (std::size_t i = 0; i < s.claims.size(); ++i)
        check_claim_against(s.claims[i], scene, s.position,
                            where + ".claims[" + std::to_string(i) + "]");
}

std::string step_where(std::size_t index) {
    return "step " + std::to_string(index + 1);
}

}  // namespace

std::vector<RunConfig> step_configs(const Lesson& lesson, std::optional<std::uint64_t> seed) {
    std::vector<RunConfig> out;
    RunConfig scene = lesson.config;
    if (seed) scene.seed = *seed;
    for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
        const LessonStep& s = lesson.steps[k];
        const std::string where = step_where(k);
        if (s.session) {
            scene = load_scene(*s.session, lesson.base_dir, where + ".session");
            if (seed) scene.seed = *seed;
        }
        for (std::size_t i = 0; i < s.edits.size(); ++i)
            scene = apply_edit(scene, s.edits[i], where + ".edits[" + std::to_string(i) + "]");
        out.push_back(scene);
    }
    return out;
}

Lesson parse_lesson(const json& doc, const std::string& name, const fs::path& base_dir) {
    require_object(doc, "lesson");
    check_fields(doc, {"schema_version", "title", "summary", "session", "steps"}, "lesson");
    if (!doc.contains("schema_version") || doc.at("schema_version") != 1)
        field_fail("schema_version", "must be 1");
    Lesson l;
    l.name = name;
    l.base_dir = base_dir;
    const json top = doc;
    l.title = string_field(top, "title", "lesson", true);
    l.summary = string_field(top, "summary", "lesson", true);
    l.session = required(top, "session", "lesson");
    l.config = load_scene(l.session, base_dir, "session");
    if (!doc.contains("steps") || !doc.at("steps").is_array() || doc.at("steps").empty())
        field_fail("steps", "must be a non-empty list of steps");
    for (std::size_t k = 0; k < doc.at("steps").size(); ++k)
        l.steps.push_back(parse_step(doc.at("steps")[k], step_where(k)));
    const std::vector<RunConfig> scenes = step_configs(l);
    for (std::size_t k = 0; k < l.steps.size(); ++k)
        check_step(l.steps[k], scenes[k], step_where(k));
    return l;
}

Lesson load_lesson(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in || fs::is_directory(file))
        throw std::invalid_argument(file.string() + ": cannot open lesson file");
    std::stringstream buf;
    buf << in.rdbuf();
    json doc;
    try {
        doc = json::parse(buf.str());
    } catch (const json::parse_error& e) {
        throw std::invalid_argument(file.string() + ": not valid JSON (" + e.what() + ")");
    }
    return prefixed(file.string(), [&] {
        Lesson l = parse_lesson(doc, file.stem().string(), file.parent_path());
        l.file = file;
        return l;
    });
}

}  // namespace kvscope
