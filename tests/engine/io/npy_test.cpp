#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/support/io_test_util.hpp"
#include "io/npy.hpp"

namespace kvscope {
namespace {

using test::TempDir;
using ::testing::HasSubstr;

// Values exactly representable in half, float and double.
std::vector<float> ramp(std::size_t n) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = (static_cast<float>(i) - 7.0f) / 8.0f;
    return v;
}

// An npy file with a hand-written header (padded like numpy) and raw payload.
Bytes handmade(const std::string& dict, const Bytes& payload, int version = 1) {
    std::string header = dict;
    const std::size_t prefix = version == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(version), 0};
    if (version == 1) {
        append_le16(out, static_cast<std::uint16_t>(header.size()));
    } else {
        append_le32(out, static_cast<std::uint32_t>(header.size()));
    }
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Bytes float_bytes(const std::vector<float>& v) {
    Bytes b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    return b;
}

struct NpyCase {
    std::string dtype;
    int version;
};

class IoNpyRoundTrip : public ::testing::TestWithParam<NpyCase> {};

TEST_P(IoNpyRoundTrip, EveryRank) {
    TempDir dir;
    const auto [dtype, version] = GetParam();
    const std::vector<std::vector<Index>> shapes = {{5}, {3, 4}, {2, 3, 4}, {2, 2, 3, 2}};
    for (const auto& shape : shapes) {
        Index n = 1;
        for (Index s : shape)
            n *= s;
        const auto data = ramp(static_cast<std::size_t>(n));
        const std::string path = dir.file("a.npy");
        write_npy(path, shape, data, dtype, version);
        const auto bytes = test::read_all(path);
        ASSERT_GE(bytes.size(), 8u);
        EXPECT_EQ(bytes[6], version);
        const std::size_t item = dtype == "<f2" ? 2 : dtype == "<f4" ? 4 : 8;
        EXPECT_EQ((bytes.size() - static_cast<std::size_t>(n) * item) % 64, 0u)
            << "data starts on a 64-byte boundary";
        const NdArray a = read_npy(path);
        EXPECT_EQ(a.shape, shape);
        EXPECT_EQ(a.dtype, dtype);
        EXPECT_EQ(a.data, data);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Io, IoNpyRoundTrip,
    ::testing::Values(NpyCase{"<f2", 1}, NpyCase{"<f4", 1}, NpyCase{"<f8", 1}, NpyCase{"<f2", 2},
                      NpyCase{"<f4", 2}, NpyCase{"<f8", 3}, NpyCase{"<f4", 3}),
    [](const auto& p) { return p.param.dtype.substr(1) + "_v" + std::to_string(p.param.version); });

TEST(IoNpy, ScalarHasRankZero) {
    TempDir dir;
    const std::string path = dir.file("s.npy");
    const std::vector<float> one = {2.5f};
    write_npy(path, {}, one);
    const NdArray a = read_npy(path);
    EXPECT_TRUE(a.shape.empty());
    EXPECT_EQ(a.data, one);
}

TEST(IoNpy, F8ConvertsToFloat) {
    TempDir dir;
    const std::string path = dir.file("d.npy");
    std::vector<double> values = {0.1, -1e-3, 12345.678};
    Bytes payload(values.size() * 8);
    std::memcpy(payload.data(), values.data(), payload.size());
    test::write_all(path,
                    handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", payload));
    const NdArray a = read_npy(path);
    ASSERT_EQ(a.data.size(), 3u);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(a.data[i], static_cast<float>(values[i]));
}

TEST(IoNpy, AcceptsHeaderSpellings) {
    TempDir dir;
    const std::string path = dir.file("h.npy");
    const auto payload = float_bytes({1, 2, 3, 4, 5, 6});
    for (const std::string dict :
         {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
          "{\"shape\": (2,3), \"fortran_order\": False, \"descr\": \"<f4\"}",
          "{'descr': 'f4', 'fortran_order': False, 'shape': (2L, 3L)}",
          "{'descr':'=f4','fortran_order':False,'shape':(2,3,),}"}) {
        test::write_all(path, handmade(dict, payload));
        const NdArray a = read_npy(path);
        EXPECT_EQ(a.shape, (std::vector<Index>{2, 3})) << dict;
        EXPECT_EQ(a.data, (std::vector<float>{1, 2, 3, 4, 5, 6})) << dict;
    }
    test::write_all(
        path, handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", payload, 3));
    EXPECT_EQ(read_npy(path).shape, (std::vector<Index>{2, 3}));
}

// ---- malformed input: every message starts with the path and names the problem ----

class IoNpyErrors : public ::testing::Test {
  protected:
    void write(const Bytes& bytes) { test::write_all(path_, bytes); }
    TempDir dir_;
    std::string path_ = dir_.file("bad.npy");
};

TEST_F(IoNpyErrors, MissingFile) {
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "cannot open");
}

TEST_F(IoNpyErrors, BadMagic) {
    write({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "bad magic");
}

TEST_F(IoNpyErrors, TooShortIsTruncated) {
    write({0x93, 'N', 'U', 'M'});
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "truncated");
}

TEST_F(IoNpyErrors, TruncatedData) {
    auto bytes = handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                          float_bytes({1, 2, 3, 4, 5, 6}));
    bytes.resize(bytes.size() - 5);
    write(bytes);
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "truncated file");
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "[2, 3]");
}

