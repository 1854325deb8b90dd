#include "cli/plot_command.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "figure/families.hpp"
#include "figure/figures.hpp"
#include "figure/font.hpp"
#include "figure/plot_layout.hpp"
#include "figure/raster.hpp"
#include "figure/svg.hpp"
#include "figure/theory.hpp"

namespace kvscope {

namespace {

namespace fs = std::filesystem;
using namespace figure;

std::string read_metrics(const std::string& run, std::string& path) {
    fs::path p(run);
    if (fs::is_directory(p)) p /= "metrics.csv";
    path = p.string();
    if (!fs::is_regular_file(p))
        throw std::invalid_argument("no metrics.csv at " + path + " (give a run folder or a CSV)");
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) throw std::invalid_argument("cannot read " + path);
    return text.str();
}

std::string lower_extension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// The y axis reads as what the metric is (docs/algorithms.md §3 table), not only its key.
std::string metric_title(const std::string& key) {
    if (key == "eps_fro") return "eps_fro  (mean ‖z−a‖ / (‖p‖₂·‖V‖_F))";
    if (key == "eps_op") return "eps_op  (mean ‖z−a‖ / (‖p‖₂·‖V‖_op))";
    if (key == "rel_err_mean") return "rel_err_mean  (mean ‖z−a‖ / ‖a‖)";
    if (key == "rel_err_max") return "rel_err_max  (max ‖z−a‖ / ‖a‖)";
    return key;
}

std::string x_title(const std::string& key) {
    if (key == "memory_floats") return "memory (floats kept)";
    return key;
}

// The families of `table`: sweep families, or one per value of `opt.by`.
Families plot_families(const RunTable& table, const PlotOptions& opt) {
    if (opt.by.empty()) return group_families(table_instances(table));
    if (opt.by != "instance" && table.text_column(opt.by) < 0 && table.numeric_column(opt.by) < 0)
        throw std::invalid_argument("--by " + opt.by + ": no such column in the CSV");
    return group_by_column(table_instances(table), table, opt.by);
}

// The rows of each facet, in order of first appearance of the facet column's value.
std::vector<std::pair<std::string, std::vector<std::size_t>>> facet_rows(
    const RunTable& table, const std::string& column) {
    std::vector<std::pair<std::string, std::vector<std::size_t>>> facets;
    if (column.empty()) {
        facets.emplace_back("", std::vector<std::size_t>(table.rows()));
        for (std::size_t r = 0; r < table.rows(); ++r)
            facets[0].second[r] = r;
        return facets;
    }
    const int text = table.text_column(column), num = table.numeric_column(column);
    if (text < 0 && num < 0)
        throw std::invalid_argument("--facet " + column + ": no such column in the CSV");
    for (std::size_t r = 0; r < table.rows(); ++r) {
        std::string value = table.cell(text, r);
        if (text < 0) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", table.number(num, r));
            value = buf;
        }
        auto it = std::find_if(facets.begin(), facets.end(),
                               [&](const auto& f) { return f.first == value; });
        if (it == facets.end()) {
            facets.emplace_back(value, std::vector<std::size_t>());
            it = facets.end() - 1;
        }
        it->second.push_back(r);
    }
    if (facets.size() > static_cast<std::size_t>(kMaxFacets)) {
        throw std::invalid_argument("--facet " + column + ": " + std::to_string(facets.size()) +
                                    " values, more than " + std::to_string(kMaxFacets) +
                                    " plots in one figure");
    }
    return facets;
}

// The theory inputs of a run without a source sweep, from the manifest.json beside its
// metrics.csv: n, d, d_v and the stream's logit bound B. Nullopt when there is none (a CSV on
// its own, a swept, sharded or merged run, a manifest from before the bound was recorded).
std::optional<TheoryInputs> manifest_theory_inputs(const std::string& csv_path,
                                                   std::string& description) {
    const fs::path manifest = fs::path(csv_path).parent_path() / "manifest.json";
    std::ifstream in(manifest, std::ios::binary);
    if (!in) return std::nullopt;
    const nlohmann::json m = nlohmann::json::parse(in, nullptr, false);
    if (m.is_discarded() || !m.is_object() || !m.contains("logit_bound") || !m.contains("dim") ||
        !m.contains("value_dim") || !m.contains("tokens_seen") || m.contains("source_instances"))
        return std::nullopt;
    const nlohmann::json& b = m["logit_bound"];
    if (!b.is_object() || !b.contains("B") || !b["B"].is_number() || !m["dim"].is_number() ||
        !m["value_dim"].is_number() || !m["tokens_seen"].is_number())
        return std::nullopt;
    TheoryInputs in_;
    in_.n = m["tokens_seen"].get<double>();
    in_.d = m["dim"].get<double>();
    in_.d_v = m["value_dim"].get<double>();
    in_.B = b["B"].get<double>();
    if (!(in_.B > 0) || !(in_.n > 0)) return std::nullopt;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "n = %.0f, d = %.0f, d_v = %.0f, B = %.3g (beta R Q, manifest.json)", in_.n,
                  in_.d, in_.d_v, in_.B);
    description = buf;
    return in_;
}

