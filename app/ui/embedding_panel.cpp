// The embedding view: projected keys (and the current query as an arrow) drawn by the GL renderer
// into a texture shown here with ImGui::Image; colour modes, size by weight, the kernel field,
// refit, 2-D / 3-D orbit, zoom and pan, legend and colour bars, hover readout. ImGui only: the
// GL side is app/gfx/embedding_renderer.cpp, fed through UiState::embedding.scene.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "scene/palette.hpp"
#include "ui/panels.hpp"

namespace kvscope::ui {

namespace {

constexpr const char* kColourNames[] = {"retained / evicted", "weight (den)", "tag", "bucket",
                                        "key norm",           "token index"};
constexpr int kFieldBins = 32;    ///< keys are binned to this grid for the kernel field
constexpr int kFieldRaw = 1024;   ///< a sketch with more stored keys than this is binned too
constexpr int kFieldPixels = 64;  ///< field target resolution (bilinear on display; it is smooth)
constexpr ImU32 kEvicted = IM_COL32(150, 150, 150, 90);

// Centred projected coordinates -> screen pixels (and depth), the same map the renderer uses.
struct ViewMap {
    float r[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    float c[3] = {0, 0, 0};
    float scale = 1;  ///< pixels per unit
    float depth = 1;  ///< units mapped to clip z = +-1
    ImVec2 origin;    ///< screen position of the image's top-left
    ImVec2 size;

    void rotated(const float* p, float* v) const {
        const float d[3] = {p[0] - c[0], p[1] - c[1], p[2] - c[2]};
        for (int i = 0; i < 3; ++i)
            v[i] = r[i][0] * d[0] + r[i][1] * d[1] + r[i][2] * d[2];
    }
    ImVec2 screen(const float* p) const {
        float v[3];
        rotated(p, v);
        return ImVec2(origin.x + 0.5f * size.x + v[0] * scale,
                      origin.y + 0.5f * size.y - v[1] * scale);
    }
    std::array<float, 16> mvp() const {
        std::array<float, 16> m{};
        const float sx = 2 * scale / size.x, sy = 2 * scale / size.y, sz = -1 / depth;
        const float row_scale[3] = {sx, sy, sz};
        for (int i = 0; i < 3; ++i) {
            float t = 0;
            for (int j = 0; j < 3; ++j) {
                m[static_cast<std::size_t>(4 * j + i)] = row_scale[i] * r[i][j];
                t -= row_scale[i] * r[i][j] * c[j];
            }
            m[static_cast<std::size_t>(12 + i)] = t;
        }
        m[15] = 1;
        return m;
    }
};

std::string tag_label(const SketchView& view) {
    return view.tag_meaning.empty() ? std::string("tag (none)") : "tag: " + view.tag_meaning;
}

double finite_or(double v, double fallback) {
    return std::isfinite(v) ? v : fallback;
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

// Per-point colours and styles for the stream points and the sketch's stored vectors.
void build_attributes(const Snapshot& snap, const SketchSnapshot* sketch, UiState& ui,
                      float& weight_lo, float& weight_hi) {
    EmbeddingViewState& e = ui.embedding;
    gfx::EmbeddingScene& sc = e.scene;
    const EmbeddingData& data = *e.data;
    const Index n = data.count;
    sc.colours.assign(static_cast<std::size_t>(n), kEvicted);
    sc.styles.assign(static_cast<std::size_t>(2 * n), 0.0f);
    sc.extra_xyz.clear();
    sc.extra_colours.clear();
    sc.extra_styles.clear();
    e.slot_of_token.assign(static_cast<std::size_t>(n), -1);
    const SketchView* view = sketch ? sketch->view.get() : nullptr;
    // Weight range over retained tokens (for weight colours and sizes).
    double wmin = 1e300, wmax = 0, wsum = 0;
    int wcount = 0;
    if (view) {
        for (std::size_t i = 0; i < view->retained.size(); ++i) {
            const auto& t = view->retained[i];
            if (t.position >= 0 && t.position < n)
                e.slot_of_token[static_cast<std::size_t>(t.position)] = static_cast<int>(i);
            const double w = std::abs(t.weight_den);
            if (w > 0 && std::isfinite(w)) {
                wmin = std::min(wmin, w);
                wmax = std::max(wmax, w);
                wsum += w;
                ++wcount;
            }
        }
    }
    const double wmean = wcount > 0 ? wsum / wcount : 1.0;
    weight_lo = static_cast<float>(wcount > 0 ? wmin : 1.0);
    weight_hi = static_cast<float>(wcount > 0 ? wmax : 1.0);
    const double log_lo = std::log(std::max(1e-300, static_cast<double>(weight_lo)));
    const double log_span = std::max(1e-9, std::log(std::max(1e-300, wmax)) - log_lo);
    const std::vector<int>* buckets =
        view && view->buckets ? &view->buckets->bucket_of_token : nullptr;
    const bool buckets_by_slot = buckets && view && buckets->size() == view->retained.size() &&
                                 buckets->size() != static_cast<std::size_t>(snap.tokens_seen);
    const float base = e.point_size;
    auto style_for = [&](const RetainedToken& t, float* st) {
        const double w = std::abs(t.weight_den);
        float size = base * 1.3f;
        if (e.size_by_weight && wcount > 0 && w > 0 && std::isfinite(w))
            size = base * std::clamp(static_cast<float>(std::sqrt(w / wmean)), 0.7f, 3.0f);
        st[0] = size;
        st[1] = 1.0f;
    };
    auto colour_for = [&](const RetainedToken& t, int slot) -> ImU32 {
        switch (e.colour_by) {
            case EmbedColour::Retained:
                return category_colour(0, 0.95f);
            case EmbedColour::Weight: {
                const double w = std::abs(t.weight_den);
                const double u = w > 0 ? (std::log(w) - log_lo) / log_span : 0.0;
                return viridis(static_cast<float>(finite_or(u, 0.0)), 0.95f);
            }
            case EmbedColour::Tag:
                return category_colour(t.tag, 0.95f);
            case EmbedColour::Bucket:
                if (buckets_by_slot)
                    return category_colour((*buckets)[static_cast<std::size_t>(slot)]);
                return category_colour(0, 0.95f);
            default:
                return category_colour(0, 0.95f);
        }
    };
    // Evicted / all-token colours first.
    for (Index i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        float* st = &sc.styles[2 * k];
        st[0] = base * 0.8f;
        st[1] = 0.0f;
        if (e.colour_by == EmbedColour::KeyNorm) {
            sc.colours[k] = viridis(data.points->norms[k] / std::max(1e-12f, data.max_norm), 0.8f);
        } else if (e.colour_by == EmbedColour::Age) {
            sc.colours[k] = viridis(
                static_cast<float>(i) / static_cast<float>(std::max<Index>(1, n - 1)), 0.8f);
        } else if (e.colour_by == EmbedColour::Bucket && buckets && !buckets_by_slot &&
                   k < buckets->size()) {
            sc.colours[k] = category_colour((*buckets)[k], 0.55f);
        }
    }
    if (!view) return;
    Index stored_row = 0;
    const Projection& proj = data.projection;
    for (std::size_t i = 0; i < view->retained.size(); ++i) {
        const auto& t = view->retained[i];
        const int slot = static_cast<int>(i);
        if (t.position >= 0) {
            if (t.position >= n) continue;
            const auto k = static_cast<std::size_t>(t.position);
            style_for(t, &sc.styles[2 * k]);
            if (e.colour_by != EmbedColour::KeyNorm && e.colour_by != EmbedColour::Age &&
                !(e.colour_by == EmbedColour::Bucket && buckets && !buckets_by_slot)) {
                sc.colours[k] = colour_for(t, slot);
            }
        } else if (stored_row < view->stored_keys.rows() && view->stored_keys.cols() == proj.dim &&
                   proj.valid()) {
            // A synthetic stored vector: projected here with the frozen basis (cheap: m x d x k).
            const Eigen::VectorXf row = view->stored_keys.row(stored_row).transpose();
            const auto p = project_point(proj, row);
            sc.extra_xyz.insert(sc.extra_xyz.end(), p.begin(), p.end());
            ImU32 col = colour_for(t, slot);
            if (e.colour_by == EmbedColour::Retained) col = category_colour(5, 0.95f);
            sc.extra_colours.push_back(col);
            float st[2];
            style_for(t, st);
            sc.extra_styles.push_back(st[0]);
            sc.extra_styles.push_back(1.0f);
            ++stored_row;
        }
    }
}

// Weighted points binned to a kFieldBins^2 grid over the data's bounding box: one entry per
// non-empty cell, at the cell's weighted centroid with the cell's total weight. This keeps the
// field shader's loop at most kFieldBins^2 long; it is exact to first order inside a cell
// (sum w e^{beta <p, x>} ~ W e^{beta <centroid, x>}) and labelled as binned in the view.
class FieldBinner {
  public:
    FieldBinner(const EmbeddingData& data)
        : x0_(data.lo[0]),
          y0_(data.lo[1]),
          wx_(std::max(1e-9f, data.hi[0] - data.lo[0])),
          wy_(std::max(1e-9f, data.hi[1] - data.lo[1])),
          sx_(kFieldBins * kFieldBins, 0.0),
          sy_(sx_.size(), 0.0),
          w_(sx_.size(), 0.0) {}
    void add(float x, float y, double w) {
        const int bx =
            std::clamp(static_cast<int>((x - x0_) / wx_ * kFieldBins), 0, kFieldBins - 1);
        const int by =
            std::clamp(static_cast<int>((y - y0_) / wy_ * kFieldBins), 0, kFieldBins - 1);
        const auto b = static_cast<std::size_t>(by * kFieldBins + bx);
        sx_[b] += w * x;
        sy_[b] += w * y;
        w_[b] += w;
    }
    void emit(std::vector<float>& out) const {
        for (std::size_t b = 0; b < w_.size(); ++b) {
            if (!(w_[b] > 0)) continue;
            out.insert(out.end(),
                       {static_cast<float>(sx_[b] / w_[b]), static_cast<float>(sy_[b] / w_[b]),
                        static_cast<float>(std::log(w_[b])), 0.0f});
        }
    }

  private:
    float x0_, y0_, wx_, wy_;
    std::vector<double> sx_, sy_, w_;
};

// Field entries: the exact cache's keys (binned), and the selected sketch's stored keys with
// their den weights (exact entries up to kFieldRaw of them, binned beyond).
void build_field(const SketchSnapshot* sketch, UiState& ui) {
    EmbeddingViewState& e = ui.embedding;
    gfx::EmbeddingScene& sc = e.scene;
    const EmbeddingData& data = *e.data;
    sc.field_exact.clear();
    sc.field_sketch.clear();
    e.field_sketch_binned = false;
    const Index n = data.count;
    FieldBinner exact(data);
    for (Index i = 0; i < n; ++i)
        exact.add(data.point(i)[0], data.point(i)[1], 1.0);
    exact.emit(sc.field_exact);
    if (!sketch) return;
    const SketchView& view = *sketch->view;
    Index stored_row = 0;
    for (const auto& t : view.retained) {
        std::array<float, 3> p{};
        if (t.position >= 0) {
            if (t.position >= n) continue;
            const float* q = data.point(t.position);
            p = {q[0], q[1], q[2]};
        } else {
            if (stored_row >= view.stored_keys.rows() ||
                view.stored_keys.cols() != data.projection.dim)
                continue;
            const Eigen::VectorXf row = view.stored_keys.row(stored_row++).transpose();
            p = project_point(data.projection, row);
        }
        if (!(t.weight_den > 0) || !std::isfinite(t.weight_den)) continue;
        sc.field_sketch.insert(sc.field_sketch.end(),
                               {p[0], p[1], static_cast<float>(std::log(t.weight_den)), 0.0f});
    }
    if (sc.field_sketch.size() > 4 * static_cast<std::size_t>(kFieldRaw)) {
        FieldBinner binned(data);
        for (std::size_t i = 0; i < sc.field_sketch.size(); i += 4)
            binned.add(sc.field_sketch[i], sc.field_sketch[i + 1],
                       std::exp(sc.field_sketch[i + 2]));
        sc.field_sketch.clear();
        binned.emit(sc.field_sketch);
        e.field_sketch_binned = true;
    }
}

// What the points' colours and the field depend on: the projected buffer and its rows, the
// stream position and seed, and the selected sketch's identity and state size.
std::string content_key(const Snapshot& snap, const SketchSnapshot* sketch,
                        const EmbeddingData& data) {
    char key[160];
    std::snprintf(key, sizeof key, "%llu|%lld|%lld|%llu|%zu|%lld|%lld",
                  static_cast<unsigned long long>(data.points ? data.points->id : 0),
                  static_cast<long long>(data.count), static_cast<long long>(snap.tokens_seen),
                  static_cast<unsigned long long>(snap.config->seed),
                  sketch ? sketch->view->retained.size() : 0,
                  static_cast<long long>(sketch ? sketch->stats.seen : -1),
                  static_cast<long long>(sketch ? sketch->stats.retained : -1));
    std::string k = key;
    if (sketch) k += "|" + sketch->spec.label + "|" + sketch->spec.params_text;
    return k;
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

void tooltip_for(const Snapshot& snap, const SketchSnapshot* sketch, const UiState& ui, Index token,
                 int extra_index) {
    const EmbeddingViewState& e = ui.embedding;
    const EmbeddingData& data = *e.data;
    ImGui::BeginTooltip();
    const RetainedToken* t = nullptr;
    int slot = -1;
    if (extra_index >= 0) {
        ImGui::Text("stored vector #%d (synthetic, not a stream token)", extra_index);
        int seen = 0;
        for (std::size_t i = 0; sketch && i < sketch->view->retained.size(); ++i) {
            if (sketch->view->retained[i].position >= 0) continue;
            if (seen++ == extra_index) {
                t = &sketch->view->retained[i];
                slot = static_cast<int>(i);
                break;
            }
        }
        if (sketch && extra_index < sketch->view->stored_keys.rows())
            ImGui::Text("||k|| = %.4g", sketch->view->stored_keys.row(extra_index).norm());
    } else {
        const float* p = data.point(token);
        ImGui::Text("token %lld", static_cast<long long>(token));
        ImGui::Text("||k|| = %.4g   projected (%.3g, %.3g%s",
                    data.points->norms[static_cast<std::size_t>(token)], p[0], p[1],
                    data.projection.k > 2 ? "" : ")");
        if (data.projection.k > 2) {
            ImGui::SameLine(0, 0);
            ImGui::Text(", %.3g)", p[2]);
        }
        slot = token < static_cast<Index>(e.slot_of_token.size())
                   ? e.slot_of_token[static_cast<std::size_t>(token)]
                   : -1;
        if (sketch && slot >= 0) t = &sketch->view->retained[static_cast<std::size_t>(slot)];
    }
    if (data.has_query && extra_index < 0 && data.projection.exact) {
        const float* p = data.point(token);
        ImGui::Text("beta <k, q> = %.4g (current query)",
                    snap.beta * (p[0] * data.query[0] + p[1] * data.query[1]));
    }
    if (!sketch) {
        ImGui::TextDisabled("no sketch selected");
    } else if (t) {
        const std::string name = short_name(sketch->spec);
        ImGui::Text("kept: retained by %s with weight %.4g (numerator %.4g)", name.c_str(),
                    t->weight_den, t->weight_num);
        if (!sketch->view->tag_meaning.empty())
            ImGui::Text("tag: %s = %d", sketch->view->tag_meaning.c_str(), t->tag);
        if (slot >= 0 && static_cast<std::size_t>(slot) < sketch->view->token_scores.size())
            ImGui::Text(
                "%s = %.4g",
                sketch->view->score_meaning.empty() ? "score" : sketch->view->score_meaning.c_str(),
                sketch->view->token_scores[static_cast<std::size_t>(slot)]);
    } else if (sketch->view->subset_of_stream) {
        ImGui::Text("evicted: not among the %zu tokens %s keeps", sketch->view->retained.size(),
                    short_name(sketch->spec).c_str());
    } else {
        ImGui::Text("not stored: %s keeps a summary, not stream tokens",
                    short_name(sketch->spec).c_str());
    }
    if (extra_index < 0 && sketch && sketch->view->buckets) {
        const auto& b = sketch->view->buckets->bucket_of_token;
        if (token < static_cast<Index>(b.size()) && b.size() != sketch->view->retained.size())
            ImGui::Text("bucket %d", b[static_cast<std::size_t>(token)]);
    }
    ImGui::EndTooltip();
}

}  // namespace

void draw_embedding_panel(const Snapshot& snap, UiState& ui) {
    EmbeddingViewState& e = ui.embedding;
    gfx::EmbeddingScene& sc = e.scene;
    sc.active = false;
    const SketchSnapshot* sketch = nullptr;
    if (!snap.sketches.empty()) {
        ui.selected_sketch =
            std::clamp(ui.selected_sketch, 0, static_cast<int>(snap.sketches.size()) - 1);
        sketch = &snap.sketches[static_cast<std::size_t>(ui.selected_sketch)];
    }

    // ---- controls ----
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    int mode = static_cast<int>(e.colour_by);
    const std::string tag_name = sketch ? tag_label(*sketch->view) : std::string("tag");
    const char* names[6];
    for (int i = 0; i < 6; ++i)
        names[i] = i == 2 ? tag_name.c_str() : kColourNames[i];
    if (ImGui::Combo("colour", &mode, names, 6)) e.colour_by = static_cast<EmbedColour>(mode);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "What colours the points: the selected sketch's retained tokens, their "
            "weights (viridis, log scale), the sketch's tag (walk sign, merge level, "
            "cluster...), hash bucket, key norm or token index. Grey: evicted.");
    ImGui::SameLine();
    ImGui::Checkbox("size by weight", &e.size_by_weight);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Retained points sized by sqrt(weight / mean weight).");
    ImGui::SameLine();
    if (ImGui::Checkbox("3-D", &e.three_d)) e.auto_fit = true;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Three principal axes; drag to orbit, wheel to zoom. The kernel field "
            "and hyperplanes are 2-D only.");
    ImGui::SameLine();
    if (ImGui::Button("refit")) {
        ui.commands.push_back(command::RefitProjection{});
        e.auto_fit = true;
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Refit the PCA basis on the whole stream (sampled) and reproject every "
            "token. The basis is otherwise frozen after the first %lld tokens so "
            "points do not move.",
            static_cast<long long>(EmbeddingTracker::kFitTokens));
    ImGui::Checkbox("kernel field", &e.field);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Heat map of log sum_i w_i exp(beta <k_i, q>) for queries q in the projection plane "
            "(q = u b1 + v b2 at each pixel). Exact over that plane: <k, q> = <B(k - mean), (u,v)> "
            "+ <B mean, (u,v)>. Exact cache: keys binned to a %dx%d grid (count x centroid).",
            kFieldBins, kFieldBins);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    const char* field_modes[] = {"exact cache", "selected sketch", "log(sketch / exact)"};
    ImGui::Combo("##fieldmode", &e.field_mode, field_modes, 3);
    ImGui::SameLine();
    ImGui::Checkbox("query", &e.show_query);
    ImGui::SameLine();
    ImGui::Checkbox("probes", &e.show_probes);
    const bool has_planes =
        sketch && sketch->view->buckets && sketch->view->buckets->hyperplanes.rows() > 0;
    if (has_planes) {
        ImGui::SameLine();
        ImGui::Checkbox("hyperplanes", &e.show_hyperplanes);
    }

