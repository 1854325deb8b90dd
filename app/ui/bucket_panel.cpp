#include "ui/bucket_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "scene/palette.hpp"
#include "ui/panel_csv.hpp"
#include "ui/widgets.hpp"

namespace kvscope::ui {

namespace {

using scene::bucket_colour;

const char* const kBarMeasures[] = {"count", "radius", "memory_floats", "share of Z"};
const char* const kBarHelp[] = {
    "tokens hashed to the bucket", "radius of the bucket around its centre (upper bound)",
    "floats the bucket's summary stores",
    "share of the estimated denominator Z the bucket contributes for the current query"};

// Value-norm classes (balance_kv) rather than hash buckets.
bool norm_classes(const BucketView& b) {
    return !b.value_norm_lo.empty();
}

// True when the sketch reports bar measure `measure` (a measure it leaves empty is not offered).
bool reported(const BucketView& b, int measure) {
    switch (measure) {
        case 0:
            return !b.counts.empty();
        case 1:
            return !b.radii.empty();
        case 2:
            return !b.memory_floats.empty();
        default:
            return !b.query_contribution.empty();
    }
}

double bar_value(const BucketView& b, std::size_t i, int measure) {
    switch (measure) {
        case 0:
            return i < b.counts.size() ? static_cast<double>(b.counts[i]) : NAN;
        case 1:
            return i < b.radii.size() ? b.radii[i] : NAN;
        case 2:
            return i < b.memory_floats.size() ? b.memory_floats[i] : NAN;
        default:
            return i < b.query_contribution.size() ? b.query_contribution[i] : NAN;
    }
}

void bucket_tooltip(const BucketView& b, std::size_t i, Index total) {
    ImGui::BeginTooltip();
    ImGui::ColorButton("##c", ImGui::ColorConvertU32ToFloat4(bucket_colour(b.ids[i])),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
    ImGui::SameLine();
    ImGui::Text("bucket %d%s", b.ids[i], b.ids[i] == b.query_bucket ? "  (query's bucket)" : "");
    if (i < b.counts.size()) {
        ImGui::Text("tokens %lld (%.1f%% of %lld)", static_cast<long long>(b.counts[i]),
                    total > 0 ? 100.0 * static_cast<double>(b.counts[i]) / total : 0.0,
                    static_cast<long long>(total));
    }
    if (i < b.radii.size()) ImGui::Text("radius %.4g", b.radii[i]);
    if (i < b.value_norm_lo.size() && i < b.value_norm_hi.size())
        ImGui::Text("value norms %.4g <= ||v|| < %.4g", b.value_norm_lo[i], b.value_norm_hi[i]);
    if (i < b.memory_floats.size()) ImGui::Text("memory %.6g floats", b.memory_floats[i]);
    if (i < b.taylor_degree.size()) ImGui::Text("Taylor degree %d", b.taylor_degree[i]);
    if (i < b.query_contribution.size()) {
        ImGui::Text("share of Z, current query %.4g", b.query_contribution[i]);
    }
    ImGui::EndTooltip();
}

// The bars' value axis: linear from 0, or log over the positive values; NaN values counted.
struct BarScale {
    bool log = false;
    double lo = 0, hi = 1;
    int nan_count = 0;
    /// Screen y of value v between `bottom` (lo) and `top` (hi), clamped.
    float y(double v, float top, float bottom) const {
        double t = log ? (v > 0 ? (std::log10(v) - lo) / (hi - lo) : 0.0) : v / hi;
        if (!std::isfinite(t)) t = 0;
        return bottom - static_cast<float>(std::clamp(t, 0.0, 1.0)) * (bottom - top);
    }
};

BarScale bar_scale(const BucketView& b, const BucketPanelState& state) {
    BarScale s;
    double vmax = 0, vmin_pos = INFINITY;
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
        const double v = bar_value(b, i, state.measure);
        if (std::isnan(v)) {
            ++s.nan_count;
            continue;
        }
        vmax = std::max(vmax, v);
        if (v > 0) vmin_pos = std::min(vmin_pos, v);
    }
    s.log = state.log_scale && vmax > 0;
    s.lo = s.log ? std::log10(std::min(vmin_pos, vmax) / 2) : 0.0;
    s.hi = s.log ? std::log10(vmax) : (vmax > 0 ? vmax : 1.0);
    return s;
}

// Axis labels: the value range left of the bars (from x), first and last bucket id below.
void draw_bar_labels(const BucketView& b, const BarScale& s, float x, ImVec2 a, ImVec2 z,
                     ImDrawList* dl) {
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const float line = ImGui::GetTextLineHeight();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", s.log ? std::pow(10.0, s.hi) : s.hi);
    dl->AddText(ImVec2(x, a.y), text, buf);
    std::snprintf(buf, sizeof buf, "%.3g", s.log ? std::pow(10.0, s.lo) : 0.0);
    dl->AddText(ImVec2(x, z.y - line), text, buf);
    if (!b.ids.empty()) {
        std::snprintf(buf, sizeof buf, "%d", b.ids.front());
        dl->AddText(ImVec2(a.x, z.y + 1), text, buf);
        std::snprintf(buf, sizeof buf, "%d", b.ids.back());
        dl->AddText(ImVec2(z.x - ImGui::CalcTextSize(buf).x, z.y + 1), text, buf);
    }
    std::string xl = std::to_string(b.ids.size()) + " non-empty buckets, in id order";
    if (s.nan_count > 0) xl += ", " + std::to_string(s.nan_count) + " NaN";
    dl->AddText(ImVec2((a.x + z.x - ImGui::CalcTextSize(xl.c_str()).x) / 2, z.y + 1), text,
                xl.c_str());
}

// One bar per bucket in id order, coloured by bucket id; the query's bucket is outlined.
void draw_bucket_bars(const BucketView& b, const BucketPanelState& state, Index total) {
    const float width = ImGui::GetContentRegionAvail().x;
    const float height = 8.0f * ImGui::GetTextLineHeight();
    const float line = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##bars", ImVec2(width, height + 1.4f * line));
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImVec2 a(p.x + 4.0f * line, p.y + 0.3f * line), z(p.x + width - 2, p.y + height);
    dl->AddRectFilled(a, z, ImGui::GetColorU32(ImGuiCol_FrameBg));
    const std::size_t n = b.ids.size();
    const BarScale scale = bar_scale(b, state);
    const float bw = (z.x - a.x) / static_cast<float>(std::max<std::size_t>(n, 1));
    const float gap = bw >= 4 ? 1.0f : 0.0f;
    auto column_of = [&](std::size_t i) { return static_cast<int>(bw * static_cast<float>(i)); };
    // True when bucket i holds the largest value of its pixel column (first of equals).
    auto column_max = [&](std::size_t i) {
        const double v = bar_value(b, i, state.measure);
        const int c = column_of(i);
        for (std::size_t j = i; j-- > 0 && column_of(j) == c;) {
            if (bar_value(b, j, state.measure) >= v) return false;
        }
        for (std::size_t j = i + 1; j < n && column_of(j) == c; ++j) {
            if (bar_value(b, j, state.measure) > v) return false;
        }
        return true;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const float x0 = a.x + bw * static_cast<float>(i);
        const double v = bar_value(b, i, state.measure);
        if (std::isnan(v)) {
            dl->AddLine(ImVec2(x0 + bw / 2, a.y), ImVec2(x0 + bw / 2, a.y + 6),
                        IM_COL32(230, 40, 40, 255), 2.0f);
            continue;
        }
        // Narrower than a pixel: one bar per pixel column, the column's largest value.
        if (bw < 1.0f && !column_max(i)) continue;
        const float top = std::min(scale.y(v, a.y, z.y), z.y - 1.0f);
        dl->AddRectFilled(ImVec2(x0, top), ImVec2(std::max(x0 + 1, x0 + bw - gap), z.y),
                          bucket_colour(b.ids[i]));
        if (b.ids[i] == b.query_bucket) {
            dl->AddRect(ImVec2(x0 - 1, top - 1), ImVec2(x0 + std::max(2.0f, bw - gap) + 1, z.y),
                        text, 0, 0, 2.0f);
            dl->AddTriangleFilled(ImVec2(x0 + bw / 2, top - 3), ImVec2(x0 + bw / 2 - 5, top - 10),
                                  ImVec2(x0 + bw / 2 + 5, top - 10), text);
        }
    }
    draw_bar_labels(b, scale, p.x, a, z, dl);
    if (hovered && n > 0) {
        const float mx = ImGui::GetIO().MousePos.x;
        const auto i = static_cast<std::size_t>(
            std::clamp(static_cast<int>((mx - a.x) / bw), 0, static_cast<int>(n) - 1));
        const float x0 = a.x + bw * static_cast<float>(i);
        dl->AddRect(ImVec2(x0, a.y), ImVec2(x0 + std::max(bw, 2.0f), z.y), text);
        bucket_tooltip(b, i, total);
    }
}

// Stacked bar of shares of Z, one segment per bucket, in id order.
void draw_share_bar(const BucketView& b, const std::vector<double>& shares, float height,
                    int query) {
    const float width = ImGui::GetContentRegionAvail().x;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushID(query);
    ImGui::InvisibleButton("##share", ImVec2(width, height));
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + height), ImGui::GetColorU32(ImGuiCol_FrameBg));
    double total = 0;
    for (double v : shares) {
        if (std::isfinite(v) && v > 0) total += v;
    }
    if (!(total > 0)) return;
    float x = p.x;
    const float mx = ImGui::GetIO().MousePos.x;
    float run_start = p.x;  // sub-pixel segments are merged into runs of at least one pixel
    double run_best = -1;
    int run_id = -1;
    for (std::size_t i = 0; i < shares.size(); ++i) {
        const double v = shares[i];
        if (!(std::isfinite(v) && v > 0)) continue;
        const float w = static_cast<float>(v / total) * width;
        const int id = i < b.ids.size() ? b.ids[i] : -1;
        if (v > run_best) run_best = v, run_id = id;
        if (x + w - run_start >= 1.0f || i + 1 == shares.size()) {
            dl->AddRectFilled(ImVec2(run_start, p.y), ImVec2(x + w, p.y + height),
                              bucket_colour(run_id));
            run_start = x + w;
            run_best = -1;
        }
        if (hovered && mx >= x && mx < x + std::max(w, 1.0f)) {
            dl->AddRect(ImVec2(x, p.y), ImVec2(x + std::max(w, 1.0f), p.y + height),
                        ImGui::GetColorU32(ImGuiCol_Text));
            ImGui::SetTooltip("query %d%s\nbucket %d: %.4g of Z", query,
                              query == 0 ? " (current)" : "", id, v);
        }
        x += w;
    }
}

