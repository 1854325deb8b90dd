#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <zlib.h>

#include "engine/support/io_test_util.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"

namespace kvscope {
namespace {

using test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

NdArray make_array(std::vector<Index> shape, const std::string& dtype, float scale) {
    NdArray a;
    a.shape = std::move(shape);
    a.dtype = dtype;
    Index n = 1;
    for (Index s : a.shape)
        n *= s;
    for (Index i = 0; i < n; ++i)
        a.data.push_back(scale * static_cast<float>(i % 17 - 8) / 4.0f);
    return a;
}

class IoNpzRoundTrip : public ::testing::TestWithParam<bool> {};

TEST_P(IoNpzRoundTrip, EveryDtypeByNameWithOrWithoutSuffix) {
    TempDir dir;
    const std::string path = dir.file("kv.npz");
    const std::vector<NamedArray> arrays = {{"keys", make_array({2, 3, 4}, "<f2", 1)},
                                            {"values.npy", make_array({2, 3, 5}, "<f4", 2)},
                                            {"queries", make_array({3, 4}, "<f8", 3)}};
    write_npz(path, arrays, GetParam());
    EXPECT_THAT(list_npz(path), ElementsAre("keys.npy", "values.npy", "queries.npy"));
    for (const auto& named : arrays) {
        for (const std::string& name :
             {named.name, named.name.substr(0, named.name.find('.')) + ".npy"}) {
            const NdArray a = read_npz(path, name);
            EXPECT_EQ(a.shape, named.array.shape) << name;
            EXPECT_EQ(a.dtype, named.array.dtype) << name;
            EXPECT_EQ(a.data, named.array.data) << name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Io, IoNpzRoundTrip, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "deflated" : "stored"; });

TEST(IoNpz, DeflatedIsSmallerForRepetitiveData) {
    TempDir dir;
    NdArray zeros;
    zeros.shape = {64, 64};
    zeros.data.assign(64 * 64, 0.5f);
    zeros.dtype = "<f4";
    write_npz(dir.file("s.npz"), {{"a", zeros}}, false);
    write_npz(dir.file("d.npz"), {{"a", zeros}}, true);
    EXPECT_LT(test::read_all(dir.file("d.npz")).size(),
              test::read_all(dir.file("s.npz")).size() / 10);
    EXPECT_EQ(read_npz(dir.file("d.npz"), "a").data, zeros.data);
}

// numpy's savez writes zip64 local headers (sizes 0xffffffff plus a zip64 extra field); readers
// must take the sizes from the central directory or the extra field.
TEST(IoNpz, Zip64ExtraFieldsAsNumpyWrites) {
    TempDir dir;
    const std::vector<float> values = {1, 2, 3, 4, 5, 6};
    const Bytes member = encode_npy({2, 3}, values, "<f4");
    const std::string name = "arr_0.npy";
    const auto crc = static_cast<std::uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), member.data(), static_cast<uInt>(member.size())));
    Bytes extra;
    append_le16(extra, 0x0001);
    append_le16(extra, 16);
    append_le64(extra, member.size());
    append_le64(extra, member.size());

    Bytes zip;
    append_le32(zip, 0x04034b50);
    append_le16(zip, 45);
    append_le16(zip, 0);
    append_le16(zip, 0);
    append_le32(zip, 0x00210000);
    append_le32(zip, crc);
    append_le32(zip, 0xffffffffu);
    append_le32(zip, 0xffffffffu);
    append_le16(zip, static_cast<std::uint16_t>(name.size()));
    append_le16(zip, static_cast<std::uint16_t>(extra.size()));
    zip.insert(zip.end(), name.begin(), name.end());
    zip.insert(zip.end(), extra.begin(), extra.end());
    zip.insert(zip.end(), member.begin(), member.end());

    const auto dir_offset = static_cast<std::uint32_t>(zip.size());
    Bytes central_extra;
    append_le16(central_extra, 0x0001);
    append_le16(central_extra, 24);
    append_le64(central_extra, member.size());
    append_le64(central_extra, member.size());
    append_le64(central_extra, 0);
    append_le32(zip, 0x02014b50);
    append_le16(zip, 45);
    append_le16(zip, 45);
    append_le16(zip, 0);
    append_le16(zip, 0);
    append_le32(zip, 0x00210000);
    append_le32(zip, crc);
    append_le32(zip, 0xffffffffu);
    append_le32(zip, 0xffffffffu);
    append_le16(zip, static_cast<std::uint16_t>(name.size()));
    append_le16(zip, static_cast<std::uint16_t>(central_extra.size()));
    append_le16(zip, 0);
    append_le16(zip, 0);
    append_le16(zip, 0);
    append_le32(zip, 0);
    append_le32(zip, 0xffffffffu);
    zip.insert(zip.end(), name.begin(), name.end());
    zip.insert(zip.end(), central_extra.begin(), central_extra.end());
    const auto dir_size = static_cast<std::uint32_t>(zip.size() - dir_offset);
    append_le32(zip, 0x06054b50);
    append_le16(zip, 0);
    append_le16(zip, 0);
    append_le16(zip, 1);
    append_le16(zip, 1);
    append_le32(zip, dir_size);
    append_le32(zip, dir_offset);
    append_le16(zip, 0);
    const std::string path = dir.file("np.npz");
    test::write_all(path, zip);
    EXPECT_THAT(list_npz(path), ElementsAre("arr_0.npy"));
    EXPECT_EQ(read_npz(path, "arr_0").data, values);
}

