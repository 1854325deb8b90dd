#include "cli/plot_command.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "figure/families.hpp"
#include "figure/figures.hpp"
#include "figure/font.hpp"
#include "figure/plot_layout.hpp"
#include "figure/raster.hpp"
#include "figure/svg.hpp"

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
    const RunTable table = table_from_csv(csv, path, run_name, 0);
    if (table.rows() == 0) throw std::invalid_argument(path + ": no metric rows");

    const PlotStyle style = opt.dark ? dark_style(opt.scale) : paper_style(opt.scale);
    FigureOptions fo;
    fo.y = opt.metric;
    fo.ground = style.ground();
    fo.full_range = opt.full_range;
    fo.theory = false;
    const Families fams = group_families(table_instances(table));
    FigureNotes notes;
    const bool over_tokens = opt.x == "tokens" || opt.x == "tokens_seen";
    PlotSpec spec;
    if (over_tokens) {
        spec = time_figure(table, fams, fo, &notes);
    } else {
        fo.x = opt.x == "memory" ? "memory_floats" : opt.x;
        spec = final_figure(table, fams, fo, &notes);
        spec.x.label = x_title(fo.x);
        // A figure shows every final point, however many decades a polynomial sweep spans.
        spec.max_log_decades = 30;
    }
    spec.y.label = metric_title(opt.metric);

    const TrueTypeFont* font = default_font();
    const ApproximateMetrics approx;
    const TextMetrics& metrics = font ? static_cast<const TextMetrics&>(*font) : approx;
    DisplayList list;
    list.width = static_cast<float>(opt.width) * opt.scale;
    list.height = static_cast<float>(opt.height) * opt.scale;
    list.background = style.background ? style.background : rgba(255, 255, 255);
    const float pad = 8 * opt.scale;
    const Rect frame{pad, pad, list.width - pad, list.height - pad};
    const PlotLayout layout = layout_plot(spec, fit_view(spec), frame, style, metrics);
    draw_plot(spec, layout, style, metrics, list);

    if (ext == ".svg") {
        std::ofstream f(opt.out, std::ios::binary);
        f << to_svg(list, font);
        if (!f) throw std::runtime_error("cannot write " + opt.out);
    } else {
        write_png(rasterise(list, font), opt.out);
    }
    out << "kvscope plot: " << fams.families.size() << " famil"
        << (fams.families.size() == 1 ? "y" : "ies") << ", " << opt.metric << " against "
        << (over_tokens ? "tokens seen" : fo.x) << '\n';
    for (const auto& fam : fams.families) {
        out << "  " << fam.name;
        const auto it = notes.slopes.find(fam.key);
        if (it != notes.slopes.end() && fam.members.size() >= 2)
            out << "  " << slope_text(it->second);
        out << '\n';
    }
    for (const auto& o : notes.overlaps)
        out << "  note: " << o << '\n';
    if (!font) out << "  note: " << kDefaultFontPath << " missing; text drawn without a font\n";
    out << "wrote " << fs::absolute(opt.out).lexically_normal().string() << " ("
        << static_cast<int>(list.width) << " x " << static_cast<int>(list.height) << ")\n";
    return 0;
}

}  // namespace kvscope
