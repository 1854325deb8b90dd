#include "ui/embedding_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "io/json_text.hpp"
#include "ui/view_json.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

using scene::category_colour;
using scene::EmbedColour;
using scene::viridis;

constexpr const char* kColourLabels[] = {"retained / evicted", "weight (den)", "tag", "bucket",
                                         "key norm",           "token index"};
constexpr const char* kColourKeys[] = {"retained", "weight",   "tag",
                                       "bucket",   "key_norm", "token_index"};

ImVec2 to_imvec(std::array<float, 2> p) {
    return ImVec2(p[0], p[1]);
}

std::string tag_label(const SketchView& view) {
    return view.tag_meaning.empty() ? std::string("tag (none)") : "tag: " + view.tag_meaning;
}

void colour_bar(const char* label, float lo, float hi, bool diverging) {
    const float w = std::min(220.0f, ImGui::GetContentRegionAvail().x * 0.45f);
    const float h = ImGui::GetTextLineHeight() * 0.8f;
    ImGui::TextUnformatted(label);
    ImGui::SameLine();
    ImGui::Text("%.3g", diverging ? -hi : lo);
    ImGui::SameLine();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int steps = 32;
    for (int i = 0; i < steps; ++i) {
        const float t = (i + 0.5f) / steps;
        ImU32 col;
        if (diverging) {
            const float u = 2 * t - 1;
            const ImVec4 lo_c(0.230f, 0.299f, 0.754f, 1), mid(0.865f, 0.865f, 0.865f, 1),
                hi_c(0.706f, 0.016f, 0.150f, 1);
            const ImVec4& end = u < 0 ? lo_c : hi_c;
            const float a = std::abs(u);
            col = ImGui::ColorConvertFloat4ToU32(ImVec4(mid.x + (end.x - mid.x) * a,
                                                        mid.y + (end.y - mid.y) * a,
                                                        mid.z + (end.z - mid.z) * a, 1));
        } else {
            col = viridis(t);
        }
        dl->AddRectFilled(ImVec2(p.x + w * i / steps, p.y + 2),
                          ImVec2(p.x + w * (i + 1) / steps + 1, p.y + 2 + h), col);
    }
    ImGui::Dummy(ImVec2(w, h + 2));
    ImGui::SameLine();
    ImGui::Text("%.3g", hi);
}

void legend_swatch(ImU32 colour, const char* text) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(p.x + h * 0.4f, p.y + h * 0.55f), h * 0.3f,
                                                colour);
    ImGui::Dummy(ImVec2(h * 0.8f, h));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(text);
    ImGui::SameLine();
}

void draw_arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour) {
    dl->AddLine(a, b, colour, 2.0f);
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len < 1) return;
    const float ux = dx / len, uy = dy / len, h = std::min(12.0f, len * 0.4f);
    dl->AddTriangleFilled(b, ImVec2(b.x - h * ux + 0.5f * h * uy, b.y - h * uy - 0.5f * h * ux),
                          ImVec2(b.x - h * ux - 0.5f * h * uy, b.y - h * uy + 0.5f * h * ux),
                          colour);
}

// The tooltip's first lines: what the hovered point is, and the retained token it holds.
const RetainedToken* describe_point(const SketchSnapshot* sketch, const EmbeddingPanelState& state,
                                    Index token, int extra_index, int& slot) {
    const EmbeddingData& data = *state.data;
    slot = -1;
    if (extra_index >= 0) {
        ImGui::Text("stored vector #%d (synthetic, not a stream token)", extra_index);
        if (sketch && extra_index < sketch->view->stored_keys.rows())
            ImGui::Text("||k|| = %.4g", sketch->view->stored_keys.row(extra_index).norm());
        int seen = 0;
        for (std::size_t i = 0; sketch && i < sketch->view->retained.size(); ++i) {
            if (sketch->view->retained[i].position >= 0) continue;
            if (seen++ == extra_index) {
                slot = static_cast<int>(i);
                return &sketch->view->retained[i];
            }
        }
        return nullptr;
    }
    const float* p = data.point(token);
    ImGui::Text("token %lld", static_cast<long long>(token));
    ImGui::Text("||k|| = %.4g   projected (%.3g, %.3g%s",
                data.points->norms[static_cast<std::size_t>(token)], p[0], p[1],
                data.projection.k > 2 ? "" : ")");
    if (data.projection.k > 2) {
        ImGui::SameLine(0, 0);
        ImGui::Text(", %.3g)", p[2]);
    }
    const auto& slots = state.summary.slot_of_token;
    slot = token < static_cast<Index>(slots.size()) ? slots[static_cast<std::size_t>(token)] : -1;
    return sketch && slot >= 0 ? &sketch->view->retained[static_cast<std::size_t>(slot)] : nullptr;
}