TEST_F(IoNpyErrors, TruncatedHeader) {
    auto bytes = handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                          float_bytes({1, 2, 3, 4, 5, 6}));
    bytes.resize(40);
    write(bytes);
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "header length");
}

TEST_F(IoNpyErrors, AbsurdHeaderLength) {
    Bytes bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0};
    append_le32(bytes, 0xfffffff0u);
    bytes.resize(200, ' ');
    write(bytes);
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "absurd header length");
}

TEST_F(IoNpyErrors, UnsupportedVersion) {
    auto bytes =
        handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", float_bytes({1}));
    bytes[6] = 4;
    write(bytes);
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "version 4.0");
}

TEST_F(IoNpyErrors, UnsupportedDtypeIsNamedWithTheSupportedList) {
    write(handmade("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", {1, 0, 0, 0}));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "unsupported dtype '<i4'");
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "<f2, <f4, <f8");
}

TEST_F(IoNpyErrors, PipeOrderIsNotAFloatSpelling) {
    write(handmade("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", float_bytes({1})));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "unsupported dtype '|f4'");
}

TEST_F(IoNpyErrors, StructuredDtype) {
    write(handmade("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                   float_bytes({1})));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "unsupported dtype");
}

TEST_F(IoNpyErrors, BigEndian) {
    write(handmade("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", float_bytes({1})));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "big-endian");
}

TEST_F(IoNpyErrors, FortranOrder) {
    write(handmade("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                   float_bytes({1, 2, 3, 4, 5, 6})));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "fortran_order");
}

TEST_F(IoNpyErrors, TrailingBytesAreASizeMismatch) {
    write(handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                   float_bytes({1, 2, 3, 4, 5})));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "shape/data size mismatch");
}

TEST_F(IoNpyErrors, EmptyArray) {
    write(handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", {}));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "empty array");
}

TEST_F(IoNpyErrors, MalformedHeaders) {
    const auto payload = float_bytes({1});
    write(handmade("{'descr': '<f4', 'shape': (1,), }", payload));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "missing 'fortran_order'");
    write(handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", payload));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "unexpected key 'x'");
    write(handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", payload));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "bad npy header");
    write(handmade("{'descr': '<f4, 'fortran_order': False, 'shape': (1,), }", payload));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "bad npy header");
    write(handmade("'descr'", payload));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "bad npy header");
}

TEST_F(IoNpyErrors, AbsurdShapeDoesNotAllocate) {
    write(handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000), }",
                   float_bytes({1})));
    EXPECT_LOAD_ERROR(read_npy(path_), path_, "truncated file");
}

TEST(IoNpy, WriterRejectsBadInput) {
    TempDir dir;
    const std::vector<float> three = {1, 2, 3};
    EXPECT_THROW(write_npy(dir.file("x.npy"), {2, 2}, three), std::invalid_argument);
    EXPECT_THROW(write_npy(dir.file("x.npy"), {3}, three, "<i4"), std::invalid_argument);
    EXPECT_THROW(write_npy(dir.file("x.npy"), {3}, three, "<f4", 4), std::invalid_argument);
}

}  // namespace
}  // namespace kvscope
