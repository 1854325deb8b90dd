#include "ui/timeline.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "ui/widgets.hpp"

namespace kvscope::ui {

std::vector<Index> timeline_points(const Snapshot& snap) {
    std::vector<Index> out{0};
    // Rows are in evaluation order (by point, then instance).
    for (const MetricRow& r : snap.history) {
        if (r.tokens_seen > out.back() && r.tokens_seen <= snap.tokens_recorded)
            out.push_back(r.tokens_seen);
    }
    if (snap.tokens_recorded > out.back()) out.push_back(snap.tokens_recorded);
    return out;
}

void draw_timeline(PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    const std::vector<Index> points = timeline_points(snap);
    const int last = static_cast<int>(points.size()) - 1;
    // Where the scene is: the last stop at or before it (it is always one after a seek).
    int at = static_cast<int>(std::upper_bound(points.begin(), points.end(), snap.tokens_seen) -
                              points.begin()) -
             1;
    const bool rewound = snap.tokens_seen < snap.tokens_recorded;
    if (rewound) {
        if (ImGui::Button("Live")) ctx.sink.send(command::Seek{snap.tokens_recorded});
        tip("Back to the newest point of the run");
        ImGui::SameLine();
    }
    const std::string text =
        last == 0 ? std::string("no evaluation yet")
                  : "n = " + std::to_string(points[static_cast<std::size_t>(at)]) +
                        (at == last ? "  (live)"
                                    : "  (" + std::to_string(at) + " of " + std::to_string(last) +
                                          ", live " + std::to_string(snap.tokens_recorded) + ")");
    // The last Seek this slider sent while held, so a held mouse sends each position once even
    // while the worker has not caught up (ImGui's per-window storage; -1: none).
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const ImGuiID sent_key = ImGui::GetID("##timeline_sent");
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderInt("##timeline", &at, 0, std::max(last, 0), text.c_str(),
                         ImGuiSliderFlags_AlwaysClamp) &&
        last > 0 && storage->GetInt(sent_key, -1) != at) {
        storage->SetInt(sent_key, at);
        ctx.sink.send(command::Seek{points[static_cast<std::size_t>(at)]});
    }
    if (!ImGui::IsItemActive()) storage->SetInt(sent_key, -1);
    tip("Timeline: drag back to any evaluation point. The embedding, kept set, weights, merge "
        "trees and buckets show the scene as it was then, and the plots keep the whole run with "
        "a cursor there. Play continues from here: the recorded stream replays at the play "
        "speed, then new tokens stream. Live returns to the newest point.");
}

}  // namespace kvscope::ui
