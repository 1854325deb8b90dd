#include "io/safetensors.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/byte_source.hpp"
#include "io/float_codec.hpp"
#include "io/input_file.hpp"
#include "io/json_text.hpp"

namespace kvscope {

namespace {

constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{64} << 20;
constexpr const char* kSupported = "supported: F16, BF16, F32, F64";

std::optional<StoredFloat> float_type(const std::string& dtype) {
    if (dtype == "F16") return StoredFloat::F16;
    if (dtype == "BF16") return StoredFloat::BF16;
    if (dtype == "F32") return StoredFloat::F32;
    if (dtype == "F64") return StoredFloat::F64;
    return std::nullopt;
}

// Element sizes of every dtype the format defines, so offsets of tensors we cannot convert are
// still checked. 0: unknown dtype.
std::uint64_t dtype_size(const std::string& dtype) {
    if (dtype == "BOOL" || dtype == "U8" || dtype == "I8" || dtype == "F8_E4M3" ||
        dtype == "F8_E5M2")
        return 1;
    if (dtype == "I16" || dtype == "U16" || dtype == "F16" || dtype == "BF16") return 2;
    if (dtype == "I32" || dtype == "U32" || dtype == "F32") return 4;
    if (dtype == "I64" || dtype == "U64" || dtype == "F64") return 8;
    return 0;
}

struct Parsed {
    std::vector<SafetensorsEntry> entries;
    std::uint64_t data_start = 0;
};

Parsed parse_header(ByteSource& source) {
    const std::uint64_t size = source.size();
    if (size < 8) {
        source.fail("truncated file: " + std::to_string(size) +
                    " bytes cannot hold the 8-byte safetensors header length");
    }
    const Bytes length_field = source.read_bytes(0, 8, "header length");
    const std::uint64_t length = load_le64(length_field.data());
    if (length > kMaxHeaderBytes || length > size - 8) {
        source.fail(absurd_header_message(length, size - 8));
    }
    if (length < 2) source.fail("bad header: length " + std::to_string(length) + " is too short");
    const Bytes text = source.read_bytes(8, static_cast<std::size_t>(length), "header");
    if (text[0] != '{') source.fail("bad magic: the header does not start with '{'");
    // Bounded parse: depth and number range checked before nlohmann recurses.
    const nlohmann::json header =
        parse_json_text(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
                        source.where() + ": bad header", "invalid JSON");
    if (!header.is_object()) source.fail("bad header: not a JSON object");

    Parsed out;
    out.data_start = 8 + length;
    const std::uint64_t data_size = size - out.data_start;
    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") continue;
        const std::string label = "tensor '" + printable(name, 80) + "'";
        if (!value.is_object()) source.fail("bad header: " + label + " is not an object");
        SafetensorsEntry entry;
        entry.name = name;
        const auto dtype = value.find("dtype");
        const auto shape = value.find("shape");
        const auto offsets = value.find("data_offsets");
        if (dtype == value.end() || !dtype->is_string()) {
            source.fail("bad header: " + label + " has no string 'dtype'");
        }
        entry.dtype = dtype->get<std::string>();
        if (shape == value.end() || !shape->is_array()) {
            source.fail("bad header: " + label + " has no 'shape' array");
        }
        for (const auto& d : *shape) {
            if (!d.is_number_unsigned()) {
                source.fail("bad header: " + label + " shape must hold non-negative integers");
            }
            entry.shape.push_back(static_cast<Index>(
                std::min<std::uint64_t>(d.get<std::uint64_t>(), std::uint64_t{1} << 62)));
        }
        if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
            !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
            source.fail("bad header: " + label + " needs 'data_offsets' [begin, end]");
        }
        entry.begin = (*offsets)[0].get<std::uint64_t>();
        entry.end = (*offsets)[1].get<std::uint64_t>();
        if (entry.begin > entry.end) {
            source.fail("bad header: " + label + " data_offsets [" + std::to_string(entry.begin) +
                        ", " + std::to_string(entry.end) + "] are reversed");
        }
        if (entry.end > data_size) {
            source.fail("truncated file: " + label + " data_offsets [" +
                        std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                        "] pass the end of the " + std::to_string(data_size) +
                        "-byte data section");
        }
        const Index count = shape_product(entry.shape, source.where() + ": " + label);
        if (const std::uint64_t item = dtype_size(entry.dtype); item != 0) {
            const auto ucount = static_cast<std::uint64_t>(count);
            if (ucount > data_size / item || ucount * item != entry.end - entry.begin) {
                source.fail(
                    "shape/data size mismatch: " + label + " shape " +
                    shape_to_string(entry.shape) + " of " + printable(entry.dtype, 40) + " needs " +
                    (ucount > data_size / item ? std::string("more")
                                               : std::to_string(ucount * item)) +
                    " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
            }
        }
        out.entries.push_back(std::move(entry));
    }
    std::sort(out.entries.begin(), out.entries.end(), [](const auto& a, const auto& b) {
        return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
    });
    for (std::size_t i = 1; i < out.entries.size(); ++i) {
        const auto& prev = out.entries[i - 1];
        const auto& cur = out.entries[i];
        if (cur.begin < prev.end) {
            source.fail("bad header: tensors '" + printable(prev.name, 80) + "' and '" +
                        printable(cur.name, 80) + "' overlap in the data section");
        }
    }
    std::sort(out.entries.begin(), out.entries.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

}  // namespace

std::vector<SafetensorsEntry> list_safetensors(const std::string& path) {
    FileByteSource source(path);
    return parse_header(source).entries;
}

ArrayBlock parse_safetensors_block(ByteSource& source, const std::string& name,
                                   const BlockSelector& select) {
    const Parsed parsed = parse_header(source);
    const SafetensorsEntry* found = nullptr;
    for (const auto& e : parsed.entries) {
        if (e.name == name) found = &e;
    }
    if (!found) {
        std::vector<std::string> names;
        for (const auto& e : parsed.entries)
            names.push_back(e.name);
        source.fail("missing tensor '" + printable(name, 80) + "' (available: " + name_list(names) +
                    ")");
    }
    const auto type = float_type(found->dtype);
    if (!type) {
        source.fail("unsupported dtype '" + printable(found->dtype, 40) + "' of tensor '" +
                    printable(name, 80) + "' (" + kSupported + ")");
    }
    const Index count = shape_product(found->shape, source.where());
    if (count == 0) {
        source.fail("empty array: tensor '" + printable(name, 80) + "' has shape " +
                    shape_to_string(found->shape));
    }
    const auto [first, n] = select(found->shape);
    check_block({first, n}, count, source.where());
    ArrayBlock block;
    block.shape = found->shape;
    block.dtype = found->dtype;
    block.offset = first;
    block.data.resize(static_cast<std::size_t>(n));
    const auto item = static_cast<std::uint64_t>(stored_size(*type));
    read_floats(source, parsed.data_start + found->begin + static_cast<std::uint64_t>(first) * item,
                static_cast<std::uint64_t>(n), *type, block.data.data(),
                "tensor '" + printable(name, 80) + "' data");
    return block;
}

ArrayBlock read_safetensors_block(const std::string& path, const std::string& name,
                                  const BlockSelector& select) {
    FileByteSource source(path);
    return parse_safetensors_block(source, name, select);
}

NdArray read_safetensors(const std::string& path, const std::string& name) {
    ArrayBlock block = read_safetensors_block(path, name, whole_array);
    return NdArray{std::move(block.shape), std::move(block.data), std::move(block.dtype)};
}

void write_safetensors(const std::string& path, const std::vector<NamedArray>& tensors) {
    nlohmann::json header = nlohmann::json::object();
    Bytes data;
    std::set<std::string> names;
    for (const auto& t : tensors) {
        const std::string dtype = t.array.dtype.empty() ? "F32" : t.array.dtype;
        const auto type = float_type(dtype);
        if (!type) {
            throw std::invalid_argument("write_safetensors: unsupported dtype '" + dtype + "' (" +
                                        kSupported + ")");
        }
        if (t.name == "__metadata__" || !names.insert(t.name).second) {
            throw std::invalid_argument("write_safetensors: duplicate or reserved name '" + t.name +
                                        "'");
        }
        const Index count = shape_product(t.array.shape, "write_safetensors");
        if (static_cast<std::size_t>(count) != t.array.data.size()) {
            throw std::invalid_argument("write_safetensors: tensor '" + t.name + "' shape " +
                                        shape_to_string(t.array.shape) + " needs " +
                                        std::to_string(count) + " values, got " +
                                        std::to_string(t.array.data.size()));
        }
        const std::uint64_t begin = data.size();
        encode_floats(*type, t.array.data, data);
        header[t.name] = {{"dtype", dtype},
                          {"shape", t.array.shape},
                          {"data_offsets", {begin, static_cast<std::uint64_t>(data.size())}}};
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // align the data section to 8 bytes
    Bytes out;
    append_le64(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
    out.insert(out.end(), data.begin(), data.end());
    write_file_bytes(path, out);
}

}  // namespace kvscope
