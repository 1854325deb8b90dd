// CSV token files: one token per row, comma-separated numbers, every row the same width.
//
// The first non-blank row is a header when any of its fields is not a number (its width must
// still match). Fields may carry surrounding spaces; lines may end in "\r\n"; blank lines are
// skipped. Numbers are parsed as float ("nan" and "inf" parse, the file source rejects them).
// Returns a [rows, columns] NdArray with dtype "csv". Limits: no quoting, no other separators;
// the file is read whole into memory.
//
// Errors: std::invalid_argument starting with the file path: a field that is not a number (line
// and column), a row of a different width (line, both widths), an empty array (no data rows).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "io/nd_array.hpp"

namespace kvscope {

/// Reads a CSV file of numbers (a regular file; see input_file.hpp). Cost O(file size).
NdArray read_csv(const std::string& path);

/// Parses CSV text already in memory; `where` prefixes every message.
NdArray parse_csv_text(std::string_view text, const std::string& where);

/// Column names of the header row, or empty when the file has none.
std::vector<std::string> read_csv_header(const std::string& path);

/// Writes rows of `columns` numbers (data.size() must be a multiple of columns), with an
/// optional header row; numbers in shortest round-trip form. For tests and exports.
void write_csv(const std::string& path, Index columns, const std::vector<float>& data,
               const std::vector<std::string>& header = {});

}  // namespace kvscope
