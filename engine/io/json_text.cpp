#include "io/json_text.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "io/input_file.hpp"

namespace kvscope {

namespace {

std::string line_and_column(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

bool number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Checks the two things nlohmann cannot be trusted with: depth (it recurses) and numbers that
// overflow a double (it throws an out_of_range of its own wording). One pass; strings skipped.
void scan(std::string_view text, const std::string& where) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) {
                throw std::invalid_argument(where + ": JSON nested deeper than " +
                                            std::to_string(kMaxJsonDepth) + " levels (at " +
                                            line_and_column(text, i) + ")");
            }
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i;
            while (end < text.size() && number_char(text[end]))
                ++end;
            const std::string token(text.substr(i, end - i));
            if (std::isinf(std::strtod(token.c_str(), nullptr))) {
                throw std::invalid_argument(
                    where + ": number " + printable(token, 40) + " at " + line_and_column(text, i) +
                    " is out of range (beyond +-1.8e308, the double range)");
            }
            i = end - 1;
        }
    }
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at " prefix.
std::string parser_message(const std::string& what) {
    std::string m = what;
    if (const auto close = m.find("] "); m.rfind("[json.exception", 0) == 0 && close != m.npos) {
        m = m.substr(close + 2);
    }
    if (m.rfind("parse error at ", 0) == 0) m = m.substr(15);
    return printable(m, 300);
}

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& where,
                               const std::string& invalid) {
    scan(text, where);
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(where + ": " + invalid + " (" + parser_message(e.what()) + ")");
    }
}

nlohmann::json load_json_file(const std::string& path, const std::string& what) {
    const std::string text = read_text_file(path, kMaxTextFileBytes, what);
    return parse_json_text(text, printable(path));
}

std::string json_excerpt(const nlohmann::json& value, std::size_t max_chars) {
    return printable(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     max_chars);
}

}  // namespace kvscope