void tooltip_for(const Snapshot& snap, const SketchSnapshot* sketch,
                 const EmbeddingPanelState& state, scene::Hit hit) {
    const EmbeddingData& data = *state.data;
    ImGui::BeginTooltip();
    int slot = -1;
    const RetainedToken* t = describe_point(sketch, state, hit.token, hit.extra, slot);
    if (data.has_query && hit.extra < 0 && data.projection.exact) {
        const float* p = data.point(hit.token);
        ImGui::Text("beta <k, q> = %.4g (current query)",
                    snap.beta * (p[0] * data.query[0] + p[1] * data.query[1]));
    }
    if (!sketch) {
        ImGui::TextDisabled("no sketch selected");
    } else if (t) {
        const SketchView& view = *sketch->view;
        const std::string name = scene_name(snap, *sketch);
        ImGui::Text("kept: retained by %s with weight %.4g (numerator %.4g)", name.c_str(),
                    t->weight_den, t->weight_num);
        if (!view.tag_meaning.empty())
            ImGui::Text("tag: %s = %d", view.tag_meaning.c_str(), t->tag);
        if (slot >= 0 && static_cast<std::size_t>(slot) < view.token_scores.size())
            ImGui::Text("%s = %.4g",
                        view.score_meaning.empty() ? "score" : view.score_meaning.c_str(),
                        view.token_scores[static_cast<std::size_t>(slot)]);
    } else if (sketch->view->subset_of_stream) {
        ImGui::Text("evicted: not among the %zu tokens %s keeps", sketch->view->retained.size(),
                    scene_name(snap, *sketch).c_str());
        const std::string why = state.evictions.why_evicted(
            snap, static_cast<int>(sketch - snap.sketches.data()), hit.token);
        if (!why.empty() && hit.extra < 0) {
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
            ImGui::TextUnformatted(why.c_str());
            ImGui::PopTextWrapPos();
        }
    } else {
        ImGui::Text("not stored: %s keeps a summary, not stream tokens",
                    scene_name(snap, *sketch).c_str());
    }
    if (hit.extra < 0 && sketch && sketch->view->buckets) {
        const auto& b = sketch->view->buckets->bucket_of_token;
        if (hit.token < static_cast<Index>(b.size()) && b.size() != sketch->view->retained.size())
            ImGui::Text("bucket %d", b[static_cast<std::size_t>(hit.token)]);
    }
    ImGui::EndTooltip();
}

