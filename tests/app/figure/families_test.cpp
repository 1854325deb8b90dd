// Sweep families and instance labels (app/figure/families.hpp).
#include "figure/families.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace kvscope::figure {
namespace {

InstanceDesc inst(int id, std::string sketch, std::string params, std::string label = "") {
    return {id, sketch, label.empty() ? sketch : label, std::move(params)};
}

TEST(Families, LabelsShowEveryDifferingParameterDefaultsIncluded) {
    // Regression (issue 12): "uniform" (budget 256, the default) beside "uniform budget=512".
    const std::vector<InstanceDesc> all = {inst(0, "exact", ""), inst(1, "uniform", "budget=256"),
                                           inst(2, "uniform", "budget=512")};
    const auto labels = instance_labels(all);
    EXPECT_EQ(labels[0], "exact");
    EXPECT_NE(labels[1].find("budget=256"), std::string::npos) << labels[1];
    EXPECT_NE(labels[2].find("budget=512"), std::string::npos) << labels[2];
}

TEST(Families, LabelsNeverCutADistinguishingParameter) {
    std::vector<InstanceDesc> all;
    for (int i = 0; i < 4; ++i)
        all.push_back(inst(i, "hybrid",
                           "inner_budget=" + std::to_string(64 << i) +
                               ";compress_at=" + std::to_string(1024 << (i % 2)) +
                               ";compressor=" + (i < 2 ? "balance_kv" : "uniform")));
    const auto labels = instance_labels(all);
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (const auto& [k, v] : parse_params(all[i].params))
            EXPECT_NE(labels[i].find(k + "=" + v), std::string::npos) << labels[i];
    }
    EXPECT_EQ(std::set<std::string>(labels.begin(), labels.end()).size(), labels.size());
}

// Lessons 5 and 10 pin four parameters on a labelled instance; its label says what it is, so
// the pinned values stay off (they made a 60-character legend entry), while an unlabelled
// instance still shows what it sets away from the defaults.
TEST(Families, AnOwnLabelLeavesPinnedParametersOff) {
    const std::vector<InstanceDesc> all = {inst(0, "uniform", "budget=512", "big_sample"),
                                           inst(1, "uniform", "budget=512")};
    const auto labels = instance_labels(all);
    EXPECT_EQ(labels[0], "big_sample");
    EXPECT_NE(labels[1].find("budget=512"), std::string::npos) << labels[1];
}

TEST(Families, SweepFormsOneFamilyInSweptOrder) {
    const std::vector<InstanceDesc> all = {inst(0, "exact", ""),
                                           inst(1, "uniform", "budget=1024"),
                                           inst(2, "uniform", "budget=64"),
                                           inst(3, "uniform", "budget=256"),
                                           inst(4, "taylor", "degree=2;center=zero"),
                                           inst(5, "taylor", "degree=4;center=zero")};
    const Families f = group_families(all);
    ASSERT_EQ(f.families.size(), 2u);
    const Family& u = f.families[0];
    EXPECT_EQ(u.swept, "budget");
    EXPECT_EQ(u.members, (std::vector<int>{2, 3, 1}));
    EXPECT_EQ(u.swept_values, (std::vector<double>{64, 256, 1024}));
    EXPECT_NE(u.name.find("64…1024"), std::string::npos) << u.name;
    EXPECT_EQ(f.families[1].swept, "degree");
    EXPECT_NE(f.families[0].hue, f.families[1].hue);
    EXPECT_EQ(f.family_of(0), nullptr) << "exact is the reference, not a family";
}

TEST(Families, OneHuePerFamilyWithLightnessOrderedBySweptValue) {
    // Regression (issue 12): degree 0 and degree 8 of taylor_degree_sweep shared one colour
    // while neighbours got unrelated ones.
    std::vector<InstanceDesc> all;
    for (int d = 0; d <= 8; d += 2)
        all.push_back(inst(d, "taylor", "degree=" + std::to_string(d)));
    const Families f = group_families(all);
    ASSERT_EQ(f.families.size(), 1u);
    const Rgba white = rgba(255, 255, 255);
    double prev = 2;
    for (int id : f.families[0].members) {
        const Lch c = to_lch(f.colour(id, white));
        EXPECT_LT(c.L, prev) << "degree " << id;
        prev = c.L;
    }
}

TEST(Families, TextParameterSplitsFamilies) {
    const std::vector<InstanceDesc> all = {
        inst(1, "hybrid", "inner_budget=64;compressor=balance_kv"),
        inst(2, "hybrid", "inner_budget=128;compressor=balance_kv"),
        inst(3, "hybrid", "inner_budget=64;compressor=uniform"),
        inst(4, "hybrid", "inner_budget=128;compressor=uniform")};
    const Families f = group_families(all);
    ASSERT_EQ(f.families.size(), 2u);
    for (const auto& fam : f.families) {
        EXPECT_EQ(fam.swept, "inner_budget");
        EXPECT_EQ(fam.members.size(), 2u);
        EXPECT_NE(fam.name.find("compressor="), std::string::npos) << fam.name;
    }
}

TEST(Families, HuesRepeatOnlyWithAnotherMarkerAndDash) {
    std::vector<InstanceDesc> all;
    for (int i = 0; i < kHueCount + 2; ++i)
        all.push_back(inst(i, "s" + std::to_string(i), ""));
    const Families f = group_families(all);
    ASSERT_EQ(f.families.size(), static_cast<std::size_t>(kHueCount + 2));
    const Family& a = f.families[0];
    const Family& b = f.families[kHueCount];
    EXPECT_EQ(a.hue, b.hue);
    EXPECT_NE(a.marker, b.marker);
    EXPECT_NE(a.dash, b.dash);
}

TEST(Families, ParseParamsSkipsFieldsWithoutEquals) {
    const ParamList p = parse_params("a=1;junk;b=x=y");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0], (std::pair<std::string, std::string>{"a", "1"}));
    EXPECT_EQ(p[1], (std::pair<std::string, std::string>{"b", "x=y"}));
}

}  // namespace
}  // namespace kvscope::figure
