#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/support/io_test_util.hpp"
#include "io/sha256.hpp"

namespace kvscope {
namespace {

TEST(Sha256, EmptyString) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FourHundredFortyEightBitMessage) {
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsStreamedInOddPieces) {
    // FIPS 180-4 example: one million 'a'; fed in pieces that straddle block boundaries.
    Sha256 h;
    const std::string piece(997, 'a');
    std::size_t fed = 0;
    while (fed + piece.size() <= 1000000) {
        h.update(piece);
        fed += piece.size();
    }
    h.update(std::string(1000000 - fed, 'a'));
    EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, BoundaryLengthsMatchOneShot) {
    // 55, 56 and 64 bytes exercise the padding spilling into a second block.
    for (std::size_t n : {55u, 56u, 63u, 64u, 65u}) {
        const std::string text(n, 'x');
        Sha256 h;
        for (char c : text)
            h.update(&c, 1);
        EXPECT_EQ(h.hex_digest(), sha256_hex(text)) << n;
    }
}

TEST(Sha256, FileMatchesBytes) {
    test::TempDir dir;
    const std::string path = dir.file("abc.bin");
    {
        std::ofstream out(path, std::ios::binary);
        out << "abc";
    }
    const FileDigest d = sha256_file(path);
    EXPECT_EQ(d.bytes, 3u);
    EXPECT_EQ(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MissingFileNamesPath) {
    test::TempDir dir;
    const std::string path = dir.file("absent.bin");
    try {
        sha256_file(path);
        FAIL() << "expected an exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path, 0), 0u) << e.what();
    }
}

}  // namespace
}  // namespace kvscope