// Colour mode, size by weight, 3-D, refit, kernel field and its mode, query, probes, hyperplanes.
void draw_view_controls(EmbeddingPanelState& state, const SketchSnapshot* sketch, Sink& sink) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    int mode = static_cast<int>(state.points.colour_by);
    const std::string tag_name = sketch ? tag_label(*sketch->view) : std::string("tag");
    const char* names[6];
    for (int i = 0; i < 6; ++i)
        names[i] = i == 2 ? tag_name.c_str() : kColourLabels[i];
    if (ImGui::Combo("colour", &mode, names, 6))
        state.points.colour_by = static_cast<EmbedColour>(mode);
    tip("What colours the points: the selected sketch's retained tokens, their weights (viridis, "
        "log scale), the sketch's tag (walk sign, merge level, cluster...), hash bucket, key norm "
        "or token index. Grey: evicted.");
    ImGui::SameLine();
    ImGui::Checkbox("size by weight", &state.points.size_by_weight);
    tip("Retained points sized by sqrt(weight / mean weight).");
    ImGui::SameLine();
    if (ImGui::Checkbox("3-D", &state.camera.three_d)) state.camera.auto_fit = true;
    tip("Three principal axes; drag to orbit, wheel to zoom. The kernel field and hyperplanes are "
        "2-D only.");
    ImGui::SameLine();
    if (ImGui::Button("refit")) {
        sink.send(command::RefitProjection{});
        state.camera.auto_fit = true;
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Refit the PCA basis on the whole stream (sampled) and reproject every "
            "token. The basis is otherwise frozen after the first %lld tokens so "
            "points do not move.",
            static_cast<long long>(EmbeddingTracker::kFitTokens));
    ImGui::Checkbox("kernel field", &state.field);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Heat map of log sum_i w_i exp(beta <k_i, q>) for queries q in the projection plane "
            "(q = u b1 + v b2 at each pixel). Exact over that plane: <k, q> = <B(k - mean), (u,v)> "
            "+ <B mean, (u,v)>. Exact cache: keys binned to a %dx%d grid (count x centroid).",
            scene::kFieldBins, scene::kFieldBins);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    const char* field_modes[] = {"exact cache", "selected sketch", "log(sketch / exact)"};
    ImGui::Combo("##fieldmode", &state.field_mode, field_modes, 3);
    ImGui::SameLine();
    ImGui::Checkbox("query", &state.show_query);
    ImGui::SameLine();
    ImGui::Checkbox("probes", &state.show_probes);
    if (sketch && sketch->view->buckets && sketch->view->buckets->hyperplanes.rows() > 0) {
        ImGui::SameLine();
        ImGui::Checkbox("hyperplanes", &state.show_hyperplanes);
    }
}

// The kernel field's entries and placement, rebuilt when field_due says so.
void update_field(EmbeddingPanelState& state, PanelContext& ctx, const SketchSnapshot* sketch,
                  const scene::ViewTransform& view, const scene::ContentKey& content) {
    scene::EmbeddingScene& sc = ctx.scenes.embedding;
    // The field covers 1.3x the view, so small pans stay covered between rebuilds.
    const auto rect = scene::view_rect(view, state.camera, 1.3f);
    const auto visible = scene::view_rect(view, state.camera, 1.0f);
    const double now = ImGui::GetTime();
    const int sketch_index = ctx.selection.sketch;
    if (scene::field_due(state.field_built, content, sketch_index, rect, visible,
                         state.camera.auto_fit, now, !sc.field_exact.empty())) {
        const bool binned =
            scene::build_field(*state.data, sketch ? sketch->view.get() : nullptr, sc);
        state.field_built = {content, now, sketch_index, rect, binned};
        sc.field_rect = rect;
        const auto off = state.data->projection.offset();
        sc.field_offset = {off[0], off[1]};
        sc.beta = static_cast<float>(ctx.snap.beta > 0 ? ctx.snap.beta : 1.0);
        sc.field_resolution = scene::kFieldPixels;
        ++sc.field_version;
    }
    sc.field_mode = state.field_mode;
}

