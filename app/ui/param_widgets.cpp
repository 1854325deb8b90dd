#include "ui/param_widgets.hpp"

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace kvscope::ui {

namespace {

void tooltip(const ParamSpec& s) {
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
        ImGui::TextUnformatted((s.key + ": " + s.help).c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

// A nested sketch: a combo for the id, then that sketch's own widgets, indented. The value is
// kept as {"id": ..., "params": {...}}; choosing another id starts from its defaults. It is
// written back only when it changed, so a missing or bare-id value stays as it is until edited.
bool edit_sketch(const ParamSpec& s, nlohmann::json& values) {
    nlohmann::json value = values.contains(s.key) ? values[s.key] : nlohmann::json();
    if (value.is_string()) value = {{"id", value}, {"params", nlohmann::json::object()}};
    if (!value.is_object() || !value.contains("id")) {
        value = {{"id", s.default_text}, {"params", nlohmann::json::object()}};
    }
    const nlohmann::json shown_before = value;
    const std::string id = value["id"].get<std::string>();
    bool done = false;
    if (ImGui::BeginCombo(s.label.c_str(), id.c_str())) {
        for (const auto& c : s.choices) {
            if (ImGui::Selectable(c.c_str(), c == id) && c != id) {
                value = {{"id", c}, {"params", nlohmann::json::object()}};
                done = true;
            }
        }
        ImGui::EndCombo();
    }
    tooltip(s);
    const std::string shown = value["id"].get<std::string>();
    ImGui::Indent();
    done |= edit_params(s.child_specs(shown), value["params"]);
    ImGui::Unindent();
    if (done || value != shown_before) values[s.key] = std::move(value);
    return done;
}

}  // namespace

bool edit_params(const std::vector<ParamSpec>& specs, nlohmann::json& values) {
    bool done = false;
    if (!values.is_object()) values = nlohmann::json::object();
    for (const auto& s : specs) {
        ImGui::PushID(s.key.c_str());
        const char* label = s.label.c_str();
        switch (s.kind) {
            case ParamKind::Int: {
                long long v = values.contains(s.key) ? values[s.key].get<long long>()
                                                     : static_cast<long long>(s.default_number);
                const long long lo = static_cast<long long>(s.min);
                const long long hi = static_cast<long long>(std::min(s.max, 1e15));
                const ImGuiSliderFlags f = s.log_scale ? ImGuiSliderFlags_Logarithmic : 0;
                if (hi - lo <= 100000) {
                    ImGui::SliderScalar(label, ImGuiDataType_S64, &v, &lo, &hi, "%lld",
                                        f | ImGuiSliderFlags_AlwaysClamp);
                } else {
                    ImGui::DragScalar(label, ImGuiDataType_S64, &v, 1.0f, &lo, &hi, "%lld",
                                      f | ImGuiSliderFlags_AlwaysClamp);
                }
                if (ImGui::IsItemEdited()) values[s.key] = v;
                done |= ImGui::IsItemDeactivatedAfterEdit();
                break;
            }
            case ParamKind::Float: {
                double v = values.contains(s.key) ? values[s.key].get<double>() : s.default_number;
                const double lo = s.min, hi = std::min(s.max, 1e15);
                const ImGuiSliderFlags f = s.log_scale ? ImGuiSliderFlags_Logarithmic : 0;
                if (hi - lo <= 1e4) {
                    ImGui::SliderScalar(label, ImGuiDataType_Double, &v, &lo, &hi, "%.4g",
                                        f | ImGuiSliderFlags_AlwaysClamp);
                } else {
                    ImGui::DragScalar(label, ImGuiDataType_Double, &v, 0.01f, &lo, &hi, "%.4g",
                                      f | ImGuiSliderFlags_AlwaysClamp);
                }
                if (ImGui::IsItemEdited()) values[s.key] = v;
                done |= ImGui::IsItemDeactivatedAfterEdit();
                break;
            }
            case ParamKind::Bool: {
                bool v = values.contains(s.key) ? values[s.key].get<bool>() : s.default_number != 0;
                if (ImGui::Checkbox(label, &v)) {
                    values[s.key] = v;
                    done = true;
                }
                break;
            }
            case ParamKind::Choice: {
                std::string v =
                    values.contains(s.key) ? values[s.key].get<std::string>() : s.default_text;
                if (ImGui::BeginCombo(label, v.c_str())) {
                    for (const auto& c : s.choices) {
                        if (ImGui::Selectable(c.c_str(), c == v)) {
                            values[s.key] = c;
                            done = true;
                        }
                    }
                    ImGui::EndCombo();
                }
                break;
            }
            case ParamKind::Text:
            case ParamKind::Path: {
                std::string v =
                    values.contains(s.key) ? values[s.key].get<std::string>() : s.default_text;
                char buf[1024];
                std::snprintf(buf, sizeof buf, "%s", v.c_str());
                if (ImGui::InputText(label, buf, sizeof buf)) values[s.key] = std::string(buf);
                done |= ImGui::IsItemDeactivatedAfterEdit();
                break;
            }
            case ParamKind::Sketch:
                done |= edit_sketch(s, values);
                break;
        }
        if (s.kind != ParamKind::Sketch) tooltip(s);
        ImGui::PopID();
    }
    return done;
}

}  // namespace kvscope::ui
