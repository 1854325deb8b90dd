// IEEE 754 binary16 ("half", numpy f2, safetensors F16) and bfloat16 (safetensors BF16)
// conversions to and from float.
//
// To float: exact for every input, including subnormals, signed zeros, infinities and NaN (the
// NaN payload's high bits are kept). From float: round to nearest, ties to even; values beyond
// the half range become infinity, NaN stays a quiet NaN.
#pragma once

#include <cstdint>

namespace kvscope {

float half_to_float(std::uint16_t bits);
std::uint16_t float_to_half(float value);

float bfloat16_to_float(std::uint16_t bits);
std::uint16_t float_to_bfloat16(float value);

}  // namespace kvscope
