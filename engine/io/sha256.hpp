// SHA-256 (FIPS 180-4), written from the standard's description: used for InputFile::sha256 in
// run manifests. Streaming: feed any number of pieces, then finish once.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kvscope {

class Sha256 {
  public:
    Sha256();
    /// Absorbs `n` more bytes. Cost O(n).
    void update(const void* data, std::size_t n);
    void update(std::string_view text) { update(text.data(), text.size()); }
    /// Pads, returns the 32-byte digest and leaves the object finished (call reset() to reuse).
    std::array<std::uint8_t, 32> finish();
    /// The digest as 64 lowercase hex characters (finishes the object).
    std::string hex_digest();
    void reset();

  private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

/// SHA-256 of a byte string, as lowercase hex.
std::string sha256_hex(std::string_view bytes);

/// Result of hashing a file: lowercase hex digest and the number of bytes read.
struct FileDigest {
    std::string sha256;
    std::size_t bytes = 0;
};

/// Streams the file through SHA-256 (64 KiB at a time). Throws std::invalid_argument
/// "<path>: cannot open file for reading" or "<path>: read error". Cost O(file size).
FileDigest sha256_file(const std::string& path);

}  // namespace kvscope
