// JSON text under our limits (issue 15): nesting under 256 levels, numbers within the double
// range, syntax errors and excerpts of bad values in our wording.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "engine/support/io_test_util.hpp"
#include "io/json_text.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

template <class F>
std::string message_of(F&& f) {
    return test::error_of(std::forward<F>(f));
}

TEST(JsonText, NestingIsLimitedBeforeTheParserRecurses) {
    const auto deep = [](int n) {
        return std::string(static_cast<std::size_t>(n), '[') +
               std::string(static_cast<std::size_t>(n), ']');
    };
    EXPECT_NO_THROW(parse_json_text(deep(kMaxJsonDepth), "x"));
    EXPECT_THAT(message_of([&] { parse_json_text(deep(kMaxJsonDepth + 1), "x"); }),
                HasSubstr("x: JSON nested deeper than 256 levels (at line 1, column 257)"));
    // 60,000 levels crashed the parser with a stack overflow.
    EXPECT_THAT(message_of([&] { parse_json_text(R"({"a": )" + deep(60000) + "}", "x"); }),
                HasSubstr("nested deeper"));
    // Brackets inside strings are text, not nesting.
    EXPECT_NO_THROW(parse_json_text("{\"a\": \"" + deep(1000) + "\\\"[\"}", "x"));
}

TEST(JsonText, NumbersBeyondTheDoubleRangeAndSyntaxErrorsGetOurWording) {
    EXPECT_THAT(message_of([] { parse_json_text("{\"a\":\n -1e400}", "c.json"); }),
                HasSubstr("c.json: number -1e400 at line 2, column 2 is out of range"));
    EXPECT_THAT(message_of([] { parse_json_text("[1" + std::string(400, '0') + "]", "x"); }),
                HasSubstr("is out of range"));
    EXPECT_DOUBLE_EQ(parse_json_text("1e-400", "x").get<double>(), 0.0);  // underflow is fine
    const std::string syntax = message_of([] { parse_json_text("{ not json", "c.json"); });
    EXPECT_THAT(syntax, HasSubstr("c.json: not valid JSON (line 1, column 4"));
    EXPECT_THAT(syntax, Not(HasSubstr("json.exception")));
}

TEST(JsonText, ExcerptsOfBadValuesAreShort) {
    nlohmann::json big = nlohmann::json::array();
    for (int i = 0; i < 1000; ++i)
        big.push_back(i);
    EXPECT_LE(json_excerpt(big).size(), 83u);
    EXPECT_EQ(json_excerpt("a\nb"), "\"a\\nb\"");
}

}  // namespace
}  // namespace kvscope
