#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/support/io_test_util.hpp"
#include "io/csv.hpp"

namespace kvscope {
namespace {

using test::TempDir;
using ::testing::ElementsAre;

TEST(IoCsv, WithoutHeader) {
    TempDir dir;
    const std::string path = dir.file("k.csv");
    test::write_text(path, "1,2,3\n4.5,-5e-1,+6\n");
    const NdArray a = read_csv(path);
    EXPECT_EQ(a.shape, (std::vector<Index>{2, 3}));
    EXPECT_EQ(a.data, (std::vector<float>{1, 2, 3, 4.5f, -0.5f, 6}));
    EXPECT_EQ(a.dtype, "csv");
    EXPECT_TRUE(read_csv_header(path).empty());
}

TEST(IoCsv, WithHeaderSpacesCrlfAndBlankLines) {
    TempDir dir;
    const std::string path = dir.file("k.csv");
    test::write_text(path, "k0, k1\r\n\r\n 1 , 2\r\n3,4\r\n\n");
    const NdArray a = read_csv(path);
    EXPECT_EQ(a.shape, (std::vector<Index>{2, 2}));
    EXPECT_EQ(a.data, (std::vector<float>{1, 2, 3, 4}));
    EXPECT_THAT(read_csv_header(path), ElementsAre("k0", "k1"));
}

TEST(IoCsv, NoFinalNewlineAndSingleColumn) {
    TempDir dir;
    const std::string path = dir.file("k.csv");
    test::write_text(path, "7\n8");
    EXPECT_EQ(read_csv(path).shape, (std::vector<Index>{2, 1}));
}

TEST(IoCsv, WriterRoundTrip) {
    TempDir dir;
    const std::string path = dir.file("w.csv");
    const std::vector<float> data = {0.1f, -3.25f, 1e-7f, 12345.678f, 0, 2};
    write_csv(path, 3, data, {"a", "b", "c"});
    EXPECT_EQ(read_csv(path).data, data);
    EXPECT_THAT(read_csv_header(path), ElementsAre("a", "b", "c"));
    write_csv(path, 2, data);
    EXPECT_EQ(read_csv(path).shape, (std::vector<Index>{3, 2}));
}

class IoCsvErrors : public ::testing::Test {
  protected:
    TempDir dir_;
    std::string path_ = dir_.file("bad.csv");
};

TEST_F(IoCsvErrors, RaggedRow) {
    test::write_text(path_, "1,2,3\n4,5\n");
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "line 2 has 2 fields but line 1 has 3");
}

TEST_F(IoCsvErrors, RaggedAgainstHeader) {
    test::write_text(path_, "a,b\n1,2,3\n");
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "line 2 has 3 fields");
}

TEST_F(IoCsvErrors, NonNumericCell) {
    test::write_text(path_, "a,b\n1,2\n3,x\n");
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "line 3, column 2: 'x' is not a number");
    test::write_text(path_, "1,2\n3,\n");
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "line 2, column 2");
}

TEST_F(IoCsvErrors, EmptyFileAndHeaderOnly) {
    test::write_text(path_, "");
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "empty array");
    test::write_text(path_, "a,b,c\n\n");
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "empty array");
}

TEST_F(IoCsvErrors, MissingFile) {
    EXPECT_LOAD_ERROR(read_csv(path_), path_, "cannot open");
}

}  // namespace
}  // namespace kvscope
