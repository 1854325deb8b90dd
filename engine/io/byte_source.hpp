// Random-access byte input shared by the binary loaders (npy, npz, safetensors): a file read in
// pieces, or a buffer already in memory (an npz member). Reads past the end throw
// std::invalid_argument "<where>: truncated file: ...", so a loader never reads garbage.
//
// Also the little-endian field helpers and a whole-file writer used by the writers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/input_file.hpp"

namespace kvscope {

using Bytes = std::vector<std::uint8_t>;

class ByteSource {
  public:
    virtual ~ByteSource() = default;
    /// Total bytes available.
    virtual std::uint64_t size() const = 0;
    /// Copies bytes [offset, offset + n) into `out`; throws "<where>: truncated file: <what> ..."
    /// when the range passes the end.
    virtual void read(std::uint64_t offset, void* out, std::size_t n, const std::string& what) = 0;
    /// Prefix of every message: the file path (and the member, for archives).
    virtual const std::string& where() const = 0;

    /// Convenience: the bytes [offset, offset + n) as a vector.
    Bytes read_bytes(std::uint64_t offset, std::size_t n, const std::string& what);
    /// Throws std::invalid_argument("<where>: <problem>").
    [[noreturn]] void fail(const std::string& problem) const;
    /// Throws unless [offset, offset + n) lies inside the source.
    void require(std::uint64_t offset, std::uint64_t n, const std::string& what) const;
};

/// A regular file opened for reading (see RegularFile: a directory, fifo or device is refused
/// with what it is); throws "<path>: cannot open file for reading (...)" when it cannot be opened.
class FileByteSource final : public ByteSource {
  public:
    explicit FileByteSource(const std::string& path) : file_(path), where_(printable(path)) {}
    std::uint64_t size() const override { return file_.size(); }
    void read(std::uint64_t offset, void* out, std::size_t n, const std::string& what) override;
    const std::string& where() const override { return where_; }

  private:
    RegularFile file_;
    std::string where_;
};

/// A view of bytes in memory (not owned), reported as `where` in messages.
class MemoryByteSource final : public ByteSource {
  public:
    MemoryByteSource(std::span<const std::uint8_t> bytes, std::string where)
        : bytes_(bytes), where_(std::move(where)) {}
    std::uint64_t size() const override { return bytes_.size(); }
    void read(std::uint64_t offset, void* out, std::size_t n, const std::string& what) override;
    const std::string& where() const override { return where_; }

  private:
    std::span<const std::uint8_t> bytes_;
    std::string where_;
};

/// "absurd header length N (...)" for a header longer than the `available` bytes after its
/// length field (then also "truncated file?") or longer than the 64 MiB limit.
std::string absurd_header_message(std::uint64_t length, std::uint64_t available);

std::uint16_t load_le16(const std::uint8_t* p);
std::uint32_t load_le32(const std::uint8_t* p);
std::uint64_t load_le64(const std::uint8_t* p);
void append_le16(Bytes& out, std::uint16_t v);
void append_le32(Bytes& out, std::uint32_t v);
void append_le64(Bytes& out, std::uint64_t v);

/// Writes `bytes` to `path` (replacing it); throws std::invalid_argument "<path>: cannot write".
void write_file_bytes(const std::string& path, std::span<const std::uint8_t> bytes);

}  // namespace kvscope