// The table's columns after the bucket id: only those the sketch reports, titled by what they
// hold.
struct BucketColumn {
    std::string title;
    std::function<void(std::size_t)> cell;  ///< draws row i's cell
};

std::vector<BucketColumn> bucket_columns(const BucketView& b) {
    std::vector<BucketColumn> c;
    if (!b.counts.empty())
        c.push_back({norm_classes(b) ? "items kept" : "tokens", [&b](std::size_t i) {
                         if (i < b.counts.size())
                             ImGui::Text("%lld", static_cast<long long>(b.counts[i]));
                     }});
    if (!b.radii.empty())
        c.push_back({"radius", [&b](std::size_t i) {
                         if (i < b.radii.size()) ImGui::Text("%.3g", b.radii[i]);
                     }});
    if (norm_classes(b)) {
        c.push_back({"‖v‖ from", [&b](std::size_t i) {
                         if (i < b.value_norm_lo.size()) ImGui::Text("%.4g", b.value_norm_lo[i]);
                     }});
        c.push_back({"‖v‖ below", [&b](std::size_t i) {
                         if (i < b.value_norm_hi.size()) ImGui::Text("%.4g", b.value_norm_hi[i]);
                     }});
    }
    if (!b.memory_floats.empty())
        c.push_back({"floats", [&b](std::size_t i) {
                         if (i < b.memory_floats.size()) ImGui::Text("%.4g", b.memory_floats[i]);
                     }});
    if (!b.taylor_degree.empty())
        c.push_back({"degree", [&b](std::size_t i) {
                         if (i < b.taylor_degree.size()) ImGui::Text("%d", b.taylor_degree[i]);
                     }});
    if (!b.query_contribution.empty() || !b.recent_contributions.empty())
        c.push_back({"share Z", [&b](std::size_t i) {
                         if (i < b.query_contribution.size()) {
                             ImGui::Text("%.3g", b.query_contribution[i]);
                         } else {
                             ImGui::TextDisabled("-");
                         }
                     }});
    return c;
}

