// Widgets generated from ParamSpecs (ui/param_widgets.hpp): every registered sketch's and
// source's parameters get a widget, from an empty object (defaults) or from its values, and
// nothing is reported edited without input.
#include "ui/param_widgets.hpp"

#include <gtest/gtest.h>

#include "app/app_test_support.hpp"
#include "core/registry.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {
namespace {

using test::ImGuiTest;

TEST_F(ImGuiTest, EveryRegisteredParameterGetsAWidgetAndNothingChangesWithoutInput) {
    auto check = [](const std::string& id, const std::vector<ParamSpec>& specs) {
        for (const nlohmann::json& start :
             {nlohmann::json(), ParamSet::defaults(specs).to_json(specs)}) {
            nlohmann::json values = start;
            bool edited = true;
            const int vertices =
                test::draw_frames([&] { edited = ui::edit_params(specs, values); }, 2);
            EXPECT_FALSE(edited) << id;
            EXPECT_EQ(values, start.is_object() ? start : nlohmann::json::object()) << id;
            if (!specs.empty()) {
                EXPECT_GT(vertices, 0) << id;
            }
        }
    };
    for (const SketchInfo& info : builtin_sketches().all())
        check(info.id, info.params);
    for (const SourceInfo& info : builtin_sources().all())
        check(info.id, info.params);
}

}  // namespace
}  // namespace kvscope