// One plot of `table` (a facet or the whole run) as the options ask.
PlotSpec build_spec(const RunTable& table, const Families& fams, const PlotOptions& opt,
                    const PlotStyle& style, FigureNotes& notes,
                    const std::optional<TheoryInputs>& theory, const std::string& theory_text) {
    FigureOptions fo;
    fo.y = opt.metric;
    fo.ground = style.ground();
    fo.full_range = opt.full_range;
    fo.theory = theory.has_value();
    if (theory) {
        std::vector<std::pair<int, std::string>> instances;
        for (const InstanceDesc& inst : table_instances(table))
            instances.emplace_back(inst.id, inst.sketch);
        fo.theory_curves = evaluate_theory(instances, *theory);
        fo.theory_inputs = theory_text;
    }
    PlotSpec spec;
    if (opt.x == "tokens" || opt.x == "tokens_seen") {
        spec = time_figure(table, fams, fo, &notes);
    } else {
        fo.x = opt.x == "memory" ? "memory_floats" : opt.x;
        // Memory spans decades; a source parameter (a head number) is linear.
        fo.log_x = fo.x == "memory_floats" || fo.x == "memory_bytes";
        spec = final_figure(table, fams, fo, &notes);
        spec.x.label = x_title(fo.x);
        // A figure shows every final point, however many decades a polynomial sweep spans.
        spec.max_log_decades = 30;
    }
    spec.y.label = metric_title(opt.metric);
    return spec;
}

bool over_tokens(const PlotOptions& opt) {
    return opt.x == "tokens" || opt.x == "tokens_seen";
}

void print_summary(const Families& fams, const FigureNotes& notes, const PlotOptions& opt,
                   std::size_t facets, std::ostream& out) {
    const bool over_tokens = opt.x == "tokens" || opt.x == "tokens_seen";
    out << "kvscope plot: " << fams.families.size() << " famil"
        << (fams.families.size() == 1 ? "y" : "ies") << ", " << opt.metric << " against "
        << (over_tokens         ? "tokens seen"
            : opt.x == "memory" ? "memory_floats"
                                : opt.x);
    if (facets > 1) out << ", " << facets << " facets by " << opt.facet;
    out << '\n';
    for (const auto& fam : fams.families) {
        out << "  " << fam.name;
        const auto it = notes.slopes.find(fam.key);
        if (facets == 1 && it != notes.slopes.end() && fam.members.size() >= 2)
            out << "  " << slope_text(it->second);
        out << '\n';
    }
    for (const auto& o : notes.overlaps)
        out << "  note: " << o << '\n';
    for (const auto& h : notes.theory_hidden)
        out << "  theory not drawn: " << h << '\n';
}

}  // namespace

int do_plot(const PlotOptions& opt, std::ostream& out) {
    const std::string ext = lower_extension(opt.out);
    if (ext != ".svg" && ext != ".png")
        throw std::invalid_argument("--out " + opt.out + ": the figure must end in .svg or .png");
    if (!(opt.scale >= 0.5f && opt.scale <= 4.0f))
        throw std::invalid_argument("--scale must be in [0.5, 4]");
    std::string path;
    const std::string csv = read_metrics(opt.run, path);
    const std::string run_name = fs::path(path).parent_path().filename().string();
    RunTable table = table_from_csv(csv, path, run_name, 0);
    if (table.rows() == 0) throw std::invalid_argument(path + ": no metric rows");
    add_source_param_columns(table);

    const PlotStyle style = opt.dark ? dark_style(opt.scale) : paper_style(opt.scale);
    const Families fams = plot_families(table, opt);
    const auto facets = facet_rows(table, opt.facet);
    std::string theory_text;
    const std::optional<TheoryInputs> theory =
        opt.theory ? manifest_theory_inputs(path, theory_text) : std::nullopt;
    const TrueTypeFont* font = default_font();
    const ApproximateMetrics approx;
    const TextMetrics& metrics = font ? static_cast<const TextMetrics&>(*font) : approx;
    DisplayList list;
    list.width = static_cast<float>(opt.width) * opt.scale;
    list.height = static_cast<float>(opt.height) * opt.scale;
    list.background = style.background ? style.background : rgba(255, 255, 255);
    const float pad = 8 * opt.scale;
    const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(facets.size()))));
    const int rows = (static_cast<int>(facets.size()) + cols - 1) / cols;
    const float cell_w = (list.width - pad) / static_cast<float>(cols);
    const float cell_h = (list.height - pad) / static_cast<float>(rows);
    const float title = facets.size() > 1 ? style.font_size * 1.4f : 0.0f;
    FigureNotes notes;
    for (std::size_t f = 0; f < facets.size(); ++f) {
        const float x0 = pad + cell_w * static_cast<float>(f % static_cast<std::size_t>(cols));
        const float y0 = pad + cell_h * static_cast<float>(f / static_cast<std::size_t>(cols));
        const RunTable part = facets.size() > 1 ? table_rows(table, facets[f].second) : table;
        PlotSpec spec = build_spec(part, fams, opt, style, notes, theory, theory_text);
        if (title > 0)
            list.text({x0 + pad, y0}, opt.facet + " = " + facets[f].first, style.font_size,
                      style.text);
        const Rect frame{x0, y0 + title, x0 + cell_w - pad, y0 + cell_h - pad};
        const PlotLayout layout = layout_plot(spec, fit_view(spec), frame, style, metrics);
        draw_plot(spec, layout, style, metrics, list);
    }

    if (ext == ".svg") {
        std::ofstream f(opt.out, std::ios::binary);
        f << to_svg(list, font);
        if (!f) throw std::runtime_error("cannot write " + opt.out);
    } else {
        write_png(rasterise(list, font), opt.out);
    }
    print_summary(fams, notes, opt, facets.size(), out);
    if (theory && !over_tokens(opt)) out << "  theory curves at " << theory_text << '\n';
    if (!font) out << "  note: " << kDefaultFontPath << " missing; text drawn without a font\n";
    out << "wrote " << fs::absolute(opt.out).lexically_normal().string() << " ("
        << static_cast<int>(list.width) << " x " << static_cast<int>(list.height) << ")\n";
    return 0;
}

}  // namespace kvscope