// The scene for the renderer. Colours are rebuilt when what they show changes (not on every
// snapshot: a paused session publishes the same state again), so an unchanged view costs nothing.
void update_scene(EmbeddingPanelState& state, PanelContext& ctx, const SketchSnapshot* sketch,
                  const scene::ViewTransform& view, bool three) {
    const EmbeddingData& data = *state.data;
    scene::EmbeddingScene& sc = ctx.scenes.embedding;
    const scene::ContentKey content = scene::content_key(data, ctx.snap.tokens_seen, sketch);
    const PointsKey key{content, ctx.selection.sketch, state.points};
    if (state.points_built != key || sc.colours.size() != static_cast<std::size_t>(data.count)) {
        state.summary = scene::build_points(data, sketch ? sketch->view.get() : nullptr,
                                            ctx.snap.tokens_seen, state.points, sc);
        state.points_built = key;
        ++sc.attr_version;
    }
    sc.active = true;
    sc.width = static_cast<int>(view.size[0]);
    sc.height = static_cast<int>(view.size[1]);
    sc.xyz = data.points->xyz.data();
    sc.count = data.count;
    sc.buffer_id = data.points->id;
    sc.mvp = view.mvp();
    sc.three_d = three;
    sc.point_scale = std::max(1.0f, ImGui::GetFontSize() / 15.0f);  // UI scale, 2x shots
    const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_FrameBg);
    const float lum = 0.3f * bg.x + 0.6f * bg.y + 0.1f * bg.z;
    sc.background = lum > 0.5f ? std::array<float, 4>{0.97f, 0.97f, 0.97f, 1.0f}
                               : std::array<float, 4>{0.07f, 0.07f, 0.08f, 1.0f};
    // Field: rebuilt when the snapshot changes (at most 4 times a second while the stream runs),
    // the view rectangle changes or the mode changes.
    sc.field = state.field && !three;
    if (sc.field) update_field(state, ctx, sketch, view, content);
}

// The renderer's texture, and the mouse over it: wheel zoom, drag pan or orbit, double-click
// to fit. Returns true while the mouse is over the image.
bool draw_image(EmbeddingPanelState& state, const scene::EmbeddingOutput& out,
                const scene::ViewTransform& view, bool three) {
    const ImVec2 img_min = to_imvec(view.origin);
    const ImVec2 size = to_imvec(view.size);
    const ImVec2 img_max(img_min.x + size.x, img_min.y + size.y);
    if (out.texture != 0) {
        // The renderer draws this frame's scene into the same texture (resized in place) after
        // the panels and before ImGui renders, so the image is current even after a resize.
        ImGui::Image(reinterpret_cast<ImTextureID>(out.texture), size, ImVec2(0, 1), ImVec2(1, 0));
    } else {
        // First frame: the texture is created by this frame's render.
        ImGui::Dummy(size);
        ImGui::GetWindowDrawList()->AddRectFilled(img_min, img_max,
                                                  ImGui::GetColorU32(ImGuiCol_FrameBg));
    }
    // The image is not interactive; an invisible button over it takes the mouse.
    const ImVec2 after_image = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(img_min);
    ImGui::InvisibleButton("##embedding", size);
    ImGui::SetCursorScreenPos(after_image);
    const bool hovered = ImGui::IsItemHovered();
    const ImGuiIO& io = ImGui::GetIO();
    if (hovered) {
        if (io.MouseWheel != 0)
            scene::zoom_camera(state.camera, view, three, io.MouseWheel,
                               {io.MousePos.x, io.MousePos.y});
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) state.camera.auto_fit = true;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f))
        scene::drag_camera(state.camera, view, three, io.MouseDelta.x, io.MouseDelta.y);
    return hovered;
}

// Hyperplanes of a simhash sketch, the probe queries and the current query, over the image.
void draw_overlays(const EmbeddingPanelState& state, const SketchSnapshot* sketch,
                   const scene::ViewTransform& view, bool three, ImDrawList* dl) {
    const EmbeddingData& data = *state.data;
    const bool has_planes =
        sketch && sketch->view->buckets && sketch->view->buckets->hyperplanes.rows() > 0;
    if (has_planes && state.show_hyperplanes && !three) {
        const float span = 4.0f * std::max(view.size[0], view.size[1]) / view.scale;
        for (const auto& s : scene::hyperplane_segments(sketch->view->buckets->hyperplanes,
                                                        data.projection, state.camera.centre, span))
            dl->AddLine(to_imvec(view.screen(s.a.data())), to_imvec(view.screen(s.b.data())),
                        category_colour(s.index + 1, 0.9f), 1.5f);
    }
    if (state.show_probes) {
        for (std::size_t i = 0; i + 2 < data.probes.size(); i += 3) {
            const ImVec2 s = to_imvec(view.screen(&data.probes[i]));
            dl->AddLine(ImVec2(s.x - 3, s.y), ImVec2(s.x + 3, s.y), IM_COL32(255, 255, 255, 160));
            dl->AddLine(ImVec2(s.x, s.y - 3), ImVec2(s.x, s.y + 3), IM_COL32(255, 255, 255, 160));
        }
    }
    if (state.show_query && data.has_query) {
        // Tail at the key space's origin, head at the query's projection (same coordinates as
        // the keys: B q - B mean).
        const auto offset = data.projection.offset();
        const float o[3] = {-offset[0], -offset[1], -offset[2]};
        const float q[3] = {data.query[0] - offset[0], data.query[1] - offset[1],
                            data.query[2] - offset[2]};
        const ImU32 qc = IM_COL32(255, 80, 200, 255);
        draw_arrow(dl, to_imvec(view.screen(o)), to_imvec(view.screen(q)), qc);
        const ImVec2 hq = to_imvec(view.screen(q));
        dl->AddText(ImVec2(hq.x + 4, hq.y - 14), qc, "q");
    }
}