void draw_bucket_table(const BucketView& b) {
    const std::vector<BucketColumn> columns = bucket_columns(b);
    // All rows when they fit, else the rest of the window (at least 6 rows), scrolling.
    const float row = ImGui::GetTextLineHeightWithSpacing();
    const float rows_h = std::min(row * static_cast<float>(b.ids.size() + 1),
                                  std::max(6 * row, ImGui::GetContentRegionAvail().y - 8));
    if (!ImGui::BeginTable("buckets", 1 + static_cast<int>(columns.size()),
                           ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                               ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp,
                           ImVec2(0, rows_h + 4))) {
        return;
    }
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(norm_classes(b) ? "class" : "bucket");
    for (const BucketColumn& c : columns)
        ImGui::TableSetupColumn(c.title.c_str());
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(b.ids.size()));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const auto i = static_cast<std::size_t>(r);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::ColorButton("##c", ImGui::ColorConvertU32ToFloat4(bucket_colour(b.ids[i])),
                               ImGuiColorEditFlags_NoTooltip,
                               ImVec2(ImGui::GetTextLineHeight(), ImGui::GetTextLineHeight()));
            ImGui::SameLine();
            ImGui::Text("%d%s", b.ids[i], b.ids[i] == b.query_bucket ? " (q)" : "");
            for (const BucketColumn& c : columns) {
                ImGui::TableNextColumn();
                c.cell(i);
            }
        }
    }
    ImGui::EndTable();
}

