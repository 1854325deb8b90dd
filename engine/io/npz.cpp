#include "io/npz.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <zlib.h>

#include "io/input_file.hpp"
#include "io/npy.hpp"

namespace kvscope {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndRecord = 0x06054b50;
constexpr std::uint32_t kZip64EndRecord = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;

struct Entry {
    std::string name;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0;
    std::uint64_t uncompressed = 0;
    std::uint64_t local_offset = 0;
};

struct Directory {
    std::vector<Entry> entries;
};

std::string strip_npy(const std::string& name) {
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, ".npy") == 0) {
        return name.substr(0, name.size() - 4);
    }
    return name;
}

Directory read_directory(ByteSource& source) {
    const std::uint64_t size = source.size();
    if (size < 4) source.fail("truncated file: " + std::to_string(size) + " bytes is not a zip");
    const Bytes magic = source.read_bytes(0, 4, "zip magic");
    const std::uint32_t first = load_le32(magic.data());
    if (first != kLocalHeader && first != kEndRecord) {
        source.fail("bad magic: not a zip archive (npz files are zip files starting with PK)");
    }
    if (size < 22) {
        source.fail("truncated file: " + std::to_string(size) +
                    " bytes cannot hold the zip end-of-central-directory record");
    }
    // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
    const std::uint64_t tail_size = std::min<std::uint64_t>(size, 22 + 65535);
    const Bytes tail = source.read_bytes(size - tail_size, tail_size, "zip end record");
    std::optional<std::uint64_t> end_at;
    for (std::uint64_t i = tail_size - 22 + 1; i-- > 0;) {
        if (load_le32(tail.data() + i) == kEndRecord) {
            end_at = i;
            break;
        }
    }
    if (!end_at) {
        source.fail("truncated file or bad zip: end-of-central-directory record not found");
    }
    const std::uint8_t* end = tail.data() + *end_at;
    const std::uint64_t end_offset = size - tail_size + *end_at;
    if (load_le16(end + 4) != 0 || load_le16(end + 6) != 0) {
        source.fail("bad zip entry: multi-disk archives are not supported");
    }
    std::uint64_t count = load_le16(end + 10);
    std::uint64_t dir_size = load_le32(end + 12);
    std::uint64_t dir_offset = load_le32(end + 16);
    if (count == 0xffff || dir_size == 0xffffffffu || dir_offset == 0xffffffffu) {
        if (end_offset < 20) source.fail("bad zip entry: zip64 locator missing");
        const Bytes locator = source.read_bytes(end_offset - 20, 20, "zip64 locator");
        if (load_le32(locator.data()) != kZip64Locator) {
            source.fail("bad zip entry: zip64 locator missing");
        }
        const std::uint64_t record_offset = load_le64(locator.data() + 8);
        const Bytes record = source.read_bytes(record_offset, 56, "zip64 end record");
        if (load_le32(record.data()) != kZip64EndRecord) {
            source.fail("bad zip entry: zip64 end record signature missing");
        }
        count = load_le64(record.data() + 32);
        dir_size = load_le64(record.data() + 40);
        dir_offset = load_le64(record.data() + 48);
    }
    if (dir_offset > end_offset || dir_size > end_offset - dir_offset) {
        source.fail("truncated file or bad zip: central directory [" + std::to_string(dir_offset) +
                    ", +" + std::to_string(dir_size) + ") lies outside the archive");
    }
    // Each central header is at least 46 bytes: bounds the count before reserving.
    if (count > dir_size / 46) {
        source.fail("bad zip entry: " + std::to_string(count) + " entries cannot fit in a " +
                    std::to_string(dir_size) + "-byte central directory");
    }
    const Bytes dir =
        source.read_bytes(dir_offset, static_cast<std::size_t>(dir_size), "zip central directory");
    Directory out;
    std::size_t pos = 0;
    for (std::uint64_t e = 0; e < count; ++e) {
        if (pos + 46 > dir.size() || load_le32(dir.data() + pos) != kCentralHeader) {
            source.fail("bad zip entry: central directory entry " + std::to_string(e) +
                        " is damaged");
        }
        const std::uint8_t* h = dir.data() + pos;
        Entry entry;
        entry.flags = load_le16(h + 8);
        entry.method = load_le16(h + 10);
        entry.crc = load_le32(h + 16);
        entry.compressed = load_le32(h + 20);
        entry.uncompressed = load_le32(h + 24);
        const std::size_t name_length = load_le16(h + 28);
        const std::size_t extra_length = load_le16(h + 30);
        const std::size_t comment_length = load_le16(h + 32);
        entry.local_offset = load_le32(h + 42);
        if (pos + 46 + name_length + extra_length + comment_length > dir.size()) {
            source.fail("bad zip entry: central directory entry " + std::to_string(e) +
                        " runs past the directory");
        }
        entry.name.assign(reinterpret_cast<const char*>(h + 46), name_length);
        // Zip64 extra field: 64-bit values for whichever 32-bit fields are 0xffffffff, in order.
        const std::uint8_t* extra = h + 46 + name_length;
        for (std::size_t x = 0; x + 4 <= extra_length;) {
            const std::uint16_t id = load_le16(extra + x);
            const std::uint16_t length = load_le16(extra + x + 2);
            if (x + 4 + length > extra_length) break;
            if (id == 0x0001) {
                const std::uint8_t* v = extra + x + 4;
                std::size_t used = 0;
                auto take = [&](std::uint64_t& field) {
                    if (field != 0xffffffffu) return;
                    if (used + 8 > length) {
                        source.fail("bad zip entry '" + printable(entry.name, 80) +
                                    "': short zip64 extra field");
                    }
                    field = load_le64(v + used);
                    used += 8;
                };
                take(entry.uncompressed);
                take(entry.compressed);
                take(entry.local_offset);
            }
            x += 4 + length;
        }
        out.entries.push_back(std::move(entry));
        pos += 46 + name_length + extra_length + comment_length;
    }
    return out;
}

