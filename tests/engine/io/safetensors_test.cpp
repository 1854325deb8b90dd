#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/support/io_test_util.hpp"
#include "io/byte_source.hpp"
#include "io/safetensors.hpp"

namespace kvscope {
namespace {

using test::TempDir;
using ::testing::HasSubstr;

NdArray make_array(std::vector<Index> shape, const std::string& dtype, float scale) {
    NdArray a;
    a.shape = std::move(shape);
    a.dtype = dtype;
    Index n = 1;
    for (Index s : a.shape)
        n *= s;
    for (Index i = 0; i < n; ++i)
        a.data.push_back(scale * static_cast<float>(i % 13 - 6) / 2.0f);
    return a;
}

// A file from a literal header and a payload of `data_bytes` zero bytes.
Bytes handmade(const std::string& header, std::size_t data_bytes) {
    Bytes out;
    append_le64(out, header.size());
    out.insert(out.end(), header.begin(), header.end());
    out.resize(out.size() + data_bytes, 0);
    return out;
}

TEST(IoSafetensors, RoundTripEveryDtype) {
    TempDir dir;
    const std::string path = dir.file("kv.safetensors");
    const std::vector<NamedArray> tensors = {{"k16", make_array({2, 3, 4}, "F16", 1)},
                                             {"kbf", make_array({3, 4}, "BF16", 2)},
                                             {"k32", make_array({2, 2, 3, 4}, "F32", 3)},
                                             {"k64", make_array({5}, "F64", 4)}};
    write_safetensors(path, tensors);
    const auto bytes = test::read_all(path);
    EXPECT_EQ(load_le64(bytes.data()) % 8, 0u) << "header padded to 8 bytes";
    const auto entries = list_safetensors(path);
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].name, "k16");
    EXPECT_EQ(entries[0].dtype, "F16");
    EXPECT_EQ(entries[0].shape, (std::vector<Index>{2, 3, 4}));
    for (const auto& t : tensors) {
        const NdArray a = read_safetensors(path, t.name);
        EXPECT_EQ(a.shape, t.array.shape) << t.name;
        EXPECT_EQ(a.dtype, t.array.dtype) << t.name;
        EXPECT_EQ(a.data, t.array.data) << t.name;
    }
}

TEST(IoSafetensors, MetadataAndPaddingAreAccepted) {
    TempDir dir;
    const std::string path = dir.file("m.safetensors");
    Bytes bytes =
        handmade(R"({"__metadata__": {"format": "pt"}, "x": {"dtype": "F32", "shape": [2], )"
                 R"("data_offsets": [0, 8]}}    )",
                 8);
    const float two[2] = {1.5f, -2.0f};
    std::memcpy(bytes.data() + bytes.size() - 8, two, 8);
    test::write_all(path, bytes);
    EXPECT_EQ(read_safetensors(path, "x").data, (std::vector<float>{1.5f, -2.0f}));
}

class IoSafetensorsErrors : public ::testing::Test {
  protected:
    TempDir dir_;
    std::string path_ = dir_.file("bad.safetensors");
};

TEST_F(IoSafetensorsErrors, TooShortIsTruncated) {
    test::write_all(path_, {1, 0, 0});
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "truncated file");
}

TEST_F(IoSafetensorsErrors, AbsurdHeaderLength) {
    Bytes bytes;
    append_le64(bytes, std::uint64_t{1} << 40);
    bytes.resize(64, ' ');
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "absurd header length");
    // Larger than the file, though under 64 MiB.
    bytes.clear();
    append_le64(bytes, 1000);
    bytes.resize(40, '{');
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "absurd header length 1000");
}

TEST_F(IoSafetensorsErrors, InvalidJson) {
    test::write_all(path_, handmade(R"({"x": {"dtype": "F32", )", 0));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "invalid JSON");
}

TEST_F(IoSafetensorsErrors, NotJsonAtAllIsBadMagic) {
    test::write_all(path_, handmade("PK\x03\x04 zip?", 0));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "bad magic");
}

TEST_F(IoSafetensorsErrors, UnsupportedDtypeIsNamedWithTheSupportedList) {
    test::write_all(
        path_, handmade(R"({"x": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]}})", 8));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "unsupported dtype 'I32'");
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "F16, BF16, F32, F64");
}

TEST_F(IoSafetensorsErrors, OffsetsPastTheFileAreTruncation) {
    write_safetensors(path_, {{"x", make_array({4, 4}, "F32", 1)}});
    Bytes bytes = test::read_all(path_);
    bytes.resize(bytes.size() - 4);
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "truncated file");
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "tensor 'x'");
}

TEST_F(IoSafetensorsErrors, ShapeDataSizeMismatch) {
    test::write_all(
        path_,
        handmade(R"({"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}})", 24));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "shape/data size mismatch");
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "[2, 3]");
}

TEST_F(IoSafetensorsErrors, EmptyTensor) {
    test::write_all(
        path_, handmade(R"({"x": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 0]}})", 0));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "empty array");
}

TEST_F(IoSafetensorsErrors, MissingTensorListsAvailableNames) {
    write_safetensors(
        path_, {{"keys", make_array({2, 2}, "F32", 1)}, {"values", make_array({2, 2}, "F32", 1)}});
    EXPECT_LOAD_ERROR(read_safetensors(path_, "k"), path_, "missing tensor 'k'");
    EXPECT_LOAD_ERROR(read_safetensors(path_, "k"), path_, "available: keys, values");
}

TEST_F(IoSafetensorsErrors, MalformedEntries) {
    test::write_all(path_, handmade(R"({"x": {"shape": [1], "data_offsets": [0, 4]}})", 4));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "dtype");
    test::write_all(
        path_, handmade(R"({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "shape");
    test::write_all(
        path_, handmade(R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", 4));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "reversed");
    test::write_all(path_, handmade(R"([1, 2])", 0));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "x"), path_, "bad magic");
    test::write_all(path_,
                    handmade(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                             R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                             12));
    EXPECT_LOAD_ERROR(read_safetensors(path_, "a"), path_, "overlap");
}

TEST(IoSafetensors, WriterRejectsBadInput) {
    TempDir dir;
    EXPECT_THROW(write_safetensors(dir.file("x.safetensors"), {{"x", make_array({2}, "I8", 1)}}),
                 std::invalid_argument);
    NdArray wrong = make_array({2, 2}, "F32", 1);
    wrong.data.pop_back();
    EXPECT_THROW(write_safetensors(dir.file("x.safetensors"), {{"x", wrong}}),
                 std::invalid_argument);
    EXPECT_THROW(write_safetensors(dir.file("x.safetensors"), {{"x", make_array({2}, "F32", 1)},
                                                               {"x", make_array({2}, "F32", 1)}}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace kvscope
