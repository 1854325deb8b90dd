// NumPy .npy files (format versions 1.0, 2.0 and 3.0, as described in numpy.lib.format / NEP 1).
//
// Reads: little-endian floating point arrays, dtype '<f2', '<f4' or '<f8' (also the native-order
// spellings '=f4' and 'f4', which numpy accepts as descr and which mean little-endian on the
// hosts we build for), C order, any rank (rank 0 is one value). f2 and f8 are converted to float;
// f8 values beyond the float range become +-inf (the file source then rejects them).
// Limits: the header is at most 64 MiB; structured, integer, complex, object and big-endian
// dtypes and fortran_order True are rejected; an array with zero elements is rejected; the data
// must be exactly product(shape) * itemsize bytes (no trailing bytes).
//
// Errors: std::invalid_argument whose message starts with the file path (or "<path>: member 'x'"
// inside an npz) and names the problem.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "io/byte_source.hpp"
#include "io/nd_array.hpp"

namespace kvscope {

/// Reads a whole .npy file. Cost O(file size).
NdArray read_npy(const std::string& path);

/// Parses .npy content from any byte source (a file, an npz member); `source.where()` prefixes
/// every message.
NdArray parse_npy(ByteSource& source);

/// Reads only the block `select` picks once the header is parsed and the file validated
/// (every check of read_npy still applies). Cost O(header + block).
ArrayBlock read_npy_block(const std::string& path, const BlockSelector& select);

/// parse_npy for a block.
ArrayBlock parse_npy_block(ByteSource& source, const BlockSelector& select);

/// Encodes an array as .npy bytes. `dtype` is "<f2", "<f4" or "<f8" (or "f2", "f4", "f8");
/// `version` is 1, 2 or 3. Throws std::invalid_argument if data.size() != product(shape), the
/// dtype is unsupported, or the header does not fit a version 1 length field.
Bytes encode_npy(const std::vector<Index>& shape, std::span<const float> data,
                 const std::string& dtype, int version = 1);

/// Writes encode_npy(...) to `path`.
void write_npy(const std::string& path, const std::vector<Index>& shape,
               std::span<const float> data, const std::string& dtype = "<f4", int version = 1);

}  // namespace kvscope
