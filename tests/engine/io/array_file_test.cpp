#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/support/io_test_util.hpp"
#include "io/array_file.hpp"
#include "io/csv.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"
#include "io/safetensors.hpp"

namespace kvscope {
namespace {

using test::TempDir;

NdArray counting(std::vector<Index> shape, const std::string& dtype) {
    NdArray a;
    a.shape = std::move(shape);
    a.dtype = dtype;
    for (Index i = 0; i < a.element_count(); ++i)
        a.data.push_back(static_cast<float>(i));
    return a;
}

// Every format returns exactly the selected run, with the full stored shape.
TEST(IoBlock, EveryFormatReadsTheSelectedRun) {
    TempDir dir;
    const NdArray a = counting({3, 4, 5}, "<f4");
    write_npy(dir.file("a.npy"), a.shape, a.data, "<f2");
    write_npz(dir.file("a.npz"), {{"x", a}}, true);
    NdArray st = a;
    st.dtype = "BF16";
    write_safetensors(dir.file("a.safetensors"), {{"x", st}});
    write_csv(dir.file("a.csv"), 5, a.data);
    const BlockSelector middle = [](const std::vector<Index>&) {
        return std::pair<Index, Index>{20, 20};
    };
    for (const std::string name : {"a.npy", "a.npz", "a.safetensors", "a.csv"}) {
        const ArrayBlock b = load_array_block(dir.file(name), "x", middle);
        EXPECT_EQ(b.offset, 20) << name;
        ASSERT_EQ(b.data.size(), 20u) << name;
        EXPECT_EQ(b.data.front(), 20.0f) << name;
        EXPECT_EQ(b.data.back(), 39.0f) << name;
        EXPECT_EQ(b.shape, name == "a.csv" ? (std::vector<Index>{12, 5}) : a.shape) << name;
    }
}

TEST(IoBlock, SelectorSeesTheShapeAndItsErrorsPropagate) {
    TempDir dir;
    const NdArray a = counting({2, 3}, "<f4");
    write_npy(dir.file("a.npy"), a.shape, a.data);
    std::vector<Index> seen;
    const ArrayBlock whole = read_npy_block(dir.file("a.npy"), [&](const std::vector<Index>& s) {
        seen = s;
        return whole_array(s);
    });
    EXPECT_EQ(seen, a.shape);
    EXPECT_EQ(whole.data, a.data);
    EXPECT_THROW(read_npy_block(dir.file("a.npy"),
                                [](const std::vector<Index>&) -> std::pair<Index, Index> {
                                    throw std::invalid_argument("nope");
                                }),
                 std::invalid_argument);
    EXPECT_THROW(read_npy_block(dir.file("a.npy"),
                                [](const std::vector<Index>&) {
                                    return std::pair<Index, Index>{4, 3};
                                }),
                 std::logic_error);
}

TEST(IoBlock, FileIsValidatedBeforeTheBlockIsRead) {
    TempDir dir;
    const NdArray a = counting({4, 4}, "<f4");
    write_npy(dir.file("a.npy"), a.shape, a.data);
    auto bytes = test::read_all(dir.file("a.npy"));
    bytes.pop_back();  // the last element is damaged, the first block is intact
    test::write_all(dir.file("a.npy"), bytes);
    const std::string path = dir.file("a.npy");
    EXPECT_LOAD_ERROR(read_npy_block(path,
                                     [](const std::vector<Index>&) {
                                         return std::pair<Index, Index>{0, 4};
                                     }),
                      path, "truncated file");
}

TEST(IoBlock, UnknownExtension) {
    TempDir dir;
    const std::string path = dir.file("a.bin");
    EXPECT_LOAD_ERROR(load_array(path, "x"), path, "unsupported file extension");
}

}  // namespace
}  // namespace kvscope
