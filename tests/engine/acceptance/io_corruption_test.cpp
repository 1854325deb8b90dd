// Damaged files never crash a loader and never load silently wrong: each random corruption
// either still parses (a flipped bit inside the data) or throws std::invalid_argument whose
// message starts with the path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/support/io_test_util.hpp"
#include "io/csv.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"
#include "io/safetensors.hpp"

namespace kvscope {
namespace {

using test::TempDir;

// Writes each damaged copy to a fresh file: overwriting one file in place is slow on ext4
// (truncation flushes), fresh names keep the test fast.
void corrupt_and_load(const TempDir& dir, const std::string& original, const std::string& extension,
                      const std::function<void(const std::string&)>& load, std::uint64_t seed) {
    const Bytes bytes = test::read_all(original);
    ASSERT_FALSE(bytes.empty());
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 150; ++round) {
        Bytes b = bytes;
        const auto kind = rng() % 3;
        if (kind == 0) {
            b.resize(rng() % b.size());
        } else {
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                auto& byte = b[rng() % b.size()];
                byte = kind == 1 ? static_cast<std::uint8_t>(rng())
                                 : static_cast<std::uint8_t>(byte ^ (1u << (rng() % 8)));
            }
        }
        const std::string damaged =
            dir.file("damaged_" + std::to_string(seed) + "_" + std::to_string(round) + extension);
        test::write_all(damaged, b);
        try {
            load(damaged);
        } catch (const std::invalid_argument& e) {
            ASSERT_THAT(std::string(e.what()), ::testing::StartsWith(damaged)) << round;
        }
    }
}

TEST(IoCorruption, EveryFormatFailsCleanly) {
    TempDir dir;
    std::vector<float> data(60);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<float>(i) * 0.5f;
    const NdArray a{{3, 4, 5}, data, "<f4"};
    write_npy(dir.file("a.npy"), a.shape, a.data, "<f2", 2);
    write_npz(dir.file("a.npz"), {{"keys", a}, {"values", NdArray{{60}, data, "<f8"}}}, true);
    write_npz(dir.file("s.npz"), {{"keys", a}}, false);
    write_safetensors(dir.file("a.safetensors"),
                      {{"k", NdArray{{3, 4, 5}, data, "BF16"}}, {"v", NdArray{{60}, data, "F64"}}});
    write_csv(dir.file("a.csv"), 5, data, {"a", "b", "c", "d", "e"});

    corrupt_and_load(
        dir, dir.file("a.npy"), ".npy", [](auto& p) { read_npy(p); }, 1);
    corrupt_and_load(
        dir, dir.file("a.npz"), ".npz", [](auto& p) { read_npz(p, "keys"); }, 2);
    corrupt_and_load(
        dir, dir.file("s.npz"), ".npz", [](auto& p) { read_npz(p, "keys"); }, 3);
    corrupt_and_load(
        dir, dir.file("a.safetensors"), ".safetensors", [](auto& p) { read_safetensors(p, "k"); },
        4);
    corrupt_and_load(
        dir, dir.file("a.csv"), ".csv", [](auto& p) { read_csv(p); }, 5);
}

}  // namespace
}  // namespace kvscope
