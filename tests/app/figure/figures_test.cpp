// Figure builders (app/figure/figures.hpp): families connected in swept order with their
// fitted slope, coinciding families said so in the legend, time axes fitted from the budget
// fill.
#include "figure/figures.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "figure/plot_layout.hpp"
#include "figure/text.hpp"

namespace kvscope::figure {
namespace {

// A metrics.csv with two sketches swept over budget; eps = c * budget^slope at the last row.
std::string sweep_csv(double slope_a, double slope_b, double scale_b) {
    std::ostringstream csv;
    csv << "instance,sketch,label,params,tokens_seen,retained_tokens,memory_floats,eps_fro\n";
    int id = 0;
    for (const auto& [sketch, slope, c] :
         {std::tuple{"uniform", slope_a, 1.0}, std::tuple{"balance_kv", slope_b, scale_b}}) {
        for (int b : {512, 64, 256, 128}) {
            csv << id << ',' << sketch << ',' << sketch << ",budget=" << b << ",64,64," << 32 * 64
                << ",1e-15\n";
            csv << id << ',' << sketch << ',' << sketch << ",budget=" << b << ",1024," << b << ','
                << 32 * b << ',' << c * std::pow(b, slope) << '\n';
            ++id;
        }
    }
    return csv.str();
}

TEST(Figures, SlopeFitRecoversAPowerLaw) {
    std::vector<double> x, y;
    for (double m : {10.0, 100.0, 1000.0, 1e4}) {
        x.push_back(m);
        y.push_back(3.0 * std::pow(m, -0.5));
    }
    const SlopeFit fit = fit_loglog(x, y);
    ASSERT_TRUE(fit.valid);
    EXPECT_NEAR(fit.slope, -0.5, 1e-9);
    EXPECT_LE(fit.lo, fit.slope);
    EXPECT_GE(fit.hi, fit.slope);
    EXPECT_NEAR(student_t975(1), 12.706, 1e-3);
    EXPECT_NEAR(student_t975(10), 2.228, 1e-3);
}

TEST(Figures, FinalFigureConnectsFamiliesInSweptOrderWithTheirSlope) {
    const RunTable t = table_from_csv(sweep_csv(-0.5, -1.0, 2.0), "m.csv", "r", 0);
    const Families fams = group_families(table_instances(t));
    FigureNotes notes;
    const PlotSpec spec = final_figure(t, fams, FigureOptions{}, &notes);
    ASSERT_EQ(fams.families.size(), 2u);
    EXPECT_NEAR(notes.slopes.at(fams.families[0].key).slope, -0.5, 1e-6);
    EXPECT_NEAR(notes.slopes.at(fams.families[1].key).slope, -1.0, 1e-6);
    int lines = 0;
    for (const auto& s : spec.series) {
        if (s.kind != SeriesKind::Line || s.legend < 0 || !s.style.data) continue;
        ++lines;
        ASSERT_EQ(s.x.size(), 4u) << s.name;
        for (std::size_t i = 1; i < s.x.size(); ++i)
            EXPECT_LT(s.x[i - 1], s.x[i]) << s.name;
    }
    EXPECT_EQ(lines, 2);
    EXPECT_NE(spec.legend[0].text.find("slope −0.50"), std::string::npos) << spec.legend[0].text;
    EXPECT_TRUE(notes.overlaps.empty());
}

TEST(Figures, ReferenceSlopesAreLabelledThoughNoVertexIsInView) {
    // Regression: the reference lines run from 4x below to 4x above the data, so neither vertex
    // is inside the fitted view, and their labels were never placed.
    const RunTable t = table_from_csv(sweep_csv(-0.5, -1.0, 2.0), "m.csv", "r", 0);
    const PlotSpec spec = final_figure(t, group_families(table_instances(t)), FigureOptions{});
    const ApproximateMetrics metrics;
    const PlotLayout L =
        layout_plot(spec, fit_view(spec), Rect{0, 0, 960, 600}, paper_style(), metrics);
    std::set<std::string> labels;
    for (const auto& il : L.inline_labels)
        labels.insert(il.text);
    EXPECT_TRUE(labels.count("slope −1/2 (sampling)"));
    EXPECT_TRUE(labels.count("slope −1 (discrepancy)"));
}

TEST(Figures, CoincidingFamiliesAreSaidSoAndDrawnDistinctly) {
    const RunTable t = table_from_csv(sweep_csv(-0.5, -0.5, 1.0), "m.csv", "r", 0);
    const Families fams = group_families(table_instances(t));
    FigureNotes notes;
    const PlotSpec spec = final_figure(t, fams, FigureOptions{}, &notes);
    EXPECT_EQ(notes.overlaps.size(), 4u);
    ASSERT_GE(spec.legend.size(), 2u);
    EXPECT_NE(spec.legend[0].text.find("all coincide with balance_kv"), std::string::npos)
        << spec.legend[0].text;
    std::set<int> shapes;
    for (const auto& s : spec.series)
        if (s.kind == SeriesKind::Scatter) shapes.insert(static_cast<int>(s.style.marker));
    EXPECT_GE(shapes.size(), 2u) << "coinciding points need a second (hollow) marker";
}

TEST(Figures, TimeFigureFitsFromTheBudgetFill) {
    const RunTable t = table_from_csv(sweep_csv(-0.5, -1.0, 2.0), "m.csv", "r", 0);
    const Families fams = group_families(table_instances(t));
    FigureOptions opt;
    const PlotSpec spec = time_figure(t, fams, opt);
    const View v = fit_view(spec);
    EXPECT_GT(v.y_min, 1e-6) << "the exact phase (1e-15) must not set the y range";
    opt.full_range = true;
    // The full range reaches down to the exact phase (as far as max_log_decades allows).
    EXPECT_LT(fit_view(time_figure(t, fams, opt)).y_min, 1e-6);
    EXPECT_THROW(time_figure(t, fams, FigureOptions{"memory_floats", "nope"}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace kvscope::figure
