// libFuzzer target: the explorer's session parser: a run config plus the "view" object, applied
// to the UI state as opening a session does (lenient: bad view values only warn).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "io/json_text.hpp"
#include "session/run_config.hpp"
#include "ui/session_file.hpp"
#include "ui/workspace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kvscope::fuzz::expect_clean([&] {
        const nlohmann::json doc = kvscope::parse_json_text(
            std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.session.json");
        // The view is read even when the run config is refused, so a corrupt config does not
        // hide view bugs from the fuzzer.
        if (doc.is_object() && doc.contains("view")) {
            kvscope::ui::Workspace ui;
            std::string warnings;
            (void)kvscope::ui::view_from_json(doc["view"], ui, warnings);
            if (warnings.find('\n') != std::string::npos) std::abort();
        }
        (void)kvscope::parse_run_config(doc, "/nonexistent");
    });
    return 0;
}