// ---- malformed archives ----

class IoNpzErrors : public ::testing::Test {
  protected:
    void SetUp() override {
        arrays_ = {{"keys", make_array({4, 3}, "<f4", 1)},
                   {"values", make_array({4, 3}, "<f4", 2)}};
    }
    Bytes archive(bool compress) {
        std::vector<ZipMember> members;
        for (const auto& a : arrays_)
            members.push_back({a.name + ".npy", encode_npy(a.array.shape, a.array.data, "<f4")});
        return encode_zip(members, compress);
    }
    TempDir dir_;
    std::string path_ = dir_.file("bad.npz");
    std::vector<NamedArray> arrays_;
};

TEST_F(IoNpzErrors, MissingMemberListsAvailableNames) {
    test::write_all(path_, archive(false));
    EXPECT_LOAD_ERROR(read_npz(path_, "k"), path_, "missing tensor 'k'");
    EXPECT_LOAD_ERROR(read_npz(path_, "k"), path_, "available: keys, values");
}

TEST_F(IoNpzErrors, BadMagic) {
    test::write_text(path_, "this is not a zip archive at all, just some text");
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "bad magic");
}

TEST_F(IoNpzErrors, TruncatedArchive) {
    Bytes bytes = archive(true);
    bytes.resize(bytes.size() / 2);
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "truncated");
    EXPECT_LOAD_ERROR(list_npz(path_), path_, "truncated");
}

TEST_F(IoNpzErrors, CorruptStoredDataFailsTheCrc) {
    Bytes bytes = archive(false);
    bytes[30 + 8 + 130] ^= 0x40;  // inside the first member's payload
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "bad zip entry 'keys.npy'");
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "CRC");
}

TEST_F(IoNpzErrors, CorruptDeflateStreamIsAnInflateFailure) {
    Bytes bytes = archive(true);
    // 0xff starts a final block of the reserved type 3: zlib reports "invalid block type".
    bytes[30 + 8] = 0xff;
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "inflate failure");
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "keys.npy");
}

TEST_F(IoNpzErrors, UnsupportedCompressionMethod) {
    Bytes bytes = archive(false);
    // Patch the method in every central directory entry (offset 10 of each header).
    for (std::size_t i = 0; i + 4 <= bytes.size(); ++i) {
        if (load_le32(bytes.data() + i) == 0x02014b50) bytes[i + 10] = 12;
    }
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_npz(path_, "values"), path_, "bad zip entry 'values.npy'");
    EXPECT_LOAD_ERROR(read_npz(path_, "values"), path_, "compression method 12");
}

TEST_F(IoNpzErrors, MissingLocalHeader) {
    Bytes bytes = archive(false);
    bytes[0] = 'X';  // the first member's local header signature; magic check uses it too
    bytes[1] = 'X';
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "bad magic");
    bytes[0] = 'P';
    bytes[1] = 'K';
    // Damage the second member's local header instead.
    const std::size_t second = 30 + 8 + encode_npy({4, 3}, arrays_[0].array.data, "<f4").size();
    bytes[second + 2] = 9;
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(read_npz(path_, "values"), path_, "bad zip entry 'values.npy'");
}

TEST_F(IoNpzErrors, DirectoryClaimingTooManyEntries) {
    Bytes bytes = archive(false);
    const std::size_t end = bytes.size() - 22;
    bytes[end + 10] = 0xfe;  // total entries
    bytes[end + 8] = 0xfe;
    test::write_all(path_, bytes);
    EXPECT_LOAD_ERROR(list_npz(path_), path_, "bad zip entry");
}

TEST_F(IoNpzErrors, MemberThatIsNotNpyNamesTheMember) {
    test::write_all(
        path_, encode_zip({{"junk.npy", Bytes{'h', 'e', 'l', 'l', 'o', '!', '!', '!'}}}, true));
    EXPECT_LOAD_ERROR(read_npz(path_, "junk"), path_, "member 'junk.npy'");
    EXPECT_LOAD_ERROR(read_npz(path_, "junk"), path_, "bad magic");
}

TEST_F(IoNpzErrors, MemberWithUnsupportedDtype) {
    NamedArray a{"keys", make_array({2, 2}, "<f4", 1)};
    Bytes member = encode_npy(a.array.shape, a.array.data, "<f4");
    // Turn '<f4' into '<i4' inside the header.
    for (std::size_t i = 0; i + 3 <= member.size(); ++i) {
        if (member[i] == '<' && member[i + 1] == 'f' && member[i + 2] == '4') member[i + 1] = 'i';
    }
    test::write_all(path_, encode_zip({{"keys.npy", member}}, false));
    EXPECT_LOAD_ERROR(read_npz(path_, "keys"), path_, "unsupported dtype '<i4'");
}

}  // namespace
}  // namespace kvscope
