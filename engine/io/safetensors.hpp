// safetensors files (huggingface/safetensors format): an 8-byte little-endian header length N,
// N bytes of JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
// "__metadata__": {...}}, then the raw little-endian tensor bytes; offsets are relative to the
// end of the header.
//
// Reads: tensors of dtype F16, BF16, F32 or F64 (converted to float; F64 beyond the float range
// becomes +-inf), any rank. Every entry's data_offsets are validated against the file (inside the
// data section, end - begin == product(shape) * itemsize for known dtypes, no overlaps) before
// anything is returned. Limits: header at most 64 MiB; zero-element tensors are rejected on read.
//
// Errors: std::invalid_argument starting with the file path: truncated file, absurd header
// length, bad header (invalid JSON, wrong field types), unsupported dtype (named, with the
// supported list), shape/data size mismatch, empty array, missing tensor name (lists names).
#pragma once

#include <string>
#include <vector>

#include "io/byte_source.hpp"
#include "io/nd_array.hpp"

namespace kvscope {

/// One entry of a safetensors header.
struct SafetensorsEntry {
    std::string name;
    std::string dtype;  ///< as stored: "F32", "BF16", "I64", ...
    std::vector<Index> shape;
    std::uint64_t begin = 0;  ///< byte offsets into the data section
    std::uint64_t end = 0;
};

/// Parses and validates the header; entries sorted by name.
std::vector<SafetensorsEntry> list_safetensors(const std::string& path);

/// Reads one tensor by name. Cost O(tensor size).
NdArray read_safetensors(const std::string& path, const std::string& name);

/// Reads only the block `select` picks from one tensor, after the whole header is validated.
/// Cost O(header + block).
ArrayBlock read_safetensors_block(const std::string& path, const std::string& name,
                                  const BlockSelector& select);

/// read_safetensors_block over any byte source (the file in memory, for the fuzz target);
/// `source.where()` prefixes every message.
ArrayBlock parse_safetensors_block(ByteSource& source, const std::string& name,
                                   const BlockSelector& select);

/// Writes tensors in the given order; each array's dtype must be "F16", "BF16", "F32" or "F64"
/// (empty means F32). Throws std::invalid_argument on a bad dtype, a shape/data mismatch or a
/// duplicate name.
void write_safetensors(const std::string& path, const std::vector<NamedArray>& tensors);

}  // namespace kvscope
