// Bounded inputs (issue 15): regular files only, text files under 16 MiB, names escaped onto one
// line; and the loaders' regressions found by fuzzing. The JSON limits are in json_text_test.cpp,
// the run-config limits in session/run_config_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "engine/support/io_test_util.hpp"
#include "io/byte_source.hpp"
#include "io/csv.hpp"
#include "io/input_file.hpp"
#include "io/npy.hpp"
#include "io/safetensors.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;

template <class F>
std::string message_of(F&& f) {
    return test::error_of(std::forward<F>(f));
}

TEST(RegularFile, RefusesFifosDevicesAndDirectoriesWithWhatTheyAre) {
    test::TempDir dir;
    ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
    std::filesystem::create_directories(dir.file("folder"));
    EXPECT_THAT(message_of([&] { RegularFile f(dir.file("fifo")); }), HasSubstr("is a fifo"));
    EXPECT_THAT(message_of([] { RegularFile f("/dev/zero"); }),
                HasSubstr("/dev/zero: is a character device"));
    EXPECT_THAT(message_of([&] { RegularFile f(dir.file("folder")); }),
                HasSubstr("is a directory"));
    EXPECT_THAT(message_of([&] { RegularFile f(dir.file("missing"), "config file"); }),
                HasSubstr("cannot open config file for reading (No such file or directory)"));
}

TEST(RegularFile, ReadsExactlyItsSizeAndNoMore) {
    test::TempDir dir;
    test::write_text(dir.file("a.txt"), "hello");
    RegularFile f(dir.file("a.txt"));
    EXPECT_EQ(f.size(), 5u);
    char buf[8] = {};
    EXPECT_TRUE(f.read_at(1, buf, 4));
    EXPECT_EQ(std::string(buf, 4), "ello");
    EXPECT_FALSE(f.read_at(3, buf, 4));  // past the end: a short read is a failure
    EXPECT_EQ(read_whole_file(dir.file("a.txt")), "hello");
}

TEST(ReadTextFile, RefusesAFileOverTheLimitByItsSizeAlone) {
    test::TempDir dir;
    test::write_text(dir.file("big.json"), "{}");
    ASSERT_EQ(::truncate(dir.file("big.json").c_str(), (16 << 20) + 1), 0);  // sparse
    EXPECT_THAT(message_of([&] { read_text_file(dir.file("big.json"), kMaxTextFileBytes, "x"); }),
                HasSubstr("x of 16777217 bytes is over the 16 MiB limit"));
    ASSERT_EQ(::truncate(dir.file("big.json").c_str(), 16 << 20), 0);
    EXPECT_EQ(read_text_file(dir.file("big.json"), kMaxTextFileBytes, "x").size(), 16u << 20);
}

TEST(Printable, EscapesControlBytesAndCutsLongText) {
    EXPECT_EQ(printable("a\nb\rc\td\x01"), "a\\nb\\rc\\td\\x01");
    EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 stays readable
    EXPECT_EQ(printable(std::string(10, 'x'), 4), "xxxx...");
    EXPECT_EQ(name_list({}), "none");
    std::vector<std::string> many(25, "t");
    EXPECT_EQ(name_list(many, 2), "t, t, ... (23 more)");
}

// Regression (found by libFuzzer under ASan + UBSan): a safetensors shape whose element count
// overflows must be refused with a message, never multiplied out.
TEST(SafetensorsFuzzRegression, ShapeProductOverflowIsRefused) {
    for (const std::string shape :
         {"[4294967296, 4294967296, 4294967296]", "[0, 18446744073709551615, 4611686018427387904]",
          "[4611686018427387904, 4611686018427387904, 0]", "[3037000500, 3037000500]"}) {
        const std::string header =
            R"({"keys": {"dtype": "F32", "shape": )" + shape + R"(, "data_offsets": [0, 0]}})";
        Bytes file;
        append_le64(file, header.size());
        file.insert(file.end(), header.begin(), header.end());
        MemoryByteSource source(file, "f.safetensors");
        const std::string m =
            message_of([&] { parse_safetensors_block(source, "keys", whole_array); });
        EXPECT_THAT(m, HasSubstr("f.safetensors: ")) << shape;
    }
}

TEST(SafetensorsFuzzRegression, DeeplyNestedHeaderIsRefused) {
    const std::string header =
        R"({"__metadata__": )" + std::string(5000, '[') + std::string(5000, ']') + "}";
    Bytes file;
    append_le64(file, header.size());
    file.insert(file.end(), header.begin(), header.end());
    MemoryByteSource source(file, "f.safetensors");
    EXPECT_THAT(message_of([&] { parse_safetensors_block(source, "keys", whole_array); }),
                HasSubstr("f.safetensors: bad header: JSON nested deeper than 256 levels"));
}

TEST(CsvText, ParsesFromMemoryWithTheFileRules) {
    const NdArray a = parse_csv_text("k0,k1\n1,2\n3,4\n", "mem.csv");
    EXPECT_EQ(a.shape, (std::vector<Index>{2, 2}));
    EXPECT_THAT(message_of([] { parse_csv_text("1,2\n3\n", "mem.csv"); }),
                HasSubstr("mem.csv: line 2 has 1 fields but line 1 has 2"));
}

}  // namespace
}  // namespace kvscope