Bytes inflate_raw(const Bytes& compressed, std::uint64_t expected, ByteSource& source,
                  const std::string& member) {
    Bytes out(static_cast<std::size_t>(expected));
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        source.fail("inflate failure for member '" + member + "': zlib init failed");
    }
    // zlib counts in uInt: feed and drain in pieces so members over 4 GiB work too.
    std::size_t in_done = 0, out_done = 0;
    int status = Z_OK;
    constexpr std::size_t kStep = 1u << 30;
    while (status == Z_OK) {
        const std::size_t in_step = std::min(kStep, compressed.size() - in_done);
        const std::size_t out_step = std::min(kStep, out.size() - out_done);
        z.next_in = const_cast<Bytef*>(compressed.data() + in_done);
        z.avail_in = static_cast<uInt>(in_step);
        z.next_out = out.data() + out_done;
        z.avail_out = static_cast<uInt>(out_step);
        status = inflate(&z, Z_NO_FLUSH);
        const std::size_t used_in = in_step - z.avail_in;
        const std::size_t used_out = out_step - z.avail_out;
        in_done += used_in;
        out_done += used_out;
        if (status == Z_BUF_ERROR || (status == Z_OK && used_in == 0 && used_out == 0)) {
            // No progress possible: input exhausted or output full before the stream ended.
            break;
        }
    }
    const std::string message = z.msg ? std::string(z.msg) : std::string();
    inflateEnd(&z);
    if (status != Z_STREAM_END) {
        source.fail("inflate failure for member '" + member + "': " +
                    (!message.empty()
                         ? message
                         : std::string(out_done == out.size() ? "more data than the recorded size"
                                                              : "compressed data ended early")));
    }
    if (out_done != out.size()) {
        source.fail("inflate failure for member '" + member + "': inflated " +
                    std::to_string(out_done) + " bytes, the directory records " +
                    std::to_string(out.size()));
    }
    return out;
}

