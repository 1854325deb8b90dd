// Finding lesson files, and lessons as JSON (lesson.hpp).
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "lessons/lesson.hpp"

namespace kvscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// "03_walk" -> "walk"; a stem without a number prefix is returned as it is.
std::string without_number(const std::string& stem) {
    std::size_t i = 0;
    while (i < stem.size() && std::isdigit(static_cast<unsigned char>(stem[i])))
        ++i;
    return i > 0 && i < stem.size() && stem[i] == '_' ? stem.substr(i + 1) : stem;
}

/// The leading number of "03_walk" (3), or -1.
long number_of(const std::string& stem) {
    std::size_t i = 0;
    while (i < stem.size() && std::isdigit(static_cast<unsigned char>(stem[i])))
        ++i;
    return i > 0 && i <= 6 ? std::stol(stem.substr(0, i)) : -1;
}

json marker_json(const LessonMarker& m) {
    if (m.event.empty()) return {{"at", m.at}, {"label", m.label}};
    json j = {{"event", m.event}};
    if (!m.sketch.empty()) j["sketch"] = m.sketch;
    return j;
}

}  // namespace

std::vector<fs::path> lesson_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json")
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

fs::path find_lesson(const std::string& name, const fs::path& dir) {
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
        if (!fs::is_regular_file(name))
            throw std::invalid_argument("lesson file '" + name + "' does not exist");
        return name;
    }
    const auto files = lesson_files(dir);
    const bool numeric =
        !name.empty() && name.size() <= 6 && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        });
    for (const auto& f : files) {
        const std::string stem = f.stem().string();
        if (stem == name || without_number(stem) == name) return f;
        if (numeric && number_of(stem) == std::stol(name)) return f;
    }
    std::string list;
    for (const auto& f : files)
        list += (list.empty() ? "" : ", ") + f.stem().string();
    throw std::invalid_argument("no lesson '" + name + "' in " + dir.string() +
                                " (lessons: " + (list.empty() ? "none" : list) + ")");
}

json view_json(const LessonView& v) {
    json j = json::object();
    if (!v.sketch.empty()) j["selected_label"] = v.sketch;
    if (!v.metric.empty()) j["error_metric"] = v.metric;
    if (!v.tab.empty()) j["tab"] = v.tab;
    if (!v.colour_by.empty()) j["embedding"] = {{"colour_by", v.colour_by}};
    if (!v.series.empty()) j["visible_series"] = v.series;
    if (v.theory) j["show_theory"] = *v.theory;
    return j;
}

json lesson_json(const Lesson& l) {
    json j = {
        {"name", l.name}, {"file", l.file.string()}, {"title", l.title}, {"summary", l.summary}};
    if (l.session.is_string()) j["session_file"] = l.session.get<std::string>();
    if (!l.config.description.empty()) j["description"] = l.config.description;
    j["source"] = l.config.source_id;
    j["tokens"] = l.config.tokens;
    json steps = json::array();
    for (std::size_t k = 0; k < l.steps.size(); ++k) {
        const LessonStep& s = l.steps[k];
        json st = {{"step", k + 1},
                   {"title", s.title},
                   {"narration", s.narration},
                   {"formula", s.formula},
                   {"try", s.try_it},
                   {"position", s.position},
                   {"view", view_json(s.view)}};
        if (s.session && s.session->is_string()) st["session_file"] = s.session->get<std::string>();
        st["edits"] = json::array();
        for (const auto& e : s.edits) {
            st["edits"].push_back(e.source ? json{{"source", e.params}}
                                           : json{{"sketch", e.sketch}, {"params", e.params}});
        }
        st["markers"] = json::array();
        for (const auto& m : s.markers)
            st["markers"].push_back(marker_json(m));
        st["claims"] = json::array();
        for (const auto& c : s.claims)
            st["claims"].push_back(c.says);
        steps.push_back(st);
    }
    j["steps"] = steps;
    return j;
}

}  // namespace kvscope
