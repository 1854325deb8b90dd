// NumPy .npz archives: a zip file whose members are .npy files (numpy.savez and savez_compressed).
//
// Reads: members stored (method 0) or deflated (method 8, raw deflate through zlib), with the
// sizes from the central directory (zip64 sizes, offsets and end records are understood, so
// numpy's force_zip64 local headers are fine). Each member is CRC-checked, then parsed as .npy
// (see npy.hpp for the dtypes and limits). A member is named with or without its ".npy" suffix.
// Limits: no encryption, no other compression methods, no multi-disk archives.
//
// Errors: std::invalid_argument starting with the file path (and the member for member
// problems): bad magic, truncated file, bad zip entry, inflate failure, missing tensor name (the
// message lists the available names), plus every npy error.
#pragma once

#include <string>
#include <vector>

#include "io/byte_source.hpp"
#include "io/nd_array.hpp"

namespace kvscope {

/// Member names as stored in the archive (usually with the ".npy" suffix), in archive order.
std::vector<std::string> list_npz(const std::string& path);

/// Reads one member: `name` matches a stored name exactly or after appending ".npy".
/// Cost O(member size).
NdArray read_npz(const std::string& path, const std::string& name);

/// Reads the block `select` picks from one member (the member is still inflated and checked
/// whole; only the float conversion is limited to the block).
ArrayBlock read_npz_block(const std::string& path, const std::string& name,
                          const BlockSelector& select);

/// read_npz_block over any byte source (the archive in memory, for the fuzz target);
/// `source.where()` prefixes every message.
ArrayBlock parse_npz_block(ByteSource& source, const std::string& name,
                           const BlockSelector& select);

/// Writes an archive of .npy members (named `name` + ".npy" unless the name already ends in
/// ".npy"), each encoded with its array's dtype ("<f2", "<f4", "<f8"), stored or deflated.
void write_npz(const std::string& path, const std::vector<NamedArray>& arrays, bool compress);

/// One file inside a zip archive, for encode_zip.
struct ZipMember {
    std::string name;
    Bytes content;
};

/// A zip archive (no zip64, so members and archive under 4 GiB) of arbitrary members, all
/// stored (method 0) or all deflated (method 8), with CRC-32s and a fixed 1980-01-01 timestamp
/// so equal input gives equal bytes. Used by write_npz and by tests that damage archives.
Bytes encode_zip(const std::vector<ZipMember>& members, bool compress);

}  // namespace kvscope