    e.data = snap.embedding;
    const EmbeddingData* data = e.data.get();
    const float legend_h = 2.3f * ImGui::GetFrameHeightWithSpacing();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.y -= legend_h;
    if (!data || data->count == 0 || !data->points || avail.x < 16 || avail.y < 16) {
        ImGui::TextDisabled("No tokens yet: press play or step (Space / Right).");
        if (e.hover_owned) ui.hovered_token = -1;
        e.hover_owned = false;
        return;
    }

    // ---- view transform ----
    ViewMap vm;
    vm.origin = ImGui::GetCursorScreenPos();
    vm.size = ImVec2(std::floor(avail.x), std::floor(avail.y));
    const bool three = e.three_d && data->projection.k >= 3;
    if (three) {
        const float cy = std::cos(e.yaw), sy = std::sin(e.yaw), cp = std::cos(e.pitch),
                    sp = std::sin(e.pitch);
        // R = Rx(pitch) * Ry(yaw)
        const float r[3][3] = {{cy, 0, sy}, {sp * sy, cp, -sp * cy}, {-cp * sy, sp, cp * cy}};
        std::copy(&r[0][0], &r[0][0] + 9, &vm.r[0][0]);
    }
    float ext[3];
    for (int i = 0; i < 3; ++i)
        ext[i] = std::max(
            1e-6f, data->hi[static_cast<std::size_t>(i)] - data->lo[static_cast<std::size_t>(i)]);
    if (e.auto_fit) {
        for (int i = 0; i < 3; ++i)
            e.centre[i] = 0.5f * (data->lo[static_cast<std::size_t>(i)] +
                                  data->hi[static_cast<std::size_t>(i)]);
        if (!three) e.centre[2] = 0;
        e.zoom = 1;
    }
    const float diag = std::sqrt(ext[0] * ext[0] + ext[1] * ext[1] + (three ? ext[2] * ext[2] : 0));
    // 3-D: the largest extent, with room for the corners a rotation brings in view.
    const float fit_scale =
        three ? 0.92f * std::min(vm.size.x, vm.size.y) / (1.2f * std::max({ext[0], ext[1], ext[2]}))
              : 0.92f * std::min(vm.size.x / ext[0], vm.size.y / ext[1]);
    vm.scale = fit_scale * e.zoom;
    vm.depth = std::max(1e-6f, diag);
    std::copy(e.centre, e.centre + 3, vm.c);

