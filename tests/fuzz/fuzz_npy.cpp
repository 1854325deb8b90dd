// libFuzzer target: .npy content (header parser, dtype and shape checks, float conversion).
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kvscope::fuzz::expect_clean([&] {
        kvscope::MemoryByteSource source(std::span<const std::uint8_t>(data, size), "fuzz.npy");
        (void)kvscope::parse_npy(source);
    });
    return 0;
}