Bytes read_member(ByteSource& source, const Entry& entry) {
    const std::string label = "member '" + printable(entry.name, 80) + "'";
    if (entry.flags & 0x1)
        source.fail("bad zip entry '" + printable(entry.name, 80) + "': encrypted");
    if (entry.method != 0 && entry.method != 8) {
        source.fail("bad zip entry '" + printable(entry.name, 80) + "': compression method " +
                    std::to_string(entry.method) + " is not supported (0 stored, 8 deflated)");
    }
    const Bytes local = source.read_bytes(entry.local_offset, 30, label + " local header");
    if (load_le32(local.data()) != kLocalHeader) {
        source.fail("bad zip entry '" + printable(entry.name, 80) +
                    "': no local header at offset " + std::to_string(entry.local_offset));
    }
    const std::uint64_t data_offset =
        entry.local_offset + 30 + load_le16(local.data() + 26) + load_le16(local.data() + 28);
    source.require(data_offset, entry.compressed, label + " data");
    if (entry.method == 0 && entry.compressed != entry.uncompressed) {
        source.fail("bad zip entry '" + printable(entry.name, 80) +
                    "': stored member with compressed size " + std::to_string(entry.compressed) +
                    " != size " + std::to_string(entry.uncompressed));
    }
    // Deflate expands at most about 1032:1; a larger claim is a damaged or hostile directory.
    if (entry.method == 8 && entry.uncompressed > entry.compressed * 1032 + 1024) {
        source.fail("bad zip entry '" + printable(entry.name, 80) + "': size " +
                    std::to_string(entry.uncompressed) + " is impossible for " +
                    std::to_string(entry.compressed) + " deflated bytes");
    }
    Bytes raw =
        source.read_bytes(data_offset, static_cast<std::size_t>(entry.compressed), label + " data");
    Bytes content = entry.method == 0
                        ? std::move(raw)
                        : inflate_raw(raw, entry.uncompressed, source, printable(entry.name, 80));
    // crc32 takes uInt lengths: feed in pieces.
    uLong crc = crc32(0L, Z_NULL, 0);
    for (std::size_t done = 0; done < content.size();) {
        const std::size_t n = std::min<std::size_t>(content.size() - done, 1u << 30);
        crc = crc32(crc, content.data() + done, static_cast<uInt>(n));
        done += n;
    }
    if (crc != entry.crc) {
        source.fail("bad zip entry '" + printable(entry.name, 80) +
                    "': CRC-32 mismatch (damaged archive)");
    }
    return content;
}

std::uint32_t dos_date_1980() {
    return 0x00210000u;  // 1980-01-01 00:00, a fixed timestamp keeps archives reproducible
}

}  // namespace

std::vector<std::string> list_npz(const std::string& path) {
    FileByteSource source(path);
    std::vector<std::string> names;
    for (const auto& e : read_directory(source).entries)
        names.push_back(e.name);
    return names;
}

ArrayBlock parse_npz_block(ByteSource& source, const std::string& name,
                           const BlockSelector& select) {
    const Directory dir = read_directory(source);
    const Entry* found = nullptr;
    for (const auto& e : dir.entries) {
        if (e.name == name) found = &e;
    }
    if (!found) {
        for (const auto& e : dir.entries) {
            if (e.name == name + ".npy") found = &e;
        }
    }
    if (!found) {
        std::vector<std::string> names;
        for (const auto& e : dir.entries)
            names.push_back(strip_npy(e.name));
        source.fail("missing tensor '" + printable(name, 80) + "' (available: " + name_list(names) +
                    ")");
    }
    const Bytes content = read_member(source, *found);
    MemoryByteSource member(content,
                            source.where() + ": member '" + printable(found->name, 80) + "'");
    return parse_npy_block(member, select);
}

ArrayBlock read_npz_block(const std::string& path, const std::string& name,
                          const BlockSelector& select) {
    FileByteSource source(path);
    return parse_npz_block(source, name, select);
}

NdArray read_npz(const std::string& path, const std::string& name) {
    ArrayBlock block = read_npz_block(path, name, whole_array);
    return NdArray{std::move(block.shape), std::move(block.data), std::move(block.dtype)};
}