    // ---- scene for the renderer ----
    // Colours are rebuilt when what they show changes (not on every snapshot: a paused
    // session publishes the same state again), so an unchanged view costs nothing.
    const std::string content = content_key(snap, sketch, *data);
    char mode_key[96];
    std::snprintf(mode_key, sizeof mode_key, "|%d|%d|%d|%g", ui.selected_sketch,
                  static_cast<int>(e.colour_by), e.size_by_weight ? 1 : 0,
                  static_cast<double>(e.point_size));
    if (e.attr_content != content + mode_key ||
        sc.colours.size() != static_cast<std::size_t>(data->count)) {
        build_attributes(snap, sketch, ui, e.weight_lo, e.weight_hi);
        e.attr_content = content + mode_key;
        ++sc.attr_version;
    }
    sc.active = true;
    sc.width = static_cast<int>(vm.size.x);
    sc.height = static_cast<int>(vm.size.y);
    sc.xyz = data->points->xyz.data();
    sc.count = data->count;
    sc.buffer_id = data->points->id;
    sc.mvp = vm.mvp();
    sc.three_d = three;
    sc.point_scale = std::max(1.0f, ImGui::GetFontSize() / 15.0f);  // UI scale, 2x shots
    const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_FrameBg);
    const float lum = 0.3f * bg.x + 0.6f * bg.y + 0.1f * bg.z;
    sc.background = lum > 0.5f ? std::array<float, 4>{0.97f, 0.97f, 0.97f, 1.0f}
                               : std::array<float, 4>{0.07f, 0.07f, 0.08f, 1.0f};
    // Field: rebuilt when the snapshot changes (at most 4 times a second while the stream runs),
    // the view rectangle changes or the mode changes.
    sc.field = e.field && !three;
    if (sc.field) {
        // The field covers 1.3x the view, so small pans stay covered between rebuilds.
        const float hx = 0.5f * vm.size.x / vm.scale, hy = 0.5f * vm.size.y / vm.scale;
        const std::array<float, 4> view_rect{e.centre[0] - hx, e.centre[1] - hy, e.centre[0] + hx,
                                             e.centre[1] + hy};
        const std::array<float, 4> rect{e.centre[0] - 1.3f * hx, e.centre[1] - 1.3f * hy,
                                        e.centre[0] + 1.3f * hx, e.centre[1] + 1.3f * hy};
        const auto& built = e.field_rect_built;
        const bool covered = view_rect[0] >= built[0] && view_rect[1] >= built[1] &&
                             view_rect[2] <= built[2] && view_rect[3] <= built[3];
        const double now = ImGui::GetTime();
        const int fkey = ui.selected_sketch;
        // Data changes (and the auto-fitted view following them) wait for the throttle; a view
        // the user moved, or another sketch, rebuilds at once. The renderer places the field
        // at the rectangle it was built for, so a throttled field still lines up.
        const bool throttled = now - e.field_built_at < 0.25;
        const bool data_changed =
            e.field_content != content || (rect != e.field_rect_built && e.auto_fit);
        // A moved view rebuilds at once when it leaves the covered rectangle, else at most
        // about seven times a second (zooming in sharpens within 0.15 s).
        const bool user_moved = rect != e.field_rect_built && !e.auto_fit &&
                                (!covered || now - e.field_built_at >= 0.15);
        if ((data_changed && !throttled) || user_moved || fkey != e.field_key ||
            sc.field_exact.empty()) {
            build_field(sketch, ui);
            e.field_content = content;
            e.field_built_at = now;
            e.field_key = fkey;
            e.field_rect_built = rect;
            sc.field_rect = rect;
            const auto off = data->projection.offset();
            sc.field_offset = {off[0], off[1]};
            sc.beta = static_cast<float>(snap.beta > 0 ? snap.beta : 1.0);
            sc.field_resolution = kFieldPixels;
            ++sc.field_version;
        }
        sc.field_mode = e.field_mode;
    }

