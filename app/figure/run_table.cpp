#include "figure/run_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace kvscope::figure {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool parse_number(const std::string& s, double& out) {
    if (s.empty() || s == "nan" || s == "NaN" || s == "-nan") {
        out = kNaN;
        return true;
    }
    if (s == "inf") return out = INFINITY, true;
    if (s == "-inf") return out = -INFINITY, true;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (*b == '+') ++b;
    const auto r = std::from_chars(b, e, out);
    return r.ec == std::errc() && r.ptr == e;
}

// Lines of a CSV text with their 1-based line numbers; a newline inside quotes stays in its
// line, blank lines are skipped (but still counted, so messages name the line an editor shows).
std::vector<std::pair<std::size_t, std::string>> csv_lines(const std::string& text) {
    std::vector<std::pair<std::size_t, std::string>> lines;
    std::string cur;
    bool quoted = false;
    std::size_t line = 1, start = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') quoted = !quoted;
        if (c == '\n') ++line;
        if (!quoted && (c == '\n' || c == '\r')) {
            if (!cur.empty()) lines.emplace_back(start, cur);
            cur.clear();
            start = line;
            continue;
        }
        cur += c;
    }
    if (!cur.empty()) lines.emplace_back(start, cur);
    return lines;
}

// The columns kvscope writes as numbers: a cell there that is not a number is an error (a
// column a newer CSV adds is numeric only when every cell is).
bool known_numeric(const std::string& name) {
    static const char* const names[] = {
        "seed",        "tokens_seen",  "retained_tokens", "memory_floats", "memory_bytes",
        "compression", "rel_err_mean", "rel_err_max",     "eps_fro",       "eps_op",
        "num_err",     "den_err",      "mass_recall",     "update_us",     "query_us"};
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

std::string where(const std::string& origin, std::size_t line) {
    return origin + ":" + std::to_string(line);
}

}  // namespace

int RunTable::numeric_column(std::string_view name) const {
    for (std::size_t i = 0; i < numeric_names.size(); ++i)
        if (numeric_names[i] == name) return static_cast<int>(i);
    return -1;
}

int RunTable::text_column(std::string_view name) const {
    for (std::size_t i = 0; i < text_names.size(); ++i)
        if (text_names[i] == name) return static_cast<int>(i);
    return -1;
}

int RunTable::add_numeric(const std::string& name) {
    numeric_names.push_back(name);
    numeric.emplace_back(rows(), kNaN);
    return static_cast<int>(numeric_names.size()) - 1;
}

int RunTable::add_text(const std::string& name) {
    text_names.push_back(name);
    text.emplace_back(rows(), std::string());
    return static_cast<int>(text_names.size()) - 1;
}

double RunTable::number(int column, std::size_t row) const {
    return column < 0 ? kNaN : numeric[static_cast<std::size_t>(column)][row];
}

const std::string& RunTable::cell(int column, std::size_t row) const {
    static const std::string empty;
    return column < 0 ? empty : text[static_cast<std::size_t>(column)][row];
}

RunTable table_from_rows(std::span<const MetricRow> rows) {
    RunTable t;
    t.numeric_names = {"tokens_seen", "retained_tokens", "memory_floats", "memory_bytes",
                       "compression", "rel_err_mean",    "rel_err_max",   "eps_fro",
                       "eps_op",      "num_err",         "den_err",       "mass_recall",
                       "seed"};
    t.text_names = {"sketch", "label", "params", "source_params"};
    t.numeric.assign(t.numeric_names.size(), std::vector<double>(rows.size()));
    t.text.assign(t.text_names.size(), std::vector<std::string>(rows.size()));
    t.instance.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const MetricRow& r = rows[i];
        const double v[] = {static_cast<double>(r.tokens_seen),
                            static_cast<double>(r.retained_tokens),
                            r.memory_floats,
                            r.memory_bytes,
                            r.compression,
                            r.errors.rel_err_mean,
                            r.errors.rel_err_max,
                            r.errors.eps_fro,
                            r.errors.eps_op,
                            r.errors.num_err,
                            r.errors.den_err,
                            r.mass_recall,
                            static_cast<double>(r.seed)};
        for (std::size_t c = 0; c < t.numeric.size(); ++c)
            t.numeric[c][i] = v[c];
        t.text[0][i] = r.sketch;
        t.text[1][i] = r.label;
        t.text[2][i] = r.params;
        t.text[3][i] = r.source_params;
        t.instance[i] = r.instance;
    }
    return t;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