Bytes encode_zip(const std::vector<ZipMember>& members, bool compress) {
    Bytes out;
    Bytes directory;
    constexpr std::uint64_t kZip32Limit = 0xfffffffeu;
    if (members.size() >= 0xffff) {
        throw std::invalid_argument("encode_zip: " + std::to_string(members.size()) +
                                    " members need zip64, which the writer does not produce");
    }
    for (const auto& m : members) {
        if (m.content.size() > kZip32Limit || m.name.size() > 0xffff) {
            throw std::invalid_argument("encode_zip: member '" + m.name +
                                        "' is too large for a zip archive without zip64");
        }
        Bytes stored;
        std::uint16_t method = 0;
        if (compress) {
            method = 8;
            z_stream z{};
            if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
                             Z_DEFAULT_STRATEGY) != Z_OK) {
                throw std::runtime_error("encode_zip: zlib deflateInit2 failed");
            }
            stored.resize(deflateBound(&z, static_cast<uLong>(m.content.size())));
            z.next_in = const_cast<Bytef*>(m.content.data());
            z.avail_in = static_cast<uInt>(m.content.size());
            z.next_out = stored.data();
            z.avail_out = static_cast<uInt>(stored.size());
            const int status = deflate(&z, Z_FINISH);
            stored.resize(z.total_out);
            deflateEnd(&z);
            if (status != Z_STREAM_END) throw std::runtime_error("encode_zip: deflate failed");
        } else {
            stored = m.content;
        }
        const auto crc = static_cast<std::uint32_t>(
            crc32(crc32(0L, Z_NULL, 0), m.content.data(), static_cast<uInt>(m.content.size())));
        const auto offset = static_cast<std::uint32_t>(out.size());
        const auto name_length = static_cast<std::uint16_t>(m.name.size());

        append_le32(out, kLocalHeader);
        append_le16(out, 20);  // version needed
        append_le16(out, 0);   // flags
        append_le16(out, method);
        append_le32(out, dos_date_1980());
        append_le32(out, crc);
        append_le32(out, static_cast<std::uint32_t>(stored.size()));
        append_le32(out, static_cast<std::uint32_t>(m.content.size()));
        append_le16(out, name_length);
        append_le16(out, 0);
        out.insert(out.end(), m.name.begin(), m.name.end());
        out.insert(out.end(), stored.begin(), stored.end());

        append_le32(directory, kCentralHeader);
        append_le16(directory, 20);  // made by
        append_le16(directory, 20);  // needed
        append_le16(directory, 0);
        append_le16(directory, method);
        append_le32(directory, dos_date_1980());
        append_le32(directory, crc);
        append_le32(directory, static_cast<std::uint32_t>(stored.size()));
        append_le32(directory, static_cast<std::uint32_t>(m.content.size()));
        append_le16(directory, name_length);
        append_le16(directory, 0);  // extra
        append_le16(directory, 0);  // comment
        append_le16(directory, 0);  // disk
        append_le16(directory, 0);  // internal attributes
        append_le32(directory, 0);  // external attributes
        append_le32(directory, offset);
        directory.insert(directory.end(), m.name.begin(), m.name.end());
    }
    if (out.size() + directory.size() > kZip32Limit) {
        throw std::invalid_argument(
            "encode_zip: archive over 4 GiB needs zip64, which the writer "
            "does not produce");
    }
    const auto dir_offset = static_cast<std::uint32_t>(out.size());
    out.insert(out.end(), directory.begin(), directory.end());
    append_le32(out, kEndRecord);
    append_le16(out, 0);
    append_le16(out, 0);
    append_le16(out, static_cast<std::uint16_t>(members.size()));
    append_le16(out, static_cast<std::uint16_t>(members.size()));
    append_le32(out, static_cast<std::uint32_t>(directory.size()));
    append_le32(out, dir_offset);
    append_le16(out, 0);  // comment length
    return out;
}

void write_npz(const std::string& path, const std::vector<NamedArray>& arrays, bool compress) {
    std::vector<ZipMember> members;
    for (const auto& a : arrays) {
        ZipMember m;
        m.name = strip_npy(a.name) + ".npy";
        m.content = encode_npy(a.array.shape, a.array.data,
                               a.array.dtype.empty() ? "<f4" : a.array.dtype, 1);
        members.push_back(std::move(m));
    }
    write_file_bytes(path, encode_zip(members, compress));
}

}  // namespace kvscope
