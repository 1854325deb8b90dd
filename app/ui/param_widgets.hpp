// Widgets generated from ParamSpecs: a new sketch or source needs no UI code for its parameters.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/params.hpp"

namespace kvscope::ui {

/// Draws one widget per spec, editing `values` (a JSON object; missing keys show the default).
/// Each widget's tooltip is the spec's help. Returns true when an edit was completed this frame
/// (sliders report on release, so a drag does not replay a sketch every frame). A nested-sketch
/// parameter shows a combo of sketch ids and, indented below it, that sketch's own widgets.
bool edit_params(const std::vector<ParamSpec>& specs, nlohmann::json& values);

}  // namespace kvscope::ui