// Name, CSV button, family and summary, collision rate, the query's bucket.
void draw_header(const SketchSnapshot& s, const BucketView& b, PanelContext& ctx) {
    const std::string name = scene_name(ctx.snap, s);
    sketch_swatch(ctx.snap, ctx.selection.sketch);
    ImGui::Text("%s: %zu buckets, %lld tokens", name.c_str(), b.ids.size(),
                static_cast<long long>(s.stats.seen));
    ImGui::SameLine(ImGui::GetContentRegionMax().x - ImGui::CalcTextSize("CSV").x -
                    2 * ImGui::GetStyle().FramePadding.x);
    const int sketch = ctx.selection.sketch;
    csv_button(
        ctx.sink, "buckets", [&] { return bucket_csv(ctx.snap, sketch); },
        "Write one row per bucket to kvscope_buckets_NNNN.csv (working directory)");
    // Only what the sketch reports: value-norm classes have no hash family, summary or query
    // bucket.
    std::string kinds;
    if (!b.family.empty()) kinds = "family " + b.family;
    if (!b.summary.empty())
        kinds += (kinds.empty() ? "" : ", ") + std::string("summary ") + b.summary;
    if (!kinds.empty()) {
        ImGui::TextUnformatted(kinds.c_str());
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip(
                "family: how keys are hashed (simhash hyperplanes, spherical caps, norm "
                "shells, online clustering)\nsummary: what each bucket stores (exact "
                "tokens, Taylor moments, coreset, reservoir)");
        }
    }
    if (norm_classes(b)) {
        ImGui::TextWrapped(
            "value-norm classes, not hash buckets: class c holds the tokens with 2^c <= ||v|| < "
            "2^(c+1), each balanced in a tree of its own");
    }
    if (b.query_bucket < 0 && b.collision_rate == 0) return;  // no query bucket reported
    ImGui::Text("collision rate %.3g", b.collision_rate);
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "Share of stored keys that fall in the query's own bucket, averaged over "
            "the queries of the last estimate");
    }
    if (b.query_bucket >= 0) {
        ImGui::SameLine();
        ImGui::Text("  query bucket %d", b.query_bucket);
    }
}

