#include "io/npy.hpp"

#include <cctype>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "io/float_codec.hpp"
#include "io/input_file.hpp"

namespace kvscope {

namespace {

constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{64} << 20;
constexpr const char* kSupported = "supported: <f2, <f4, <f8";

struct NpyHeader {
    std::string descr;
    bool fortran_order = false;
    std::vector<Index> shape;
};

// A parser for the one Python literal numpy writes: a dict with 'descr' (a string),
// 'fortran_order' (True/False) and 'shape' (a tuple of ints).
class HeaderParser {
  public:
    HeaderParser(std::string_view text, ByteSource& source) : text_(text), source_(source) {}

    NpyHeader parse() {
        NpyHeader h;
        bool have_descr = false, have_order = false, have_shape = false;
        skip_space();
        expect('{');
        while (true) {
            skip_space();
            if (peek() == '}') {
                ++pos_;
                break;
            }
            const std::string key = parse_string();
            skip_space();
            expect(':');
            skip_space();
            if (key == "descr") {
                if (peek() != '\'' && peek() != '"') {
                    source_.fail(
                        std::string("unsupported dtype: structured or non-string descr (") +
                        kSupported + ")");
                }
                h.descr = parse_string();
                have_descr = true;
            } else if (key == "fortran_order") {
                const std::string word = parse_word();
                if (word == "True") {
                    h.fortran_order = true;
                } else if (word == "False") {
                    h.fortran_order = false;
                } else {
                    bad("fortran_order must be True or False, got '" + printable(word, 40) + "'");
                }
                have_order = true;
            } else if (key == "shape") {
                h.shape = parse_shape();
                have_shape = true;
            } else {
                bad("unexpected key '" + printable(key, 60) + "'");
            }
            skip_space();
            if (peek() == ',') {
                ++pos_;
            } else if (peek() != '}') {
                bad("expected ',' or '}' at offset " + std::to_string(pos_));
            }
        }
        if (!have_descr) bad("missing 'descr'");
        if (!have_order) bad("missing 'fortran_order'");
        if (!have_shape) bad("missing 'shape'");
        return h;
    }

  private:
    [[noreturn]] void bad(const std::string& why) { source_.fail("bad npy header: " + why); }

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }

    void expect(char c) {
        if (peek() != c) {
            bad(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
        }
        ++pos_;
    }

    std::string parse_string() {
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            bad("expected a quoted string at offset " + std::to_string(pos_));
        ++pos_;
        const std::size_t end = text_.find(quote, pos_);
        if (end == std::string_view::npos) bad("unterminated string");
        std::string s(text_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return s;
    }

    std::string parse_word() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        return std::string(text_.substr(start, pos_ - start));
    }

    std::vector<Index> parse_shape() {
        std::vector<Index> shape;
        expect('(');
        while (true) {
            skip_space();
            if (peek() == ')') {
                ++pos_;
                return shape;
            }
            if (!std::isdigit(static_cast<unsigned char>(peek()))) {
                bad("shape must be a tuple of non-negative integers");
            }
            Index value = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                if (value > (Index{1} << 58)) bad("absurd dimension in shape");
                value = value * 10 + (peek() - '0');
                ++pos_;
            }
            if (peek() == 'L') ++pos_;  // Python 2 long literal
            shape.push_back(value);
            skip_space();
            if (peek() == ',') {
                ++pos_;
            } else if (peek() != ')') {
                bad("expected ',' or ')' in shape");
            }
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    ByteSource& source_;
};

// The element type of a descr, or a precise complaint.
StoredFloat parse_descr(const std::string& descr, ByteSource& source) {
    std::string_view d = descr;
    if (!d.empty() && d[0] == '>') {
        source.fail("big-endian dtype '" + printable(descr, 40) +
                    "' is not supported; save the array as little-endian (" + kSupported + ")");
    }
    if (!d.empty() && (d[0] == '<' || d[0] == '=')) d.remove_prefix(1);
    if (d == "f2") return StoredFloat::F16;
    if (d == "f4") return StoredFloat::F32;
    if (d == "f8") return StoredFloat::F64;
    source.fail("unsupported dtype '" + printable(descr, 40) + "' (" + kSupported + ")");
}

StoredFloat writer_type(const std::string& dtype) {
    if (dtype == "<f2" || dtype == "f2") return StoredFloat::F16;
    if (dtype == "<f4" || dtype == "f4") return StoredFloat::F32;
    if (dtype == "<f8" || dtype == "f8") return StoredFloat::F64;
    throw std::invalid_argument("write_npy: unsupported dtype '" + dtype + "' (" + kSupported +
                                ")");
}

}  // namespace

ArrayBlock parse_npy_block(ByteSource& source, const BlockSelector& select) {
    static constexpr std::uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (source.size() < 8) {
        source.fail("truncated file: " + std::to_string(source.size()) +
                    " bytes is too short for an npy preamble (magic and version)");
    }
    const Bytes lead = source.read_bytes(0, 8, "npy magic");
    if (std::memcmp(lead.data(), kMagic, 6) != 0) {
        source.fail("bad magic: not an npy file (expected \\x93NUMPY)");
    }
    const int major = lead[6];
    const int minor = lead[7];
    if (major < 1 || major > 3 || minor != 0) {
        source.fail("unsupported npy format version " + std::to_string(major) + "." +
                    std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
    }
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    const Bytes length_field = source.read_bytes(8, length_bytes, "npy header length");
    const std::uint64_t header_length =
        major == 1 ? load_le16(length_field.data()) : load_le32(length_field.data());
    const std::uint64_t header_start = 8 + length_bytes;
    if (header_length > kMaxHeaderBytes || header_length > source.size() - header_start) {
        source.fail(absurd_header_message(header_length, source.size() - header_start));
    }
    const Bytes header_bytes =
        source.read_bytes(header_start, static_cast<std::size_t>(header_length), "npy header");
    const std::string_view header_text(reinterpret_cast<const char*>(header_bytes.data()),
                                       header_bytes.size());
    HeaderParser parser(header_text, source);
    const NpyHeader header = parser.parse();

    if (header.fortran_order) {
        source.fail(
            "fortran_order True is not supported: save the array in C order "
            "(numpy.ascontiguousarray)");
    }
    const StoredFloat type = parse_descr(header.descr, source);
    const Index count = shape_product(header.shape, source.where());
    if (count == 0) {
        source.fail("empty array (shape " + shape_to_string(header.shape) + ")");
    }
    const std::uint64_t data_start = header_start + header_length;
    const std::uint64_t item = static_cast<std::uint64_t>(stored_size(type));
    const std::uint64_t available = source.size() - data_start;
    const auto ucount = static_cast<std::uint64_t>(count);
    if (ucount > available / item || ucount * item != available) {
        const bool short_data = ucount > available / item;
        const std::string needed = ucount > UINT64_MAX / item ? std::string("more than 2^64")
                                                              : std::to_string(ucount * item);
        source.fail(std::string(short_data ? "truncated file" : "shape/data size mismatch") +
                    ": shape " + shape_to_string(header.shape) + " of " +
                    printable(header.descr, 40) + " needs " + needed +
                    " data bytes but the file has " + std::to_string(available));
    }

    const auto [first, n] = select(header.shape);
    check_block({first, n}, count, source.where());
    ArrayBlock block;
    block.shape = header.shape;
    block.dtype = header.descr;
    block.offset = first;
    block.data.resize(static_cast<std::size_t>(n));
    read_floats(source, data_start + static_cast<std::uint64_t>(first) * item,
                static_cast<std::uint64_t>(n), type, block.data.data(), "npy data");
    return block;
}

NdArray parse_npy(ByteSource& source) {
    ArrayBlock block = parse_npy_block(source, whole_array);
    return NdArray{std::move(block.shape), std::move(block.data), std::move(block.dtype)};
}

NdArray read_npy(const std::string& path) {
    FileByteSource source(path);
    return parse_npy(source);
}

ArrayBlock read_npy_block(const std::string& path, const BlockSelector& select) {
    FileByteSource source(path);
    return parse_npy_block(source, select);
}

Bytes encode_npy(const std::vector<Index>& shape, std::span<const float> data,
                 const std::string& dtype, int version) {
    const StoredFloat type = writer_type(dtype);
    if (version < 1 || version > 3) {
        throw std::invalid_argument("write_npy: version " + std::to_string(version) +
                                    " (supported: 1, 2, 3)");
    }
    const Index count = shape_product(shape, "write_npy");
    if (static_cast<std::size_t>(count) != data.size()) {
        throw std::invalid_argument("write_npy: shape " + shape_to_string(shape) + " needs " +
                                    std::to_string(count) + " values, got " +
                                    std::to_string(data.size()));
    }
    std::string dict = "{'descr': '<" +
                       std::string(type == StoredFloat::F16   ? "f2"
                                   : type == StoredFloat::F32 ? "f4"
                                                              : "f8") +
                       "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        dict += std::to_string(shape[i]);
        dict += (shape.size() == 1 || i + 1 < shape.size()) ? ", " : "";
    }
    if (shape.size() == 1) dict.pop_back();  // "(5,)"
    dict += "), }";
    // numpy pads the header with spaces so the data starts on a 64-byte boundary, then '\n'.
    const std::size_t prefix = version == 1 ? 10 : 12;
    std::size_t total = prefix + dict.size() + 1;
    const std::size_t padded = (total + 63) / 64 * 64;
    dict.append(padded - total, ' ');
    dict += '\n';
    if (version == 1 && dict.size() > 0xffff) {
        throw std::invalid_argument("write_npy: header of " + std::to_string(dict.size()) +
                                    " bytes needs format version 2");
    }

    Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(version), 0};
    if (version == 1) {
        append_le16(out, static_cast<std::uint16_t>(dict.size()));
    } else {
        append_le32(out, static_cast<std::uint32_t>(dict.size()));
    }
    out.insert(out.end(), dict.begin(), dict.end());
    encode_floats(type, data, out);
    return out;
}

void write_npy(const std::string& path, const std::vector<Index>& shape,
               std::span<const float> data, const std::string& dtype, int version) {
    write_file_bytes(path, encode_npy(shape, data, dtype, version));
}

}  // namespace kvscope
