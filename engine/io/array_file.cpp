#include "io/array_file.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "io/csv.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"
#include "io/safetensors.hpp"

namespace kvscope {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ArrayFormat array_format_of(const std::string& path) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ends_with(lower, ".npy")) return ArrayFormat::Npy;
    if (ends_with(lower, ".npz")) return ArrayFormat::Npz;
    if (ends_with(lower, ".safetensors")) return ArrayFormat::Safetensors;
    if (ends_with(lower, ".csv")) return ArrayFormat::Csv;
    throw std::invalid_argument(path +
                                ": unsupported file extension (supported: .npy, .npz, "
                                ".safetensors, .csv)");
}

bool has_named_members(ArrayFormat format) {
    return format == ArrayFormat::Npz || format == ArrayFormat::Safetensors;
}

NdArray load_array(const std::string& path, const std::string& tensor) {
    switch (array_format_of(path)) {
        case ArrayFormat::Npy:
            return read_npy(path);
        case ArrayFormat::Npz:
            return read_npz(path, tensor);
        case ArrayFormat::Safetensors:
            return read_safetensors(path, tensor);
        case ArrayFormat::Csv:
            return read_csv(path);
    }
    throw std::logic_error("load_array: unknown format");
}

ArrayBlock load_array_block(const std::string& path, const std::string& tensor,
                            const BlockSelector& select) {
    switch (array_format_of(path)) {
        case ArrayFormat::Npy:
            return read_npy_block(path, select);
        case ArrayFormat::Npz:
            return read_npz_block(path, tensor, select);
        case ArrayFormat::Safetensors:
            return read_safetensors_block(path, tensor, select);
        case ArrayFormat::Csv: {
            NdArray all = read_csv(path);
            const auto [first, n] = select(all.shape);
            check_block({first, n}, all.element_count(), path);
            ArrayBlock block;
            block.shape = all.shape;
            block.dtype = all.dtype;
            block.offset = first;
            block.data.assign(all.data.begin() + first, all.data.begin() + first + n);
            return block;
        }
    }
    throw std::logic_error("load_array_block: unknown format");
}

std::vector<Index> load_array_shape(const std::string& path, const std::string& tensor) {
    return load_array_block(path, tensor,
                            [](const std::vector<Index>&) {
                                return std::pair<Index, Index>{0, 0};
                            })
        .shape;
}

}  // namespace kvscope