// Hover: the nearest point on screen (brute force over the projected rows) becomes the hovered
// token every panel marks; the hovered token (from any panel) is ringed.
scene::Hit update_hover(EmbeddingPanelState& state, PanelContext& ctx,
                        const scene::ViewTransform& view, bool hovered, ImDrawList* dl) {
    const EmbeddingData& data = *state.data;
    const std::vector<float>& extra = ctx.scenes.embedding.extra_xyz;
    scene::Hit hit;
    if (hovered) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        hit = scene::nearest_point(view, data, extra, {m.x, m.y});
        ctx.selection.hovered_token = hit.token;
        state.hover_owned = true;
    } else if (state.hover_owned) {
        ctx.selection.hovered_token = -1;
        state.hover_owned = false;
    }
    const Index token = ctx.selection.hovered_token;
    if (token >= 0 && token < data.count) {
        const ImVec2 s = to_imvec(view.screen(data.point(token)));
        dl->AddCircle(s, 7.0f, IM_COL32(255, 255, 255, 255), 16, 2.0f);
        dl->AddCircle(s, 9.0f, IM_COL32(0, 0, 0, 255), 16, 1.0f);
    }
    if (hit.extra >= 0) {
        const ImVec2 s = to_imvec(view.screen(&extra[3 * static_cast<std::size_t>(hit.extra)]));
        dl->AddCircle(s, 7.0f, IM_COL32(255, 255, 255, 255), 16, 2.0f);
    }
    return hit;
}

// The projection caption, and notes on thinning and on tokens beyond the projected ones.
void draw_captions(const EmbeddingData& data, const scene::EmbeddingOutput& out,
                   const scene::ViewTransform& view, bool three, ImDrawList* dl) {
    const ImVec2 img_min = to_imvec(view.origin);
    const float bottom = img_min.y + view.size[1];
    const float line = ImGui::GetTextLineHeight();
    const std::string caption = scene::projection_caption(data, three);
    dl->AddText(ImVec2(img_min.x + 6, img_min.y + 4), IM_COL32(235, 235, 235, 220),
                caption.c_str());
    if (out.drawn_points > 0 && out.drawn_points < out.total_points) {
        char thin[128];
        std::snprintf(thin, sizeof thin, "drawing %lld of %lld points (top one per 2x2 px)",
                      static_cast<long long>(out.drawn_points),
                      static_cast<long long>(out.total_points));
        dl->AddText(ImVec2(img_min.x + 6, bottom - 4 - line), IM_COL32(235, 235, 235, 200), thin);
    }
    if (data.tokens_seen > data.count) {
        char cap[96];
        std::snprintf(cap, sizeof cap, "showing the first %lld of %lld tokens",
                      static_cast<long long>(data.count), static_cast<long long>(data.tokens_seen));
        dl->AddText(ImVec2(img_min.x + 6, img_min.y + 4 + line), IM_COL32(255, 200, 120, 230), cap);
    }
}

// Grey "evicted", or for a summary sketch the note that says nothing was evicted.
void evicted_swatch(const std::string& note) {
    if (note.empty()) {
        legend_swatch(scene::kEvicted, "evicted");
    } else {
        legend_swatch(scene::kSummarised, note.c_str());
    }
}

