// The status line at the bottom: playing or paused, tokens, sketches, and the run's error or
// else the last message a panel or the frame loop left in the sink, then the sketches' warnings,
// and (until a lesson is open) where the lessons are. The first part always shows; the message
// keeps its full width before a warning gets any; whatever does not fit is cut with "…" and
// shown whole on hover, so a long warning never pushes the lesson text or the hint off screen.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "ui/panel.hpp"

namespace kvscope::ui {

namespace {

struct StatusLineState {};

constexpr float kGap = 24;
constexpr float kMinWarning = 160;  // a warning narrower than this is not worth showing cut
constexpr const char* kEllipsis = "\xE2\x80\xA6";  // …
constexpr const char* kHint = "New here? Press L for the lessons  |  F1 help";

// The longest prefix of `text`, cut at a UTF-8 character boundary, that fits in `width` pixels
// with "…" after it (the whole text when it fits).
std::string elide(const std::string& text, float width) {
    if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
    std::size_t lo = 0, hi = text.size();
    const auto fits = [&](std::size_t n) {
        return ImGui::CalcTextSize((text.substr(0, n) + kEllipsis).c_str()).x <= width;
    };
    while (lo < hi) {  // the largest n that fits (binary search on bytes)
        const std::size_t mid = (lo + hi + 1) / 2;
        if (fits(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    while (lo > 0 && (static_cast<unsigned char>(text[lo]) & 0xC0) == 0x80)
        --lo;  // never split a character
    return text.substr(0, lo) + kEllipsis;
}

// `text` in at most `width` pixels (cut with "…", whole on hover), on the current line.
void elided_text(const ImVec4* colour, const std::string& text, float width) {
    const std::string shown = elide(text, std::max(0.0f, width));
    if (colour) {
        ImGui::TextColored(*colour, "%s", shown.c_str());
    } else {
        ImGui::TextUnformatted(shown.c_str());
    }
    if (shown != text && ImGui::IsItemHovered()) {
        ImGui::PushTextWrapPos(ImGui::GetIO().DisplaySize.x * 0.6f);
        ImGui::SetTooltip("%s", text.c_str());
        ImGui::PopTextWrapPos();
    }
}

// The stream-cap note or else the first sketch warning (Sketch::warnings), with a count of the
// others; every one, one a line.
void sketch_warnings(const Snapshot& snap, std::string& first, std::string& all) {
    int count = 0;
    if (!snap.stream_note.empty()) {  // the explorer's stream cap, before any sketch's warning
        first = "note: " + snap.stream_note;
        all += snap.stream_note + "\n";
        ++count;
    }
    for (const SketchSnapshot& s : snap.sketches) {
        for (const std::string& w : s.warnings) {
            const std::string line = s.spec.label + ": " + w;
            if (count++ == 0) first = "warning: " + line;
            all += line + "\n";
        }
    }
    if (count > 1) first += " (+" + std::to_string(count - 1) + " more)";
}

void draw_status_line(StatusLineState&, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    // Scrubbed back, the scene is at an earlier point of the run than its live end.
    const std::string where = snap.tokens_seen < snap.tokens_recorded
                                  ? " (timeline; live " + std::to_string(snap.tokens_recorded) + ")"
                                  : std::string();
    ImGui::Text("%s  %lld tokens%s  %zu sketches", snap.playing ? "playing" : "paused",
                static_cast<long long>(snap.tokens_seen), where.c_str(), snap.sketches.size());
    const bool hint = !ctx.settings.lesson_open;  // where the lessons are, until one is open
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float hint_w = hint ? ImGui::CalcTextSize(kHint).x + kGap : 0.0f;
    ImGui::SameLine(0, kGap);
    float room = right - hint_w - ImGui::GetCursorPosX();

    const bool error = !snap.error.empty();
    const std::string message = error ? "error: " + snap.error : ctx.sink.status;
    std::string warning, all_warnings;
    sketch_warnings(snap, warning, all_warnings);
    if (!message.empty()) {
        const float wanted = ImGui::CalcTextSize(message.c_str()).x;
        const float width =
            warning.empty() ? room : std::max(room - kGap - kMinWarning, 0.6f * room);
        const ImVec4 red(1.0f, 0.45f, 0.35f, 1.0f);
        elided_text(error ? &red : nullptr, message, std::min(wanted, width));
        ImGui::SameLine(0, kGap);
        room = right - hint_w - ImGui::GetCursorPosX();
    }
    if (!warning.empty() && room >= kMinWarning) {
        const ImVec4 amber(1.0f, 0.75f, 0.3f, 1.0f);
        elided_text(&amber, warning, room);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all_warnings.c_str());
        ImGui::SameLine(0, kGap);
    }
    if (hint) {
        ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), right - hint_w + kGap));
        ImGui::TextColored(ImVec4(0.98f, 0.78f, 0.30f, 1.0f), "%s", kHint);
    }
}

}  // namespace

PanelInfo status_line() {
    return panel_info<StatusLineState>("status", "Status", "Tokens, sketches, the last message",
                                       Place::StatusLine, draw_status_line);
}

}  // namespace kvscope::ui
