// libFuzzer target: CSV token files (header detection, widths, number parsing).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "io/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kvscope::fuzz::expect_clean([&] {
        (void)kvscope::parse_csv_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                      "fuzz.csv");
    });
    return 0;
}
