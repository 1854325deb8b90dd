// Reading and writing a session's view object (ui/view_json.hpp): lenient readers and plots.
#include "ui/view_json.hpp"

#include <gtest/gtest.h>

namespace kvscope {
namespace {

using nlohmann::json;

TEST(ViewJson, ReadersKeepTheCurrentValueOnTheWrongTypeAndWarnOutOfRange) {
    std::string warnings;
    const ui::ViewWarn warn = [&warnings](const std::string& w) { warnings += w + ";"; };
    const json j = {{"flag", true}, {"number", 2.5}, {"text", "x"}, {"count", 7}, {"big", 99}};
    bool flag = false;
    ui::read_flag(j, "flag", flag);
    EXPECT_TRUE(flag);
    ui::read_flag(j, "text", flag);
    EXPECT_TRUE(flag);
    float f = 1;
    double d = 1;
    ui::read_number(j, "number", f);
    ui::read_number(j, "text", d);
    EXPECT_EQ(f, 2.5f);
    EXPECT_EQ(d, 1.0);
    int count = 0;
    Index big = 5;
    ui::read_integer(j, "count", 0, 10, count, warn);
    ui::read_integer(j, "big", 0, 10, big, warn);
    ui::read_integer(j, "absent", 0, 10, big, warn);
    EXPECT_EQ(count, 7);
    EXPECT_EQ(big, 5);
    EXPECT_EQ(warnings, "view.big = 99 ignored;");
}

TEST(ViewJson, PlotsRoundTripAndBadFieldsAreSkipped) {
    ui::PlotState p{true, false};
    p.auto_fit = false;
    p.x_min = -3;
    p.y_max = 40;
    p.hidden = {"a", "b"};
    json view = json::object();
    ui::save_plot(view, "one", p);
    ui::PlotState back;
    ui::load_plot(view, "one", back);
    EXPECT_TRUE(back.log_x);
    EXPECT_FALSE(back.log_y);
    EXPECT_FALSE(back.auto_fit);
    EXPECT_EQ(back.x_min, -3);
    EXPECT_EQ(back.y_max, 40);
    EXPECT_EQ(back.hidden, p.hidden);
    ui::PlotState untouched;
    ui::load_plot(json{{"plots", {{"one", {{"log_x", "yes"}, {"hidden", {1, "c"}}}}}}}, "one",
                  untouched);
    EXPECT_FALSE(untouched.log_x);
    EXPECT_EQ(untouched.hidden, std::vector<std::string>{"c"});
    ui::load_plot(json{{"plots", 3}}, "one", untouched);  // not an object: nothing happens
}

}  // namespace
}  // namespace kvscope
