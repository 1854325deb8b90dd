// Bounded JSON: every JSON document kvscope reads from outside (configs, sessions, lessons,
// safetensors headers, a sketch's inner parameters) goes through parse_json_text, and every JSON
// file through load_json_file, so that no input can crash or stall the parser:
//   - nesting is limited to kMaxJsonDepth levels, checked by a linear scan before nlohmann parses
//     (its DOM builder and the copies and dumps made later recurse once per level, so 60,000
//     nested brackets overflowed the stack);
//   - a number beyond the double range (1e400) is refused with its position;
//   - invalid JSON is reported with its line and column;
//   - files must be regular files of at most kMaxTextFileBytes (input_file.hpp).
// Every failure is std::invalid_argument with one line starting with `where` (the CLI's exit 2).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kvscope {

/// Deepest nesting of arrays and objects accepted in any JSON input.
inline constexpr int kMaxJsonDepth = 256;

/// Parses `text`. Throws std::invalid_argument "<where>: ..." for nesting deeper than
/// kMaxJsonDepth, a number beyond the double range, or invalid JSON ("<where>: <invalid>
/// (line L, column C: ...)"). Cost O(text size).
nlohmann::json parse_json_text(std::string_view text, const std::string& where,
                               const std::string& invalid = "not valid JSON");

/// Reads and parses a JSON file: a regular file of at most kMaxTextFileBytes (16 MiB), then
/// parse_json_text with the path as `where`. `what` names the file in the size error ("config
/// file"). Throws std::invalid_argument as RegularFile, read_text_file and parse_json_text do.
nlohmann::json load_json_file(const std::string& path, const std::string& what);

/// `value.dump()` cut to `max_chars` with "..." (for messages that quote a bad value).
std::string json_excerpt(const nlohmann::json& value, std::size_t max_chars = 80);

}  // namespace kvscope
