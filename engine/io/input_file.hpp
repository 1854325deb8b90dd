// Opening input files so that no input can hang or flood kvscope: every file it reads (configs,
// sessions, lessons, data arrays, files it hashes) must be a regular file, opened without
// blocking and with its size known before the first byte is read. A fifo, a device such as
// /dev/zero, a socket or a directory is refused with one line saying what it is, instead of
// waiting on a writer or reading forever. Text inputs are also capped in size.
//
// Also `printable`, which escapes names and fields taken from files (tensor and member names, CSV
// fields) so that every error message stays on one line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kvscope {

/// Most bytes a text input (a config, session or lesson file) may have: 16 MiB.
inline constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{16} << 20;

/// A regular file opened read-only (a POSIX descriptor, closed on destruction).
class RegularFile {
  public:
    /// Opens `path` without blocking and checks that it is a regular file. Throws
    /// std::invalid_argument "<path>: ..." naming what it is instead ("is a directory", "is a
    /// fifo, not a regular file", ...) or why it cannot be opened ("cannot open <what> for
    /// reading (No such file or directory)").
    explicit RegularFile(const std::string& path, const std::string& what = "file");
    ~RegularFile();
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;

    /// Size in bytes when opened.
    std::uint64_t size() const { return size_; }
    /// Reads exactly `n` bytes at `offset` into `out`; false on a short read or an I/O error.
    bool read_at(std::uint64_t offset, void* out, std::size_t n) const;
    const std::string& path() const { return path_; }

  private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::string path_;
};

/// The whole content of a regular file of at most `max_bytes` bytes. Throws
/// std::invalid_argument "<path>: <what> of N bytes is over the 16 MiB limit" (the limit in the
/// message is `max_bytes`), or as RegularFile does.
std::string read_text_file(const std::string& path, std::uint64_t max_bytes,
                           const std::string& what);

/// The whole content of a regular file of any size (its size is known before reading). Throws
/// as RegularFile does, or "<path>: read error (file changed or unreadable)".
std::string read_whole_file(const std::string& path);

/// `text` for a one-line message: control bytes become \n, \r, \t or \xNN (so a name holding a
/// newline cannot break the line), and text longer than `max_chars` is cut with "...".
std::string printable(std::string_view text, std::size_t max_chars = 200);

/// "a, b, c" of `names` through printable, at most `max_names` of them then "... (N more)";
/// "none" when empty.
std::string name_list(const std::vector<std::string>& names, std::size_t max_names = 20);

/// "16 MiB" for 16 << 20, else the byte count with " bytes".
std::string format_byte_limit(std::uint64_t bytes);

}  // namespace kvscope