    // ---- image + interaction ----
    const ImTextureID tex = reinterpret_cast<ImTextureID>(e.output.texture);
    const ImVec2 img_min = vm.origin;
    const ImVec2 img_max(vm.origin.x + vm.size.x, vm.origin.y + vm.size.y);
    if (e.output.texture != 0) {
        // The renderer draws this frame's scene into the same texture (resized in place) after
        // the panels and before ImGui renders, so the image is current even after a resize.
        ImGui::Image(tex, vm.size, ImVec2(0, 1), ImVec2(1, 0));
    } else {
        // First frame: the texture is created by this frame's render.
        ImGui::Dummy(vm.size);
        ImGui::GetWindowDrawList()->AddRectFilled(img_min, img_max,
                                                  ImGui::GetColorU32(ImGuiCol_FrameBg));
    }
    // The image is not interactive; an invisible button over it takes the mouse.
    const ImVec2 after_image = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(img_min);
    ImGui::InvisibleButton("##embedding", vm.size);
    ImGui::SetCursorScreenPos(after_image);
    const bool hovered = ImGui::IsItemHovered();
    ImGuiIO& io = ImGui::GetIO();
    if (hovered) {
        if (io.MouseWheel != 0) {
            // Zoom about the mouse in 2-D (the point under it stays put).
            const float f = std::pow(1.15f, io.MouseWheel);
            if (!three) {
                const float mx = (io.MousePos.x - img_min.x - 0.5f * vm.size.x) / vm.scale;
                const float my = -(io.MousePos.y - img_min.y - 0.5f * vm.size.y) / vm.scale;
                e.centre[0] += mx * (1 - 1 / f);
                e.centre[1] += my * (1 - 1 / f);
            }
            e.auto_fit = false;
            e.zoom *= f;
        }
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) e.auto_fit = true;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f)) {
        if (three) {
            e.yaw += io.MouseDelta.x * 0.01f;
            e.pitch = std::clamp(e.pitch + io.MouseDelta.y * 0.01f, -1.55f, 1.55f);
        } else {
            e.auto_fit = false;
            e.centre[0] -= io.MouseDelta.x / vm.scale;
            e.centre[1] += io.MouseDelta.y / vm.scale;
        }
    }

    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(img_min, img_max, true);
    const auto offset = data->projection.offset();
    // Hyperplanes of a simhash sketch: {x : <B h, x> + <h, mean> = 0} in the plane through the
    // mean spanned by the basis.
    if (has_planes && e.show_hyperplanes && !three) {
        const Matrix& hp = sketch->view->buckets->hyperplanes;
        const Projection& pr = data->projection;
        if (hp.cols() == pr.dim && pr.valid()) {
            for (Index r = 0; r < hp.rows(); ++r) {
                const Eigen::VectorXd h = hp.row(r).transpose().cast<double>();
                const Eigen::VectorXd a = pr.basis * h;
                const double b = h.dot(pr.mean);
                const double ax = a[0], ay = pr.k > 1 ? a[1] : 0.0;
                const double norm = std::hypot(ax, ay);
                if (norm < 1e-12) continue;
                // Closest point to the view centre, then +- a long direction along the line.
                const double t = -(b + ax * e.centre[0] + ay * e.centre[1]) / (norm * norm);
                const double px = e.centre[0] + t * ax, py = e.centre[1] + t * ay;
                const double L = 4.0 * std::max(vm.size.x, vm.size.y) / vm.scale;
                const float p0[3] = {static_cast<float>(px - L * ay / norm),
                                     static_cast<float>(py + L * ax / norm), 0};
                const float p1[3] = {static_cast<float>(px + L * ay / norm),
                                     static_cast<float>(py - L * ax / norm), 0};
                dl->AddLine(vm.screen(p0), vm.screen(p1),
                            category_colour(static_cast<int>(r) + 1, 0.9f), 1.5f);
            }
        }
    }
    if (e.show_probes) {
        for (std::size_t i = 0; i + 2 < data->probes.size(); i += 3) {
            const ImVec2 s = vm.screen(&data->probes[i]);
            dl->AddLine(ImVec2(s.x - 3, s.y), ImVec2(s.x + 3, s.y), IM_COL32(255, 255, 255, 160));
            dl->AddLine(ImVec2(s.x, s.y - 3), ImVec2(s.x, s.y + 3), IM_COL32(255, 255, 255, 160));
        }
    }
    if (e.show_query && data->has_query) {
        // Tail at the key space's origin, head at the query's projection (same coordinates as
        // the keys: B q - B mean).
        const float o[3] = {-offset[0], -offset[1], -offset[2]};
        const float q[3] = {data->query[0] - offset[0], data->query[1] - offset[1],
                            data->query[2] - offset[2]};
        const ImU32 qc = IM_COL32(255, 80, 200, 255);
        draw_arrow(dl, vm.screen(o), vm.screen(q), qc);
        const ImVec2 hq = vm.screen(q);
        dl->AddText(ImVec2(hq.x + 4, hq.y - 14), qc, "q");
    }

    // Hover: nearest point on screen within 10 px (brute force over the projected rows).
    Index hover_token = -1;
    int hover_extra = -1;
    if (hovered) {
        const ImVec2 m = io.MousePos;
        float best = 100.0f;
        for (Index i = 0; i < data->count; ++i) {
            const ImVec2 s = vm.screen(data->point(i));
            const float d = (s.x - m.x) * (s.x - m.x) + (s.y - m.y) * (s.y - m.y);
            if (d < best) {
                best = d;
                hover_token = i;
            }
        }
        for (std::size_t j = 0; j * 3 + 2 < sc.extra_xyz.size(); ++j) {
            const ImVec2 s = vm.screen(&sc.extra_xyz[3 * j]);
            const float d = (s.x - m.x) * (s.x - m.x) + (s.y - m.y) * (s.y - m.y);
            if (d < best) {
                best = d;
                hover_token = -1;
                hover_extra = static_cast<int>(j);
            }
        }
        ui.hovered_token = hover_token;
        e.hover_owned = true;
    } else if (e.hover_owned) {
        ui.hovered_token = -1;
        e.hover_owned = false;
    }
    // Highlight the hovered token (from this panel or another one).
    if (ui.hovered_token >= 0 && ui.hovered_token < data->count) {
        const ImVec2 s = vm.screen(data->point(ui.hovered_token));
        dl->AddCircle(s, 7.0f, IM_COL32(255, 255, 255, 255), 16, 2.0f);
        dl->AddCircle(s, 9.0f, IM_COL32(0, 0, 0, 255), 16, 1.0f);
    }
    if (hover_extra >= 0) {
        const ImVec2 s = vm.screen(&sc.extra_xyz[3 * static_cast<std::size_t>(hover_extra)]);
        dl->AddCircle(s, 7.0f, IM_COL32(255, 255, 255, 255), 16, 2.0f);
    }
    // Axis caption.
    char caption[160];
    if (data->projection.exact) {
        std::snprintf(caption, sizeof caption, "exact: d = 2, axes k1, k2");
    } else {
        double shown = 0;
        for (int i = 0; i < std::min(data->projection.k, three ? 3 : 2); ++i)
            shown += data->projection.variance[i];
        std::snprintf(caption, sizeof caption, "PCA%s of %lld tokens, %.0f%% of variance%s",
                      three ? " (3 axes)" : "", static_cast<long long>(data->projection.fitted_on),
                      100.0 * shown / std::max(1e-300, data->projection.total_variance),
                      data->auto_fitting ? ", fitting" : ", frozen");
    }
    dl->AddText(ImVec2(img_min.x + 6, img_min.y + 4), IM_COL32(235, 235, 235, 220), caption);
    if (e.output.drawn_points > 0 && e.output.drawn_points < e.output.total_points) {
        char thin[128];
        std::snprintf(thin, sizeof thin, "drawing %lld of %lld points (top one per 2x2 px)",
                      static_cast<long long>(e.output.drawn_points),
                      static_cast<long long>(e.output.total_points));
        dl->AddText(ImVec2(img_min.x + 6, img_max.y - 4 - ImGui::GetTextLineHeight()),
                    IM_COL32(235, 235, 235, 200), thin);
    }
    if (data->tokens_seen > data->count) {
        char cap[96];
        std::snprintf(cap, sizeof cap, "showing the first %lld of %lld tokens",
                      static_cast<long long>(data->count),
                      static_cast<long long>(data->tokens_seen));
        dl->AddText(ImVec2(img_min.x + 6, img_min.y + 4 + ImGui::GetTextLineHeight()),
                    IM_COL32(255, 200, 120, 230), cap);
    }
    dl->PopClipRect();
    if (hover_token >= 0 || hover_extra >= 0)
        tooltip_for(snap, sketch, ui, hover_token, hover_extra);

    // ---- legend and colour bars ----
    switch (e.colour_by) {
        case EmbedColour::Retained:
            legend_swatch(
                category_colour(0),
                sketch ? ("retained by " + short_name(sketch->spec)).c_str() : "retained");
            legend_swatch(kEvicted, "evicted");
            if (!sc.extra_colours.empty()) legend_swatch(category_colour(5), "stored vector");
            break;
        case EmbedColour::Weight:
            colour_bar("den weight (log)", e.weight_lo, e.weight_hi, false);
            ImGui::SameLine();
            legend_swatch(kEvicted, "evicted");
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
            colour_bar("||k||", 0.0f, data->max_norm, false);
            break;
        case EmbedColour::Age:
            colour_bar("token index", 0.0f, static_cast<float>(data->count - 1), false);
            break;
        default:
            break;
    }
    ImGui::NewLine();
    if (sc.field) {
        const gfx::EmbeddingOutput& o = e.output;
        if (!o.field_valid) {
            ImGui::TextDisabled("kernel field: rendering...");
        } else if (e.field_mode == 2) {
            colour_bar("field log(sketch / exact), binned exact", 0, o.diff_absmax, true);
        } else if (e.field_mode == 1) {
            if (sc.field_sketch.empty())
                ImGui::TextDisabled("kernel field: the selected sketch stores no keys");
            else
                colour_bar(
                    e.field_sketch_binned ? "field log Z, sketch (binned)" : "field log Z, sketch",
                    o.sketch_min, o.sketch_max, false);
        } else {
            colour_bar("field log Z, exact (binned)", o.exact_min, o.exact_max, false);
        }
    }
}

}  // namespace kvscope::ui
