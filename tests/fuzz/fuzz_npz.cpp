// libFuzzer target: .npz archives (zip directory, zip64 records, stored and deflated members,
// CRC), then the member as .npy. The seed archives name their member "keys".
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "io/npz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kvscope::fuzz::expect_clean([&] {
        kvscope::MemoryByteSource source(std::span<const std::uint8_t>(data, size), "fuzz.npz");
        (void)kvscope::parse_npz_block(source, "keys", kvscope::whole_array);
    });
    return 0;
}