RunTable table_from_csv(const std::string& csv, const std::string& origin, const std::string& run,
                        int instance_offset) {
    const auto lines = csv_lines(csv);
    if (lines.empty()) throw std::invalid_argument(origin + ": empty CSV (no header line)");
    const std::vector<std::string> header = split_csv_line(lines[0].second);
    const auto inst_col = std::find(header.begin(), header.end(), "instance");
    if (inst_col == header.end())
        throw std::invalid_argument(where(origin, lines[0].first) +
                                    ": not a kvscope metrics CSV (no 'instance' column)");
    std::vector<std::vector<std::string>> cells;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        cells.push_back(split_csv_line(lines[i].second));
        if (cells.back().size() != header.size()) {
            throw std::invalid_argument(
                where(origin, lines[i].first) + ": " + std::to_string(cells.back().size()) +
                " fields, but the header has " + std::to_string(header.size()));
        }
    }
    const auto bad_cell = [&](std::size_t r, std::size_t c) {
        return std::invalid_argument(where(origin, lines[r + 1].first) + ": column " +
                                     std::to_string(c + 1) + " '" + header[c] + "': '" +
                                     cells[r][c] + "' is not a number");
    };
    RunTable t;
    t.instance.resize(cells.size());
    const auto ic = static_cast<std::size_t>(inst_col - header.begin());
    // A source sweep numbers the sketches 0.. again for every source instance: a series is one
    // (source_params, instance) pair, numbered in order of first appearance.
    // (Without a sweep the instances stay as written.)
    const auto spc = static_cast<std::size_t>(
        std::find(header.begin(), header.end(), "source_params") - header.begin());
    const bool swept =
        spc < header.size() && std::any_of(cells.begin(), cells.end(),
                                           [spc](const auto& row) { return !row[spc].empty(); });
    std::map<std::pair<std::string, int>, int> series;
    for (std::size_t r = 0; r < cells.size(); ++r) {
        double v = 0;
        if (!parse_number(cells[r][ic], v) || !std::isfinite(v)) throw bad_cell(r, ic);
        t.instance[r] = static_cast<int>(v) + instance_offset;
        if (!swept) continue;
        const std::string& sp = cells[r][spc];
        const auto [it, added] = series.try_emplace({sp, t.instance[r]}, 0);
        if (added) it->second = static_cast<int>(series.size()) - 1 + instance_offset;
        t.instance[r] = it->second;
    }
    // sketch, label, params and source_params are always text; kvscope's metric columns always
    // numbers.
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (c == ic) continue;
        const std::string& name = header[c];
        const bool must = known_numeric(name);
        bool numeric =
            name != "sketch" && name != "label" && name != "params" && name != "source_params";
        std::vector<double> values(cells.size());
        for (std::size_t r = 0; r < cells.size() && numeric; ++r) {
            numeric = parse_number(cells[r][c], values[r]);
            if (!numeric && must) throw bad_cell(r, c);
        }
        if (numeric) {
            t.numeric_names.push_back(name);
            t.numeric.push_back(std::move(values));
        } else {
            t.text_names.push_back(name);
            std::vector<std::string> col(cells.size());
            for (std::size_t r = 0; r < cells.size(); ++r)
                col[r] = cells[r][c];
            t.text.push_back(std::move(col));
        }
    }
    const int run_col = t.text_column("run") >= 0 ? t.text_column("run") : t.add_text("run");
    for (auto& cell : t.text[static_cast<std::size_t>(run_col)])
        if (cell.empty()) cell = run;
    return t;
}

void append_table(RunTable& into, const RunTable& more) {
    const std::size_t before = into.rows();
    for (const auto& n : more.numeric_names)
        if (into.numeric_column(n) < 0) into.add_numeric(n);
    for (const auto& n : more.text_names)
        if (into.text_column(n) < 0) into.add_text(n);
    into.instance.insert(into.instance.end(), more.instance.begin(), more.instance.end());
    for (std::size_t c = 0; c < into.numeric_names.size(); ++c) {
        const int src = more.numeric_column(into.numeric_names[c]);
        auto& col = into.numeric[c];
        col.resize(before);
        for (std::size_t r = 0; r < more.rows(); ++r)
            col.push_back(more.number(src, r));
    }
    for (std::size_t c = 0; c < into.text_names.size(); ++c) {
        const int src = more.text_column(into.text_names[c]);
        auto& col = into.text[c];
        col.resize(before);
        for (std::size_t r = 0; r < more.rows(); ++r)
            col.push_back(more.cell(src, r));
    }
}

void add_source_param_columns(RunTable& table) {
    const int sp = table.text_column("source_params");
    if (sp < 0) return;
    std::vector<std::string> keys;
    std::vector<std::vector<std::pair<std::size_t, std::string>>> cells;  // per key: (row, value)
    for (std::size_t r = 0; r < table.rows(); ++r) {
        std::stringstream parts(table.cell(sp, r));
        std::string part;
        while (std::getline(parts, part, ';')) {
            const auto eq = part.find('=');
            if (eq == std::string::npos) continue;
            const std::string key = part.substr(0, eq);
            auto it = std::find(keys.begin(), keys.end(), key);
            if (it == keys.end()) {
                keys.push_back(key);
                cells.emplace_back();
                it = keys.end() - 1;
            }
            cells[static_cast<std::size_t>(it - keys.begin())].emplace_back(r, part.substr(eq + 1));
        }
    }
    for (std::size_t k = 0; k < keys.size(); ++k) {
        if (table.numeric_column(keys[k]) >= 0 || table.text_column(keys[k]) >= 0) continue;
        std::vector<double> values(cells[k].size());
        bool numeric = true;
        for (std::size_t i = 0; i < cells[k].size() && numeric; ++i)
            numeric = parse_number(cells[k][i].second, values[i]);
        if (!numeric) continue;
        const auto col = static_cast<std::size_t>(table.add_numeric(keys[k]));
        for (std::size_t i = 0; i < cells[k].size(); ++i)
            table.numeric[col][cells[k][i].first] = values[i];
    }
}

RunTable table_rows(const RunTable& table, const std::vector<std::size_t>& rows) {
    RunTable out;
    out.numeric_names = table.numeric_names;
    out.text_names = table.text_names;
    out.numeric.resize(table.numeric.size());
    out.text.resize(table.text.size());
    for (std::size_t r : rows) {
        out.instance.push_back(table.instance[r]);
        for (std::size_t c = 0; c < table.numeric.size(); ++c)
            out.numeric[c].push_back(table.numeric[c][r]);
        for (std::size_t c = 0; c < table.text.size(); ++c)
            out.text[c].push_back(table.text[c][r]);
    }
    return out;
}

}  // namespace kvscope::figure
