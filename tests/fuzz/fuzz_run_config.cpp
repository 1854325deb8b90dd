// libFuzzer target: the run-config parser as `kvscope run` uses it: bounded JSON, schema
// validation, sweep expansion and the instance limit, source parameters, and the round trip
// through to_json. Sources and sketches are not built (that is the Session's work, not parsing).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "io/json_text.hpp"
#include "session/run_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kvscope::fuzz::expect_clean([&] {
        const nlohmann::json doc = kvscope::parse_json_text(
            std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
        const kvscope::RunConfig config = kvscope::parse_run_config(doc, "/nonexistent");
        (void)kvscope::resolved_source_params(config);
        (void)kvscope::parse_run_config(kvscope::to_json(config), "/nonexistent");
    });
    return 0;
}