void draw_colour_legend(const EmbeddingPanelState& state, const Snapshot& snap,
                        const SketchSnapshot* sketch, const scene::EmbeddingScene& sc) {
    const EmbeddingData& data = *state.data;
    const std::string note = sketch ? summary_note(snap, *sketch) : std::string();
    switch (state.points.colour_by) {
        case EmbedColour::Retained:
            if (!note.empty() && sketch->view->retained.empty()) {
                legend_swatch(scene::kSummarised, note.c_str());
                break;
            }
            legend_swatch(
                category_colour(0),
                sketch ? ("retained by " + scene_name(snap, *sketch)).c_str() : "retained");
            evicted_swatch(note);
            if (!sc.extra_colours.empty()) legend_swatch(category_colour(5), "stored vector");
            break;
        case EmbedColour::Weight:
            colour_bar("den weight (log)", state.summary.weight_lo, state.summary.weight_hi, false);
            ImGui::SameLine();
            evicted_swatch(note);
            break;
        case EmbedColour::Tag: {
            std::map<int, int> tags;
            if (sketch)
                for (const auto& t : sketch->view->retained)
                    ++tags[t.tag];
            int shown = 0;
            for (const auto& [tag, cnt] : tags) {
                if (shown++ >= 8) break;
                char label[64];
                std::snprintf(label, sizeof label, "%d (%d)", tag, cnt);
                legend_swatch(category_colour(tag), label);
            }
            if (sketch && sketch->view->tag_meaning.empty())
                ImGui::TextDisabled("(this sketch has no tag)");
            break;
        }
        case EmbedColour::Bucket:
            if (sketch && sketch->view->buckets) {
                ImGui::TextDisabled("%zu buckets (%s), colours cycle through 8 hues",
                                    sketch->view->buckets->ids.size(),
                                    sketch->view->buckets->family.c_str());
            } else {
                ImGui::TextDisabled("the selected sketch has no buckets");
            }
            break;
        case EmbedColour::KeyNorm:
            colour_bar("||k||", 0.0f, data.max_norm, false);
            break;
        case EmbedColour::Age:
            colour_bar("token index", 0.0f, static_cast<float>(data.count - 1), false);
            break;
        default:
            break;
    }
    ImGui::NewLine();
}

void draw_field_legend(const EmbeddingPanelState& state, const scene::EmbeddingScene& sc,
                       const scene::EmbeddingOutput& o) {
    if (!sc.field) return;
    if (!o.field_valid) {
        ImGui::TextDisabled("kernel field: rendering...");
    } else if (state.field_mode == 2) {
        colour_bar("field log(sketch / exact), binned exact", 0, o.diff_absmax, true);
    } else if (state.field_mode == 1) {
        if (sc.field_sketch.empty())
            ImGui::TextDisabled("kernel field: the selected sketch stores no keys");
        else
            colour_bar(state.field_built.sketch_binned ? "field log Z, sketch (binned)"
                                                       : "field log Z, sketch",
                       o.sketch_min, o.sketch_max, false);
    } else {
        colour_bar("field log Z, exact (binned)", o.exact_min, o.exact_max, false);
    }
}

}  // namespace

