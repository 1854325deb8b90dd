#include "cli/results_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>
#include <vector>

#include "figure/families.hpp"
#include "io/input_file.hpp"

namespace kvscope {

namespace {

std::string sci(double x) {
    if (std::isnan(x)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3e", x);
    return buf;
}

std::string bytes(double b) {
    char buf[32];
    if (b >= 1 << 20) {
        std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1 << 20));
    } else if (b >= 1 << 10) {
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / (1 << 10));
    } else {
        std::snprintf(buf, sizeof buf, "%.0f B", b);
    }
    return buf;
}

// The last row of each instance, and each instance's name in the scene: its label and every
// parameter that tells it from the other instances of its sketch, never cut (hybrid sweeps
// differ only in budget). names[k] belongs to the k-th instance of `last`.
struct FinalRows {
    std::map<int, const MetricRow*> last;
    std::vector<std::string> names;
};

FinalRows final_rows(const Session& session) {
    FinalRows f;
    for (const auto& r : session.history())
        f.last[r.instance] = &r;
    std::vector<figure::InstanceDesc> instances;
    for (const auto& [instance, r] : f.last)
        instances.push_back({instance, r->sketch, r->label, r->params});
    f.names = figure::instance_labels(instances);
    return f;
}

}  // namespace

std::string results_table(const Session& session) {
    auto [last, names] = final_rows(session);
    std::size_t width = 18;
    for (std::string& n : names) {
        n = printable(n, 200);
        width = std::max(width, n.size() + 2);
    }
    const int w = static_cast<int>(width);
    std::ostringstream o;
    o << std::left << std::setw(w) << "sketch" << std::right << std::setw(10) << "retained"
      << std::setw(12) << "memory" << std::setw(9) << "ratio" << std::setw(12) << "rel_err"
      << std::setw(12) << "rel_max" << std::setw(12) << "eps_fro" << '\n';
    o << std::string(width + 67, '-') << '\n';
    std::size_t row = 0;
    for (const auto& [instance, r] : last) {
        char ratio[16];
        std::snprintf(ratio, sizeof ratio, "%.4f", r->compression);
        // A sketch that failed keeps its row, marked in the error columns (the message itself
        // goes to stderr as the run's one-line error), so the columns stay aligned.
        const bool failed = !session.sketches()[static_cast<std::size_t>(instance)].error.empty();
        auto error_cell = [failed](double x) { return failed ? std::string("failed") : sci(x); };
        o << std::left << std::setw(w) << names[row++] << std::right << std::setw(10)
          << r->retained_tokens << std::setw(12) << bytes(r->memory_bytes) << std::setw(9) << ratio
          << std::setw(12) << error_cell(r->errors.rel_err_mean) << std::setw(12)
          << error_cell(r->errors.rel_err_max) << std::setw(12) << error_cell(r->errors.eps_fro)
          << '\n';
    }
    o << "(" << session.tokens_seen() << " tokens; errors are means over "
      << session.probes().rows() << " probe queries; ratio = memory / exact cache)";
    return o.str();
}

std::string ranking_line(const Session& session) {
    const auto [last, names] = final_rows(session);
    struct Entry {
        double err;
        std::string text;
    };
    std::vector<Entry> ranked;
    std::size_t k = 0;
    for (const auto& [instance, r] : last) {
        const std::string& name = names[k++];
        if (r->sketch == "exact") continue;
        const bool failed = !session.sketches()[static_cast<std::size_t>(instance)].error.empty();
        const double err = r->errors.rel_err_mean;
        // Failed and nan rows go last, in instance order (stable sort).
        ranked.push_back({failed || std::isnan(err) ? INFINITY : err,
                          printable(name, 200) + " " + (failed ? "failed" : sci(err))});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Entry& a, const Entry& b) { return a.err < b.err; });
    std::string line = printable(session.config().source_label, 200) + ":";
    for (std::size_t i = 0; i < ranked.size(); ++i)
        line += (i ? ", " : " ") + ranked[i].text;
    return line;
}

std::string ranking_heading(const Session& session) {
    return "Final rel_err_mean per source instance, sketches best first (at " +
           std::to_string(session.tokens_seen()) + " tokens, means over " +
           std::to_string(session.probes().rows()) + " probe queries; exact left out):";
}

}  // namespace kvscope
