// libFuzzer target: .safetensors (header length, JSON header, dtypes, shapes, offsets, overlap
// checks), then the tensor "keys".
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kvscope::fuzz::expect_clean([&] {
        kvscope::MemoryByteSource source(std::span<const std::uint8_t>(data, size),
                                         "fuzz.safetensors");
        (void)kvscope::parse_safetensors_block(source, "keys", kvscope::whole_array);
    });
    return 0;
}
