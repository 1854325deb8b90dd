#include "io/input_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kvscope {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::invalid_argument(printable(path) + ": " + problem);
}

// What a non-regular file is, for the refusal.
std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "is a directory";
    if (S_ISFIFO(mode)) return "is a fifo (named pipe), not a regular file";
    if (S_ISCHR(mode)) return "is a character device, not a regular file";
    if (S_ISBLK(mode)) return "is a block device, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    return "is not a regular file";
}

}  // namespace

RegularFile::RegularFile(const std::string& path, const std::string& what) : path_(path) {
    // O_NONBLOCK: opening a fifo with no writer would otherwise wait forever. It has no effect
    // on reads from regular files, the only kind kept.
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
        const int e = errno;
        // A directory may refuse O_RDONLY on some systems; say what it is rather than why.
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) fail(path, kind_of(st.st_mode));
        fail(path, "cannot open " + what + " for reading (" + std::strerror(e) + ")");
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int e = errno;
        ::close(fd_);
        fail(path, std::string("cannot read the file's size (") + std::strerror(e) + ")");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd_);
        fail(path, kind_of(st.st_mode));
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

bool RegularFile::read_at(std::uint64_t offset, void* out, std::size_t n) const {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
        const ssize_t got = ::pread(fd_, p, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        p += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
    return true;
}

std::string read_text_file(const std::string& path, std::uint64_t max_bytes,
                           const std::string& what) {
    const RegularFile file(path, what);
    if (file.size() > max_bytes) {
        fail(path, what + " of " + std::to_string(file.size()) + " bytes is over the " +
                       format_byte_limit(max_bytes) + " limit");
    }
    std::string text(static_cast<std::size_t>(file.size()), '\0');
    if (!file.read_at(0, text.data(), text.size())) {
        fail(path, "read error (file changed or unreadable)");
    }
    return text;
}

std::string read_whole_file(const std::string& path) {
    const RegularFile file(path);
    std::string text(static_cast<std::size_t>(file.size()), '\0');
    if (!file.read_at(0, text.data(), text.size())) {
        fail(path, "read error (file changed or unreadable)");
    }
    return text;
}

std::string printable(std::string_view text, std::size_t max_chars) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    const std::size_t shown = std::min(text.size(), max_chars);
    out.reserve(shown + 8);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (shown < text.size()) out += "...";
    return out;
}

std::string name_list(const std::vector<std::string>& names, std::size_t max_names) {
    if (names.empty()) return "none";
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < max_names; ++i)
        out += (i ? ", " : "") + printable(names[i], 80);
    if (names.size() > max_names) {
        out += ", ... (" + std::to_string(names.size() - max_names) + " more)";
    }
    return out;
}

std::string format_byte_limit(std::uint64_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) {
        return std::to_string(bytes >> 20) + " MiB";
    }
    return std::to_string(bytes) + " bytes";
}

}  // namespace kvscope
