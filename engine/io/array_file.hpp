// Loads one array from a file of any supported format, chosen by the file extension:
// .npy (npy.hpp), .npz (npz.hpp), .safetensors (safetensors.hpp), .csv (csv.hpp).
#pragma once

#include <string>
#include <vector>

#include "io/nd_array.hpp"

namespace kvscope {

enum class ArrayFormat { Npy, Npz, Safetensors, Csv };

/// The format named by the extension (case-insensitive). Throws std::invalid_argument
/// "<path>: unsupported file extension ..." listing the supported ones.
ArrayFormat array_format_of(const std::string& path);

/// True for container formats whose members have names (npz, safetensors).
bool has_named_members(ArrayFormat format);

/// Reads the array: `tensor` names the member of an npz or safetensors file and is ignored for
/// .npy and .csv. Throws std::invalid_argument as the format's reader does.
NdArray load_array(const std::string& path, const std::string& tensor);

/// Reads the block `select` picks (see ArrayBlock): npy and safetensors read only the block's
/// bytes; npz inflates the member; csv parses the whole file.
ArrayBlock load_array_block(const std::string& path, const std::string& tensor,
                            const BlockSelector& select);

/// The stored array's shape, e.g. [layers, heads, tokens, dim]: npy, npz and safetensors read
/// the header only (an empty block); csv parses the whole file. Throws as load_array_block.
std::vector<Index> load_array_shape(const std::string& path, const std::string& tensor);

}  // namespace kvscope