void draw_measure_picker(BucketPanelState& state, const BucketView& b) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    state.measure = std::clamp(state.measure, 0, 3);
    if (!reported(b, state.measure) && reported(b, 0)) state.measure = 0;
    const auto name = [&b](int i) {
        return i == 0 && norm_classes(b) ? "items kept" : kBarMeasures[i];
    };
    const auto help = [&b](int i) {
        return i == 0 && norm_classes(b) ? "items the class's tree keeps" : kBarHelp[i];
    };
    if (ImGui::BeginCombo("bars", name(state.measure))) {
        for (int i = 0; i < 4; ++i) {
            if (!reported(b, i)) continue;
            if (ImGui::Selectable(name(i), i == state.measure)) state.measure = i;
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help(i));
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help(state.measure));
    ImGui::SameLine();
    ImGui::Checkbox("log", &state.log_scale);
    ImGui::SameLine();
    ImGui::TextDisabled("colour = bucket id");
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("The embedding view colours tokens by bucket with the same colours");
    }
}

// One stacked bar for the current query, then a thin one per recent query.
void draw_shares(const BucketView& b) {
    ImGui::TextUnformatted("Share of Z per bucket");
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "Each bar is one query; segments are the buckets' shares of the "
            "estimated denominator Z (|Z_b| / sum |Z_b|), in bucket-id order");
    }
    ImGui::SameLine();
    if (b.recent_contributions.empty() && b.query_contribution.empty()) {
        ImGui::TextDisabled("(not reported by this sketch, or no query yet)");
        return;
    }
    ImGui::TextDisabled("current query, then %zu recent",
                        b.recent_contributions.size() > 0 ? b.recent_contributions.size() - 1 : 0);
    const float h = ImGui::GetTextLineHeight();
    draw_share_bar(
        b, b.query_contribution.empty() ? b.recent_contributions.front() : b.query_contribution,
        h * 1.2f, 0);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 1.0f));
    for (std::size_t r = 1; r < b.recent_contributions.size(); ++r) {
        draw_share_bar(b, b.recent_contributions[r], h * 0.5f, static_cast<int>(r));
    }
    ImGui::PopStyleVar();
}

bool has_buckets(const SketchView& v) {
    return v.buckets.has_value();
}

}  // namespace

void draw_bucket_panel(BucketPanelState& state, PanelContext& ctx) {
    const SketchSnapshot* selected = selected_sketch(ctx.snap, ctx.selection);
    if (!selected) return;
    const SketchSnapshot& s = *selected;
    if (!s.view->buckets) {
        ImGui::TextWrapped(
            "%s keeps no buckets. Sketches that do: lsh_partition (hash buckets), subgen "
            "(clusters), balance_kv (value-norm classes), hybrid when partitioned. Running now:",
            scene_name(ctx.snap, s).c_str());
        draw_sketch_picker(ctx.snap, ctx.selection, has_buckets, "buckets");
        return;
    }
    const BucketView& b = *s.view->buckets;
    draw_header(s, b, ctx);
    if (b.ids.empty()) {
        ImGui::TextDisabled("No bucket yet: no tokens hashed.");
        return;
    }
    draw_measure_picker(state, b);
    draw_bucket_bars(b, state, s.stats.seen);
    draw_shares(b);
    draw_bucket_table(b);
}

std::vector<std::string> bucket_table_columns(const BucketView& buckets) {
    std::vector<std::string> titles{norm_classes(buckets) ? "class" : "bucket"};
    for (const auto& c : bucket_columns(buckets))
        titles.push_back(c.title);
    return titles;
}

int bucket_panel_fit(const SketchView& view) {
    return view.buckets && !view.merge_tree ? 2 : 0;
}

PanelInfo bucket_panel() {
    PanelInfo info = panel_info<BucketPanelState>(
        "buckets", "Buckets",
        "Hash buckets or clusters: occupancy, radii, memory, shares of Z per query, collision rate",
        Place::Internals, draw_bucket_panel);
    info.fits = bucket_panel_fit;
    return info;
}

}  // namespace kvscope::ui
