#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into corpus/<target>/ (small, valid or nearly valid
inputs of each format). Plain Python, no numpy: the files are built byte by byte, so the seeds
are reproducible. Run from anywhere: python3 tests/fuzz/make_seeds.py"""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def npy(shape, values, descr="<f4", version=1):
    fmt = {"<f2": "e", "<f4": "f", "<f8": "d"}[descr]
    dims = ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    prefix = 10 if version == 1 else 12
    total = prefix + len(header) + 1
    header += " " * ((total + 63) // 64 * 64 - total) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    body = b"".join(struct.pack("<" + fmt, v) for v in values)
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode() + body


def zip_archive(members, deflate):
    out, directory = b"", b""
    for name, content in members:
        data = content
        method = 0
        if deflate:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = c.compress(content) + c.flush()
            method = 8
        crc = zlib.crc32(content) & 0xFFFFFFFF
        offset = len(out)
        n = name.encode()
        out += struct.pack("<IHHHIIIIHH", 0x04034B50, 20, 0, method, 0x00210000, crc,
                           len(data), len(content), len(n), 0) + n + data
        directory += struct.pack("<IHHHHIIIIHHHHHII", 0x02014B50, 20, 20, 0, method,
                                 0x00210000, crc, len(data), len(content), len(n), 0, 0, 0, 0,
                                 0, offset) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                      len(directory), len(out), 0)
    return out + directory + end


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        fmt = {"F32": "f", "F64": "d", "F16": "e"}.get(dtype)
        raw = b"".join(struct.pack("<" + fmt, v) for v in values) if fmt else bytes(
            2 * len(values))
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def main():
    six = [0.5, -1.0, 2.0, 3.25, -4.0, 1e-3]
    put("fuzz_npy", "f4_2x3.npy", npy((2, 3), six))
    put("fuzz_npy", "f2_vector.npy", npy((4,), six[:4], "<f2"))
    put("fuzz_npy", "f8_scalar_v2.npy", npy((), [1.5], "<f8", version=2))
    put("fuzz_npy", "f4_4d_v3.npy", npy((1, 2, 3, 1), six, version=3))

    keys = npy((3, 2), six)
    put("fuzz_npz", "stored.npz", zip_archive([("keys.npy", keys), ("values.npy", keys)], False))
    put("fuzz_npz", "deflated.npz", zip_archive([("keys.npy", keys)], True))

    put("fuzz_safetensors", "f32.safetensors",
        safetensors([("keys", "F32", [3, 2], six), ("values", "F32", [3, 2], six)]))
    put("fuzz_safetensors", "f16_meta.safetensors",
        safetensors([("keys", "F16", [2, 3], six)], {"format": "pt"}))
    put("fuzz_safetensors", "bf16_4d.safetensors",
        safetensors([("keys", "BF16", [1, 1, 3, 2], six), ("ids", "I64", [2], [0, 0, 0, 0])]))

    put("fuzz_csv", "header.csv", "k0,k1,k2\n0.5,-1,2\n3.25,-4,1e-3\n")
    put("fuzz_csv", "plain_crlf.csv", "1,2\r\n\r\n 3 , +4\r\nnan,inf\r\n")
    put("fuzz_csv", "one_column.csv", "1\n2\n3\n")

    root = os.path.normpath(os.path.join(HERE, "..", ".."))
    for name in ["default.json", "uniform_sweep.json", "explorer_polynomial.json",
                 "hybrid_vs_uniform.json"]:
        with open(os.path.join(root, "assets", "configs", name), "rb") as f:
            put("fuzz_run_config", name, f.read())
    put("fuzz_run_config", "file_source.json", json.dumps({
        "schema_version": 1, "seed": 3, "beta": 0.5, "tokens": 64, "eval_every": 16,
        "probe_queries": 4, "timing": False,
        "source": {"id": "file", "params": {"keys": "k.npy", "values": "v.csv", "head": 1}},
        "sketches": [{"id": "sinks_window",
                      "params": {"inner": {"id": "h2o", "params": {"recent_fraction": 0.25}}}},
                     {"id": "snapkv", "sweep": {"kernel": [1, 3], "pooling": ["avg", "max"]},
                      "label": "s", "seed": 9}]}))
    put("fuzz_session", "session.json", json.dumps({
        "schema_version": 1, "tokens": 1200, "eval_every": 400, "probe_queries": 8,
        "source": {"id": "isotropic_ball", "params": {"dim": 4}},
        "sketches": [{"id": "exact"}, {"id": "uniform", "sweep": {"budget": [16, 32]}}],
        "view": {"stream_position": 800, "theme": "light", "ui_scale": 1.5, "speed": 256,
                 "selected_sketch": 2, "tab": "buckets", "error_metric": 3,
                 "screenshot_scale": 2, "screenshot_ui": False, "show_theory": True,
                 "embedding": {"colour_by": "weight", "field": True, "field_mode": 2,
                               "three_d": True, "zoom": 2.5, "centre": [0.1, 0.2, 0.3],
                               "yaw": 1.25, "pitch": -0.5},
                 "plots": {"error_memory": {"log_x": True, "log_y": True, "auto_fit": False,
                                            "x_min": 10, "x_max": 1000, "y_min": 1e-3,
                                            "y_max": 1, "hidden": ["uniform budget=16"]}}}}))


if __name__ == "__main__":
    main()
