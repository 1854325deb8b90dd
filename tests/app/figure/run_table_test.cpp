// metrics.csv read back as a table (app/figure/run_table.hpp): columns, quoting, and one-line
// errors that name the file, the line and the column.
#include "figure/run_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace kvscope::figure {
namespace {

const char* kCsv =
    "instance,sketch,label,params,tokens_seen,memory_floats,eps_fro\n"
    "0,exact,exact,,64,128,0\n"
    "1,uniform,uniform,\"budget=8;note=a,b\",64,17,0.25\n"
    "\n"
    "1,uniform,uniform,\"budget=8;note=a,b\",128,17,nan\n";

std::string message_of(const std::string& csv) {
    try {
        table_from_csv(csv, "runs/x/metrics.csv", "x", 0);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(RunTable, ReadsColumnsQuotesAndNaN) {
    const RunTable t = table_from_csv(kCsv, "m.csv", "run1", 10);
    ASSERT_EQ(t.rows(), 3u);
    EXPECT_EQ(t.instance, (std::vector<int>{10, 11, 11}));
    const int params = t.text_column("params");
    ASSERT_GE(params, 0);
    EXPECT_EQ(t.cell(params, 1), "budget=8;note=a,b");
    const int eps = t.numeric_column("eps_fro");
    ASSERT_GE(eps, 0);
    EXPECT_DOUBLE_EQ(t.number(eps, 1), 0.25);
    EXPECT_TRUE(std::isnan(t.number(eps, 2)));
    EXPECT_EQ(t.cell(t.text_column("run"), 0), "run1");
    EXPECT_EQ(t.numeric_column("sketch"), -1);
}

TEST(RunTable, WrongFieldCountNamesFileAndLine) {
    const std::string csv = std::string(kCsv) + "2,uniform,uniform,budget=4,64,9\n";
    const std::string msg = message_of(csv);
    EXPECT_NE(msg.find("runs/x/metrics.csv:6"), std::string::npos) << msg;
    EXPECT_NE(msg.find("6 fields"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line";
}

TEST(RunTable, BadMetricCellNamesLineAndColumn) {
    const std::string csv = std::string(kCsv) + "2,uniform,uniform,budget=4,64,9,oops\n";
    const std::string msg = message_of(csv);
    EXPECT_NE(msg.find("runs/x/metrics.csv:6"), std::string::npos) << msg;
    EXPECT_NE(msg.find("column 7 'eps_fro'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'oops'"), std::string::npos) << msg;
}

TEST(RunTable, MissingInstanceColumnOrEmptyTextIsRefused) {
    EXPECT_NE(message_of("a,b\n1,2\n").find("no 'instance' column"), std::string::npos);
    EXPECT_NE(message_of("").find("empty"), std::string::npos);
    EXPECT_NE(message_of("instance,sketch\nx,uniform\n").find(":2: column 1 'instance'"),
              std::string::npos)
        << message_of("instance,sketch\nx,uniform\n");
}

TEST(RunTable, UnknownColumnsStayTextUnlessAllNumbers) {
    const RunTable t = table_from_csv("instance,layer,head\n0,3,q\n1,4,k\n", "m.csv", "r", 0);
    EXPECT_GE(t.numeric_column("layer"), 0);
    EXPECT_GE(t.text_column("head"), 0);
}

TEST(RunTable, AppendUnitesColumns) {
    RunTable a = table_from_csv("instance,eps_fro\n0,0.5\n", "a.csv", "a", 0);
    const RunTable b = table_from_csv("instance,layer\n0,2\n", "b.csv", "b", 1);
    append_table(a, b);
    ASSERT_EQ(a.rows(), 2u);
    EXPECT_TRUE(std::isnan(a.number(a.numeric_column("eps_fro"), 1)));
    EXPECT_DOUBLE_EQ(a.number(a.numeric_column("layer"), 1), 2.0);
    EXPECT_EQ(a.cell(a.text_column("run"), 1), "b");
}

TEST(RunTable, SplitCsvLineHandlesEscapedQuotes) {
    EXPECT_EQ(split_csv_line("a,\"b \"\"c\"\"\",,d"),
              (std::vector<std::string>{"a", "b \"c\"", "", "d"}));
}

}  // namespace
}  // namespace kvscope::figure

namespace kvscope::figure {
namespace {

TEST(RunTable, SourceParamsGiveANumericColumnPerKey) {
    RunTable t = table_from_csv(
        "instance,sketch,label,params,source_params,tokens_seen,memory_floats,eps_fro\n"
        "0,uniform,uniform,,layer=0;head=3;file=a,64,17,0.5\n"
        "0,uniform,uniform,,layer=1;head=2;file=b,64,17,0.25\n",
        "m.csv", "r", 0);
    add_source_param_columns(t);
    const int layer = t.numeric_column("layer"), head = t.numeric_column("head");
    ASSERT_GE(layer, 0);
    ASSERT_GE(head, 0);
    EXPECT_EQ(t.number(layer, 1), 1.0);
    EXPECT_EQ(t.number(head, 0), 3.0);
    EXPECT_EQ(t.numeric_column("file"), -1) << "a key with text values stays in source_params";
    const RunTable second = table_rows(t, {1});
    ASSERT_EQ(second.rows(), 1u);
    EXPECT_EQ(second.number(second.numeric_column("eps_fro"), 0), 0.25);
    EXPECT_EQ(second.cell(second.text_column("source_params"), 0), "layer=1;head=2;file=b");
}

}  // namespace
}  // namespace kvscope::figure
