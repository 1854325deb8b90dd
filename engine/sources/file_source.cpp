#include "sources/file_source.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include "core/random.hpp"
#include "io/array_file.hpp"
#include "io/sha256.hpp"

namespace kvscope {

namespace {

// Where a tensor came from, for messages: "<path>: keys tensor 'k'".
struct TensorLabel {
    std::string path;
    std::string role;    // keys, values, queries
    std::string tensor;  // member name, "" for single-array formats

    std::string describe() const {
        return path + ": " + role + (tensor.empty() ? "" : " tensor '" + tensor + "'");
    }
};

std::string describe_selection(std::size_t rank, Index layer, Index head) {
    if (rank == 4)
        return " (layer " + std::to_string(layer) + ", head " + std::to_string(head) + ")";
    if (rank == 3) return " (head " + std::to_string(head) + ")";
    return "";
}

// The block holding the [tokens x dim] slice of a 2-D, 3-D or 4-D array: contiguous in C order,
// so loaders read only it.
std::pair<Index, Index> token_block(const std::vector<Index>& s, const TensorLabel& label,
                                    Index layer, Index head) {
    const std::string shape = shape_to_string(s);
    Index offset = 0;
    if (s.size() == 3) {
        if (head >= s[0]) {
            throw std::invalid_argument(
                label.describe() + " of shape " + shape + " [heads, tokens, dim] has no head " +
                std::to_string(head) + " (heads 0.." + std::to_string(s[0] - 1) + ")");
        }
        offset = head * s[1] * s[2];
    } else if (s.size() == 4) {
        if (layer >= s[0]) {
            throw std::invalid_argument(label.describe() + " of shape " + shape +
                                        " [layers, heads, tokens, head_dim] has no layer " +
                                        std::to_string(layer) + " (layers 0.." +
                                        std::to_string(s[0] - 1) + ")");
        }
        if (head >= s[1]) {
            throw std::invalid_argument(label.describe() + " of shape " + shape +
                                        " [layers, heads, tokens, head_dim] has no head " +
                                        std::to_string(head) + " (heads 0.." +
                                        std::to_string(s[1] - 1) + ")");
        }
        offset = (layer * s[1] + head) * s[2] * s[3];
    } else if (s.size() != 2) {
        throw std::invalid_argument(label.describe() + " has shape " + shape + " (rank " +
                                    std::to_string(s.size()) +
                                    "); expected 2-D [tokens, dim], 3-D [heads, tokens, dim] or "
                                    "4-D [layers, heads, tokens, head_dim]");
    }
    const Index dim = s[s.size() - 1];
    if (dim > (1 << 24)) {
        throw std::invalid_argument(label.describe() + " of shape " + shape +
                                    ": absurd dimension " + std::to_string(dim));
    }
    return {offset, s[s.size() - 2] * dim};
}

// Loads the selected [tokens x dim] slice and rejects non-finite values.
Matrix load_role(const std::string& path, const std::string& role, const std::string& tensor,
                 Index layer, Index head, std::vector<Index>* shape_out) {
    const ArrayFormat format = array_format_of(path);
    const TensorLabel label{path, role, has_named_members(format) ? tensor : ""};
    const ArrayBlock block = load_array_block(path, tensor, [&](const std::vector<Index>& shape) {
        return token_block(shape, label, layer, head);
    });
    const auto& s = block.shape;
    *shape_out = s;
    const Index tokens = s[s.size() - 2];
    const Index dim = s[s.size() - 1];
    Matrix m(tokens, dim);
    std::copy_n(block.data.data(), tokens * dim, m.data());

    Index bad = 0;
    Index first = -1;
    for (Index i = 0; i < m.size(); ++i) {
        if (!std::isfinite(m.data()[i])) {
            if (bad == 0) first = i;
            ++bad;
        }
    }
    if (bad > 0) {
        throw std::invalid_argument(label.describe() + describe_selection(s.size(), layer, head) +
                                    " has " + std::to_string(bad) + " non-finite value" +
                                    (bad == 1 ? "" : "s") + " (NaN or inf); first at token " +
                                    std::to_string(first / dim) + ", column " +
                                    std::to_string(first % dim));
    }
    return m;
}

double median_row_norm(const Matrix& m) {
    std::vector<double> norms(static_cast<std::size_t>(m.rows()));
    for (Index r = 0; r < m.rows(); ++r)
        norms[static_cast<std::size_t>(r)] = m.row(r).cast<double>().norm();
    const std::size_t n = norms.size();
    std::sort(norms.begin(), norms.end());
    return n % 2 == 1 ? norms[n / 2] : 0.5 * (norms[n / 2 - 1] + norms[n / 2]);
}

void fill_random_directions(Matrix& out, double radius, std::uint64_t seed) {
    Rng rng(seed);
    for (Index r = 0; r < out.rows(); ++r)
        out.row(r) = rng.on_sphere(out.cols(), radius).transpose();
}

}  // namespace

FileSource::FileSource(const SourceContext& context) {
    const ParamSet& p = context.params;
    const std::string keys_path = p.text("keys");
    if (keys_path.empty()) {
        throw std::invalid_argument(
            "file source: parameter 'keys' is required (a .npy, .npz, .safetensors or .csv "
            "file)");
    }
    const std::string values_path = p.text("values").empty() ? keys_path : p.text("values");
    const std::string queries_path = p.text("queries");
    const Index layer = p.integer("layer");
    const Index head = p.integer("head");

    std::vector<Index> key_shape, value_shape, query_shape;
    keys_ = load_role(keys_path, "keys", p.text("keys_tensor"), layer, head, &key_shape);
    values_ = load_role(values_path, "values", p.text("values_tensor"), layer, head, &value_shape);
    if (values_.rows() != keys_.rows()) {
        throw std::invalid_argument(keys_path + ": keys shape " + shape_to_string(key_shape) +
                                    " has " + std::to_string(keys_.rows()) +
                                    " tokens but values shape " + shape_to_string(value_shape) +
                                    " (" + values_path + ") has " + std::to_string(values_.rows()) +
                                    "; keys and values need the same token count");
    }
    median_key_norm_ = median_row_norm(keys_);
    if (!(median_key_norm_ > 0)) median_key_norm_ = 1.0;

    if (!queries_path.empty()) {
        Matrix loaded =
            load_role(queries_path, "queries", p.text("queries_tensor"), layer, head, &query_shape);
        const std::string given = queries_path + ": queries shape " + shape_to_string(query_shape) +
                                  " gives [" + std::to_string(loaded.rows()) + " x " +
                                  std::to_string(loaded.cols()) + "]";
        if (loaded.cols() != keys_.cols()) {
            throw std::invalid_argument(given + " but keys shape " + shape_to_string(key_shape) +
                                        " (" + keys_path + ") have dimension " +
                                        std::to_string(keys_.cols()) +
                                        "; queries need the keys' dimension");
        }
        const std::string role = p.text("queries_role");
        const bool per_token =
            role == "per_token" || (role == "auto" && loaded.rows() == keys_.rows());
        if (per_token && loaded.rows() != keys_.rows()) {
            throw std::invalid_argument(given + " but keys shape " + shape_to_string(key_shape) +
                                        " (" + keys_path + ") have " +
                                        std::to_string(keys_.rows()) +
                                        " tokens; queries_role 'per_token' needs one query per "
                                        "token (use 'probes' or 'auto' for a probe set)");
        }
        if (loaded.rows() == 0) throw std::invalid_argument(given + ": the probe set is empty");
        if (per_token) {
            queries_ = std::move(loaded);
            has_query_file_ = true;
        } else {
            probe_set_ = std::move(loaded);
            has_probe_set_ = true;
        }
    }
    if (!has_query_file_) {
        queries_.resize(keys_.rows(), keys_.cols());
        fill_random_directions(queries_, median_key_norm_,
                               derive_seed(context.seed, "file_queries"));
    }

    for (const std::string& path : {keys_path, values_path, queries_path}) {
        if (path.empty()) continue;
        const bool seen = std::any_of(files_.begin(), files_.end(),
                                      [&](const InputFile& f) { return f.path == path; });
        if (seen) continue;
        const FileDigest digest = sha256_file(path);
        files_.push_back({path, digest.sha256, digest.bytes});
    }
}

TokenBatch FileSource::next(Index max_tokens) {
    if (max_tokens < 0) {
        throw std::invalid_argument("file source: next(" + std::to_string(max_tokens) +
                                    ") needs a non-negative token count");
    }
    const Index n = std::min(max_tokens, keys_.rows() - position_);
    TokenBatch b;
    b.first_position = position_;
    b.queries = queries_.middleRows(position_, n);
    b.keys = keys_.middleRows(position_, n);
    b.values = values_.middleRows(position_, n);
    position_ += n;
    return b;
}

Matrix FileSource::probe_queries(int count, std::uint64_t seed) const {
    if (count < 0) {
        throw std::invalid_argument("file source: probe count " + std::to_string(count) +
                                    " must be non-negative");
    }
    Matrix probes(count, keys_.cols());
    const std::uint64_t probe_seed = derive_seed(seed, "probe");
    if (has_probe_set_) return probes_from_set(count, probe_seed);
    if (!has_query_file_) {
        fill_random_directions(probes, median_key_norm_, probe_seed);
        return probes;
    }
    Rng rng(probe_seed);
    const Index tokens = queries_.rows();
    if (count <= tokens) {
        // Partial Fisher-Yates: `count` distinct rows.
        std::vector<Index> order(static_cast<std::size_t>(tokens));
        std::iota(order.begin(), order.end(), Index{0});
        for (int i = 0; i < count; ++i) {
            const Index j = i + rng.below(tokens - i);
            std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
            probes.row(i) = queries_.row(order[static_cast<std::size_t>(i)]);
        }
    } else {
        for (int i = 0; i < count; ++i)
            probes.row(i) = queries_.row(rng.below(tokens));
    }
    return probes;
}

// The whole probe set in file order when `count` covers it; otherwise `count` distinct rows drawn
// with the seed, kept in file order (so a smaller probe count is a subset of a larger one's
// candidates, and the rows read in the order the file lists them).
Matrix FileSource::probes_from_set(int count, std::uint64_t probe_seed) const {
    const Index m = probe_set_.rows();
    if (count >= m) return probe_set_;
    Rng rng(probe_seed);
    std::vector<Index> order(static_cast<std::size_t>(m));
    std::iota(order.begin(), order.end(), Index{0});
    for (int i = 0; i < count; ++i) {
        const Index j = i + rng.below(m - i);
        std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    }
    order.resize(static_cast<std::size_t>(count));
    std::sort(order.begin(), order.end());
    Matrix probes(count, probe_set_.cols());
    for (int i = 0; i < count; ++i)
        probes.row(i) = probe_set_.row(order[static_cast<std::size_t>(i)]);
    return probes;
}

namespace {

// The file beside `keys` whose name swaps the keys word for another role's ("values", "queries"),
// or "" when none exists. Tries "keys", then "key", then a stem that is just "k" or "K".
std::string sibling_file(const std::filesystem::path& keys, const std::string& plural,
                         const std::string& singular, char letter) {
    const std::string stem = keys.stem().string();
    std::vector<std::string> names;
    if (const auto at = stem.find("keys"); at != std::string::npos)
        names.push_back(std::string(stem).replace(at, 4, plural));
    if (const auto at = stem.find("key"); at != std::string::npos)
        names.push_back(std::string(stem).replace(at, 3, singular));
    if (stem == "k") names.emplace_back(1, letter);
    if (stem == "K") names.emplace_back(1, static_cast<char>(std::toupper(letter)));
    std::error_code ec;
    for (const std::string& name : names) {
        const auto candidate = keys.parent_path() / (name + keys.extension().string());
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
    }
    return "";
}

}  // namespace

DataFileOpening open_data_file(const std::string& path) {
    namespace fs = std::filesystem;
    DataFileOpening r;
    r.params = nlohmann::json{{"keys", path}};
    const std::string name = fs::path(path).filename().string();
    if (has_named_members(array_format_of(path))) {
        r.note = "streaming " + name +
                 ": keys and values from its 'keys' and 'values' tensors; queries are random "
                 "directions (a config's 'queries' can name a file or tensor)";
        return r;
    }
    const std::string values = sibling_file(path, "values", "value", 'v');
    const std::string queries = sibling_file(path, "queries", "query", 'q');
    if (!values.empty()) r.params["values"] = values;
    if (!queries.empty()) r.params["queries"] = queries;
    r.note = "streaming " + name + ": ";
    r.note += values.empty() ? "no values file beside it, so the values are the keys (V = K)"
                             : "values from " + fs::path(values).filename().string();
    r.note += queries.empty() ? "; queries are random directions at the median key norm"
                              : "; queries from " + fs::path(queries).filename().string();
    r.note += " (a config sets any of them: docs/loading_data.md)";
    return r;
}

SourceInfo file_source_info() {
    SourceInfo info;
    info.id = "file";
    info.name = "File (KV dump)";
    info.summary =
        "Keys, values and optional queries loaded from .npy, .npz, .safetensors or .csv; "
        "2-D [tokens, dim], 3-D [heads, tokens, dim] or 4-D [layers, heads, tokens, head_dim].";
    info.params = {
        ParamSpec::path("keys", "Keys file",
                        "File holding the keys (.npy, .npz, .safetensors, .csv)."),
        ParamSpec::path("values", "Values file",
                        "File holding the values; empty means the keys file."),
        ParamSpec::path("queries", "Queries file",
                        "Optional file of queries: one per token, or a probe set of any length "
                        "(see queries_role); empty means seeded random directions scaled to the "
                        "median key norm."),
        ParamSpec::choice("queries_role", "Queries role",
                          "per_token: one query per key, fed to the stream and sampled for the "
                          "probes; probes: the rows are the probe set (the stream gets random "
                          "directions); auto: per_token when the row count equals the keys'.",
                          {"auto", "per_token", "probes"}, "auto"),
        ParamSpec::text("keys_tensor", "Keys tensor",
                        "Tensor name inside an .npz or .safetensors file (ignored for .npy, .csv).",
                        "keys"),
        ParamSpec::text("values_tensor", "Values tensor",
                        "Tensor name inside an .npz or .safetensors file (ignored for .npy, .csv).",
                        "values"),
        ParamSpec::text("queries_tensor", "Queries tensor",
                        "Tensor name inside an .npz or .safetensors file (ignored for .npy, .csv).",
                        "queries"),
        ParamSpec::integer("layer", "Layer",
                           "Index on the first axis of 4-D arrays [layers, heads, tokens, dim].", 0,
                           1 << 20, 0),
        ParamSpec::integer("head", "Head",
                           "Head index: first axis of 3-D arrays, second axis of 4-D arrays.", 0,
                           1 << 20, 0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<FileSource>(c); };
    return info;
}

}  // namespace kvscope