void draw_embedding_panel(EmbeddingPanelState& state, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    ctx.scenes.embedding.active = false;
    const SketchSnapshot* sketch = nullptr;
    if (!snap.sketches.empty()) {
        ctx.selection.sketch =
            std::clamp(ctx.selection.sketch, 0, static_cast<int>(snap.sketches.size()) - 1);
        sketch = &snap.sketches[static_cast<std::size_t>(ctx.selection.sketch)];
    }
    draw_view_controls(state, sketch, ctx.sink);

    state.data = snap.embedding;
    state.evictions.observe(snap);
    const EmbeddingData* data = state.data.get();
    const float legend_h = 2.3f * ImGui::GetFrameHeightWithSpacing();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.y -= legend_h;
    if (!data || data->count == 0 || !data->points || avail.x < 16 || avail.y < 16) {
        ImGui::TextDisabled("No tokens yet: press play or step (Space / Right).");
        if (state.hover_owned) ctx.selection.hovered_token = -1;
        state.hover_owned = false;
        return;
    }
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const bool three = scene::shows_three_d(state.camera, *data);
    const scene::ViewTransform view = scene::fit_view(state.camera, *data, {origin.x, origin.y},
                                                      {std::floor(avail.x), std::floor(avail.y)});
    update_scene(state, ctx, sketch, view, three);
    const scene::EmbeddingOutput& out = ctx.scenes.embedding_output;
    const bool hovered = draw_image(state, out, view, three);

    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(origin, ImVec2(origin.x + view.size[0], origin.y + view.size[1]), true);
    draw_overlays(state, sketch, view, three, dl);
    const scene::Hit hit = update_hover(state, ctx, view, hovered, dl);
    draw_captions(*data, out, view, three, dl);
    dl->PopClipRect();
    if (hit.token >= 0 || hit.extra >= 0) tooltip_for(snap, sketch, state, hit);
    draw_colour_legend(state, ctx.snap, sketch, ctx.scenes.embedding);
    draw_field_legend(state, ctx.scenes.embedding, out);
}

void save_embedding_view(const EmbeddingPanelState& state, nlohmann::json& view) {
    const scene::Camera& c = state.camera;
    view["embedding"] =
        nlohmann::json{{"colour_by", kColourKeys[static_cast<int>(state.points.colour_by)]},
                       {"size_by_weight", state.points.size_by_weight},
                       {"field", state.field},
                       {"field_mode", state.field_mode},
                       {"three_d", c.three_d},
                       {"show_query", state.show_query},
                       {"show_hyperplanes", state.show_hyperplanes},
                       {"show_probes", state.show_probes},
                       {"auto_fit", c.auto_fit},
                       {"zoom", c.zoom},
                       {"centre", {c.centre[0], c.centre[1], c.centre[2]}},
                       {"yaw", c.yaw},
                       {"pitch", c.pitch}};
}

void load_embedding_view(const nlohmann::json& view, EmbeddingPanelState& state,
                         const ViewWarn& warn) {
    if (!view.contains("embedding") || !view["embedding"].is_object()) return;
    const nlohmann::json& j = view["embedding"];
    if (j.contains("colour_by")) {
        bool known = false;
        for (int i = 0; i < static_cast<int>(EmbedColour::Count); ++i) {
            if (j["colour_by"] == kColourKeys[i]) {
                state.points.colour_by = static_cast<EmbedColour>(i);
                known = true;
            }
        }
        if (!known) warn("view.embedding.colour_by = " + json_excerpt(j["colour_by"]) + " ignored");
    }
    scene::Camera& c = state.camera;
    read_flag(j, "size_by_weight", state.points.size_by_weight);
    read_flag(j, "field", state.field);
    read_flag(j, "three_d", c.three_d);
    read_flag(j, "show_query", state.show_query);
    read_flag(j, "show_hyperplanes", state.show_hyperplanes);
    read_flag(j, "show_probes", state.show_probes);
    read_flag(j, "auto_fit", c.auto_fit);
    if (j.contains("field_mode") && j["field_mode"].is_number_integer()) {
        state.field_mode = std::clamp(j["field_mode"].get<int>(), 0, 2);
    }
    read_float(j, "zoom", "view.embedding", c.zoom, warn);
    read_float(j, "yaw", "view.embedding", c.yaw, warn);
    read_float(j, "pitch", "view.embedding", c.pitch, warn);
    if (j.contains("centre") && j["centre"].is_array() && j["centre"].size() == 3) {
        for (std::size_t i = 0; i < 3; ++i)
            to_float(j["centre"][i], c.centre[i]);
    }
    if (!(c.zoom > 0)) c.zoom = 1;
}

PanelInfo embedding_panel() {
    return panel_info<EmbeddingPanelState>(
        "embedding", "Embedding", "The stream's keys projected to 2-D or 3-D", Place::ViewTop,
        draw_embedding_panel, save_embedding_view, load_embedding_view);
}

}  // namespace kvscope::ui
