#include "io/byte_source.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace kvscope {

static_assert(std::endian::native == std::endian::little,
              "the loaders copy little-endian data directly and need a little-endian host");

namespace {

std::string truncated_message(const std::string& what, std::uint64_t offset, std::uint64_t n,
                              std::uint64_t size) {
    return "truncated file: " + what + " needs bytes [" + std::to_string(offset) + ", " +
           std::to_string(offset + n) + ") but only " + std::to_string(size) +
           " bytes are available";
}

}  // namespace

Bytes ByteSource::read_bytes(std::uint64_t offset, std::size_t n, const std::string& what) {
    require(offset, n, what);
    Bytes out(n);
    if (n > 0) read(offset, out.data(), n, what);
    return out;
}

void ByteSource::fail(const std::string& problem) const {
    throw std::invalid_argument(where() + ": " + problem);
}

void ByteSource::require(std::uint64_t offset, std::uint64_t n, const std::string& what) const {
    const std::uint64_t total = size();
    if (offset > total || n > total - offset) fail(truncated_message(what, offset, n, total));
}

void FileByteSource::read(std::uint64_t offset, void* out, std::size_t n, const std::string& what) {
    require(offset, n, what);
    if (n == 0) return;
    if (!file_.read_at(offset, out, n))
        fail("read error in " + what + " (file changed or unreadable)");
}

void MemoryByteSource::read(std::uint64_t offset, void* out, std::size_t n,
                            const std::string& what) {
    require(offset, n, what);
    if (n > 0) std::memcpy(out, bytes_.data() + offset, n);
}

std::string absurd_header_message(std::uint64_t length, std::uint64_t available) {
    constexpr std::uint64_t kLimit = std::uint64_t{64} << 20;
    std::string reasons;
    if (length > kLimit) reasons = "over the 64 MiB limit";
    if (length > available) {
        if (!reasons.empty()) reasons += "; ";
        reasons +=
            "only " + std::to_string(available) + " bytes follow the length field: truncated file?";
    }
    return "absurd header length " + std::to_string(length) + " (" + reasons + ")";
}

std::uint16_t load_le16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t load_le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint64_t load_le64(const std::uint8_t* p) {
    return static_cast<std::uint64_t>(load_le32(p)) |
           (static_cast<std::uint64_t>(load_le32(p + 4)) << 32);
}

void append_le16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void append_le32(Bytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
}

void append_le64(Bytes& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
}

void write_file_bytes(const std::string& path, std::span<const std::uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::invalid_argument(path + ": cannot open file for writing");
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::invalid_argument(path + ": write failed");
}

}  // namespace kvscope
