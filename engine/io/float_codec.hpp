// Little-endian floating point element codecs shared by the binary formats: decode stored
// elements (F16, BF16, F32, F64) to float and encode floats back (writers).
#pragma once

#include <cstdint>
#include <span>

#include "io/byte_source.hpp"

namespace kvscope {

enum class StoredFloat { F16, BF16, F32, F64 };

/// Bytes per element: 2, 2, 4, 8.
int stored_size(StoredFloat type);

/// Decodes raw.size() / stored_size(type) little-endian elements into `out` (which has room).
void decode_floats(StoredFloat type, std::span<const std::uint8_t> raw, float* out);

/// Appends the little-endian encoding of `values` to `out` (half and bfloat16 round to nearest
/// even).
void encode_floats(StoredFloat type, std::span<const float> values, Bytes& out);

/// Reads `count` elements at `offset` of `source` and decodes them, in bounded chunks so a large
/// tensor never needs a second full-size raw buffer. Throws "truncated file" past the end.
void read_floats(ByteSource& source, std::uint64_t offset, std::uint64_t count, StoredFloat type,
                 float* out, const std::string& what);

}  // namespace kvscope
