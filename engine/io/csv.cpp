#include "io/csv.hpp"

#include <charconv>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "io/input_file.hpp"

namespace kvscope {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) {
            fields.push_back(trim(line.substr(start)));
            return fields;
        }
        fields.push_back(trim(line.substr(start, comma - start)));
        start = comma + 1;
    }
}

std::optional<float> parse_number(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    float value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ptr != s.data() + s.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) {
        // Overflow or underflow: decide by the magnitude a double sees.
        double wide = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), wide);
        if (r.ec != std::errc()) return std::nullopt;
        return static_cast<float>(wide);
    }
    if (ec != std::errc()) return std::nullopt;
    return value;
}

struct Table {
    std::vector<std::string> header;
    NdArray array;
};

Table parse_table(std::string_view text, const std::string& where) {
    auto fail = [&](const std::string& problem) {
        throw std::invalid_argument(where + ": " + problem);
    };

    Table table;
    Index columns = -1;
    Index first_line = 0;
    Index rows = 0;
    Index line_number = 0;
    std::size_t pos = 0;
    bool first_row = true;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_number;
        if (trim(line).empty()) continue;
        const auto fields = split(line);
        if (first_row) {
            first_row = false;
            columns = static_cast<Index>(fields.size());
            first_line = line_number;
            bool numeric = true;
            for (auto f : fields)
                numeric = numeric && parse_number(f).has_value();
            if (!numeric) {
                for (auto f : fields)
                    table.header.emplace_back(f);
                continue;
            }
        }
        if (static_cast<Index>(fields.size()) != columns) {
            fail("line " + std::to_string(line_number) + " has " + std::to_string(fields.size()) +
                 " fields but line " + std::to_string(first_line) + " has " +
                 std::to_string(columns) + " (every row must have the same width)");
        }
        for (std::size_t c = 0; c < fields.size(); ++c) {
            const auto value = parse_number(fields[c]);
            if (!value) {
                fail("line " + std::to_string(line_number) + ", column " + std::to_string(c + 1) +
                     ": '" + printable(fields[c], 60) + "' is not a number");
            }
            table.array.data.push_back(*value);
        }
        ++rows;
    }
    if (rows == 0) fail("empty array: no data rows");
    table.array.shape = {rows, columns};
    table.array.dtype = "csv";
    return table;
}

Table parse_csv(const std::string& path) {
    return parse_table(read_whole_file(path), printable(path));
}

}  // namespace

NdArray read_csv(const std::string& path) {
    return parse_csv(path).array;
}

NdArray parse_csv_text(std::string_view text, const std::string& where) {
    return parse_table(text, where).array;
}

std::vector<std::string> read_csv_header(const std::string& path) {
    return parse_csv(path).header;
}

void write_csv(const std::string& path, Index columns, const std::vector<float>& data,
               const std::vector<std::string>& header) {
    if (columns <= 0 || data.size() % static_cast<std::size_t>(columns) != 0) {
        throw std::invalid_argument("write_csv: " + std::to_string(data.size()) +
                                    " values do not fill rows of " + std::to_string(columns));
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::invalid_argument(path + ": cannot open file for writing");
    for (std::size_t i = 0; i < header.size(); ++i)
        out << (i ? "," : "") << header[i];
    if (!header.empty()) out << '\n';
    char buf[32];
    for (std::size_t i = 0; i < data.size(); ++i) {
        const auto r = std::to_chars(buf, buf + sizeof buf, data[i]);
        out.write(buf, r.ptr - buf);
        out << (((i + 1) % static_cast<std::size_t>(columns)) == 0 ? '\n' : ',');
    }
    out.close();
    if (!out) throw std::invalid_argument(path + ": write failed");
}

}  // namespace kvscope
