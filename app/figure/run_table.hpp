// Metric rows as a table of named columns, whether read back from metrics.csv files or taken
// from the explorer's history, so one set of figure builders serves `kvscope plot` and the
// explorer. Numeric columns hold doubles (NaN for "nan" or empty cells); text columns hold the
// rest (sketch, label, params, and any column a newer CSV adds, such as a source parameter per
// instance, which can then drive a plot's x axis or facets).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "session/metric_history.hpp"

namespace kvscope::figure {

struct RunTable {
    std::vector<std::string> numeric_names;
    std::vector<std::vector<double>> numeric;  ///< [column][row]
    std::vector<std::string> text_names;
    std::vector<std::vector<std::string>> text;  ///< [column][row]
    /// Per row: the instance, unique across every run in the table (a second run's instances
    /// are numbered after the first's).
    std::vector<int> instance;

    std::size_t rows() const { return instance.size(); }
    /// Index of a column, or -1.
    int numeric_column(std::string_view name) const;
    int text_column(std::string_view name) const;
    /// Adds a column (filled with NaN or "") and returns its index.
    int add_numeric(const std::string& name);
    int add_text(const std::string& name);
    /// Cell of a numeric column (NaN when the column is -1).
    double number(int column, std::size_t row) const;
    /// Cell of a text column ("" when the column is -1).
    const std::string& cell(int column, std::size_t row) const;
};

/// The explorer's history as a table (the columns of metrics.csv but the timing ones). The
/// `instance` of each row is the row's own.
RunTable table_from_rows(std::span<const MetricRow> rows);

/// A metrics.csv text as a table. `run` is stored in a text column "run" on every row; the
/// rows' instances are offset by `instance_offset`; in a source sweep's CSV (a non-empty
/// "source_params" cell) each (source_params, instance) pair becomes an instance of its own. Throws
/// std::invalid_argument with one line "origin:LINE: ..." when the text is not a CSV with an
/// "instance" column, a row has the wrong number of fields, or a cell of the instance column or of
/// a metric column kvscope writes as a number (eps_fro, memory_floats, ...) is not a number (the
/// message names the column).
RunTable table_from_csv(const std::string& csv, const std::string& origin, const std::string& run,
                        int instance_offset);

/// Splits a source_params cell ("layer=1;head=3") into its keys and values, and adds each key
/// whose values are numbers on every row that names it as a numeric column of its own ("layer",
/// "head"; NaN on rows without it), unless the table has a column of that name already. So a
/// plot can put a source parameter on its x axis or facet by it.
void add_source_param_columns(RunTable& table);

/// The rows `rows` of `table`, every column kept.
RunTable table_rows(const RunTable& table, const std::vector<std::size_t>& rows);

/// Appends `more` to `into` (columns are the union; missing cells NaN or "").
void append_table(RunTable& into, const RunTable& more);

/// Splits one CSV line into fields (RFC 4180 quotes). `line` must not contain a newline outside
/// quotes.
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace kvscope::figure
