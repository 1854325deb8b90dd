#include "io/float_codec.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "io/half.hpp"

namespace kvscope {

int stored_size(StoredFloat type) {
    switch (type) {
        case StoredFloat::F16:
        case StoredFloat::BF16:
            return 2;
        case StoredFloat::F32:
            return 4;
        case StoredFloat::F64:
            return 8;
    }
    return 4;
}

void decode_floats(StoredFloat type, std::span<const std::uint8_t> raw, float* out) {
    const std::size_t n = raw.size() / static_cast<std::size_t>(stored_size(type));
    const std::uint8_t* p = raw.data();
    switch (type) {
        case StoredFloat::F16:
            for (std::size_t i = 0; i < n; ++i)
                out[i] = half_to_float(load_le16(p + 2 * i));
            break;
        case StoredFloat::BF16:
            for (std::size_t i = 0; i < n; ++i)
                out[i] = bfloat16_to_float(load_le16(p + 2 * i));
            break;
        case StoredFloat::F32:
            std::memcpy(out, p, n * sizeof(float));
            break;
        case StoredFloat::F64:
            for (std::size_t i = 0; i < n; ++i) {
                double v;
                std::memcpy(&v, p + 8 * i, sizeof v);
                out[i] = static_cast<float>(v);
            }
            break;
    }
}

void encode_floats(StoredFloat type, std::span<const float> values, Bytes& out) {
    const std::size_t start = out.size();
    out.resize(start + values.size() * static_cast<std::size_t>(stored_size(type)));
    std::uint8_t* p = out.data() + start;
    for (std::size_t i = 0; i < values.size(); ++i) {
        switch (type) {
            case StoredFloat::F16: {
                const std::uint16_t h = float_to_half(values[i]);
                std::memcpy(p + 2 * i, &h, 2);
                break;
            }
            case StoredFloat::BF16: {
                const std::uint16_t h = float_to_bfloat16(values[i]);
                std::memcpy(p + 2 * i, &h, 2);
                break;
            }
            case StoredFloat::F32:
                std::memcpy(p + 4 * i, &values[i], 4);
                break;
            case StoredFloat::F64: {
                const double d = values[i];
                std::memcpy(p + 8 * i, &d, 8);
                break;
            }
        }
    }
}

void read_floats(ByteSource& source, std::uint64_t offset, std::uint64_t count, StoredFloat type,
                 float* out, const std::string& what) {
    const auto size = static_cast<std::uint64_t>(stored_size(type));
    if (count > source.size() / size) {
        source.fail("truncated file: " + what + " needs " + std::to_string(count) +
                    " elements of " + std::to_string(size) + " bytes but only " +
                    std::to_string(source.size()) + " bytes are available");
    }
    source.require(offset, count * size, what);
    if (type == StoredFloat::F32) {
        source.read(offset, out, static_cast<std::size_t>(count * size), what);
        return;
    }
    constexpr std::uint64_t kChunk = 1 << 16;  // elements per chunk
    Bytes raw;
    for (std::uint64_t done = 0; done < count;) {
        const std::uint64_t n = std::min(kChunk, count - done);
        raw.resize(static_cast<std::size_t>(n * size));
        source.read(offset + done * size, raw.data(), raw.size(), what);
        decode_floats(type, raw, out + done);
        done += n;
    }
}

}  // namespace kvscope
