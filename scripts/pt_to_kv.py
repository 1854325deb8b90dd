#!/usr/bin/env python3
"""Convert a PyTorch .pt KV-cache dump into files kvscope's `file` source reads.

Usage:
    pt_to_kv.py DUMP.pt [-o OUT] [--format safetensors|npy] [--dtype keep|f16|bf16|f32|f64]
                        [--batch B] [--list] [--trust-pickle]

What DUMP.pt may hold (anything `torch.save` wrote):
  * a tensor                      -> written as 'keys' (rename with --name)
  * a dict of tensors             -> one array per entry, under the entry's name (nested dicts
                                     are flattened with '.', e.g. 'layer0.k'); non-tensors skipped
  * a HuggingFace-style past_key_values: a tuple/list with one (key, value) pair per layer,
    each [batch, heads, tokens, head_dim] (or [heads, tokens, head_dim]); also a DynamicCache
    object or a dict holding 'past_key_values'
                                  -> stacked into 'keys' and 'values' of shape
                                     [layers, heads, tokens, head_dim] (batch entry --batch)

Output:
  --format safetensors (default): one file OUT (default DUMP.safetensors); header JSON plus
      raw little-endian bytes, written by this script (the safetensors package is not needed).
      dtypes F16, BF16, F32, F64.
  --format npy: a folder OUT (default DUMP_npy/) with NAME.npy per array (format version 1,
      C order, '<f2' '<f4' '<f8'; bfloat16 has no npy dtype and is written as '<f4').

Then point the `file` source at the result, e.g.
    "source": {"id": "file", "params": {"keys": "kv.safetensors", "values": "kv.safetensors",
               "layer": 3, "head": 0}}
See docs/loading_data.md.

Needs Debian's python3-torch and python3-numpy (imported only when converting; --help works
without them). By default the dump is loaded with torch.load(weights_only=True), which refuses
arbitrary pickled objects; pass --trust-pickle for dumps of custom objects (a DynamicCache) that
you trust, since unpickling can run code.
"""

import argparse
import json
import os
import struct
import sys

NPY_DTYPES = {"float16": "<f2", "float32": "<f4", "float64": "<f8"}
SAFETENSORS_DTYPES = {"float16": "F16", "bfloat16": "BF16", "float32": "F32", "float64": "F64"}


def fail(message):
    sys.stderr.write("pt_to_kv: " + message + "\n")
    sys.exit(2)


def import_torch():
    try:
        import torch  # noqa: F401  (imported lazily: --help must work without it)
        import numpy  # noqa: F401
    except ImportError as error:
        fail(
            "this converter needs PyTorch and NumPy (%s). On Debian: "
            "sudo apt-get install python3-torch python3-numpy" % error
        )
    return torch


def load_dump(torch, path, trust_pickle):
    if not os.path.isfile(path):
        fail("%s: no such file" % path)
    if trust_pickle:
        try:
            return torch.load(path, map_location="cpu", weights_only=False)
        except TypeError:  # torch before 1.13 has no weights_only
            return torch.load(path, map_location="cpu")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:
        fail("this torch has no weights_only loading; rerun with --trust-pickle if you trust %s" % path)
    except Exception as error:  # the unpickler names the refused type
        fail(
            "%s: safe loading refused the file (%s); rerun with --trust-pickle if you trust it"
            % (path, str(error).splitlines()[0] if str(error) else type(error).__name__)
        )


def is_kv_pairs(torch, obj):
    return (
        isinstance(obj, (tuple, list))
        and len(obj) > 0
        and all(
            isinstance(p, (tuple, list))
            and len(p) >= 2
            and isinstance(p[0], torch.Tensor)
            and isinstance(p[1], torch.Tensor)
            for p in obj
        )
    )


def stack_layers(torch, pairs, batch, role_index, role):
    layers = []
    for i, pair in enumerate(pairs):
        t = pair[role_index]
        if t.dim() == 4:
            if not 0 <= batch < t.shape[0]:
                fail("layer %d %s has batch size %d; --batch %d is out of range" % (i, role, t.shape[0], batch))
            t = t[batch]
        elif t.dim() != 3:
            fail(
                "layer %d %s has shape %s; expected [batch, heads, tokens, head_dim] or "
                "[heads, tokens, head_dim]" % (i, role, list(t.shape))
            )
        layers.append(t)
    shapes = {tuple(t.shape) for t in layers}
    if len(shapes) != 1:
        fail(
            "%s differ in shape across layers (%s); stacking needs equal shapes "
            "(sliding-window layers?); export the layers you need as a dict instead"
            % (role, sorted(shapes))
        )
    return torch.stack(layers, dim=0)


def unwrap_cache(obj):
    """A transformers Cache object (DynamicCache, ...) as a tuple of (key, value) per layer."""
    if hasattr(obj, "key_cache") and hasattr(obj, "value_cache"):
        return tuple(zip(obj.key_cache, obj.value_cache))
    if hasattr(obj, "to_legacy_cache"):
        return obj.to_legacy_cache()
    return obj


def collect(torch, obj, name, batch):
    """Returns an ordered list of (name, tensor)."""
    obj = unwrap_cache(obj)
    if isinstance(obj, dict) and "past_key_values" in obj:
        obj = unwrap_cache(obj["past_key_values"])
    if isinstance(obj, torch.Tensor):
        return [(name, obj)]
    if is_kv_pairs(torch, obj):
        return [
            ("keys", stack_layers(torch, obj, batch, 0, "keys")),
            ("values", stack_layers(torch, obj, batch, 1, "values")),
        ]
    if isinstance(obj, dict):
        out = []

        def walk(prefix, d):
            for key, value in d.items():
                full = "%s.%s" % (prefix, key) if prefix else str(key)
                if isinstance(value, torch.Tensor):
                    out.append((full, value))
                elif isinstance(value, dict):
                    walk(full, value)
                else:
                    sys.stderr.write("pt_to_kv: skipping '%s' (%s, not a tensor)\n" % (full, type(value).__name__))

        walk("", obj)
        if not out:
            fail("the dict holds no tensors")
        return out
    fail(
        "unsupported content %s: expected a tensor, a dict of tensors, or a tuple/list of "
        "(key, value) tensor pairs per layer" % type(obj).__name__
    )


def convert_dtype(torch, name, t, wanted, for_npy):
    t = t.detach().to("cpu")
    targets = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32, "f64": torch.float64}
    if wanted != "keep":
        if for_npy and wanted == "bf16":
            fail("npy has no bfloat16 dtype; use --format safetensors or another --dtype")
        t = t.to(targets[wanted])
    dtype = str(t.dtype).replace("torch.", "")
    if dtype not in SAFETENSORS_DTYPES:
        fail("tensor '%s' has dtype %s; pass --dtype f32 (or f16, bf16, f64) to convert it" % (name, dtype))
    if for_npy and dtype == "bfloat16":
        sys.stderr.write("pt_to_kv: '%s' is bfloat16, which npy lacks: writing float32\n" % name)
        t = t.to(torch.float32)
        dtype = "float32"
    return t.contiguous(), dtype


def raw_bytes(torch, t):
    """Little-endian bytes of a contiguous CPU tensor."""
    if t.dtype == torch.bfloat16:
        array = t.view(torch.int16).numpy()
    else:
        array = t.numpy()
    if sys.byteorder != "little":
        array = array.byteswap()
    return array.tobytes()


def npy_bytes(shape, descr, payload):
    """An npy version 1.0 file: magic, header dict padded to 64 bytes, data."""
    if len(shape) == 1:
        shape_text = "(%d,)" % shape[0]
    else:
        shape_text = "(" + ", ".join(str(s) for s in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    if len(header) > 0xFFFF:
        fail("npy header too long")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


def safetensors_bytes(records):
    """records: list of (name, shape, dtype name, bytes)."""
    header = {}
    offset = 0
    for name, shape, dtype, payload in records:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(payload)]}
        offset += len(payload)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(r[3] for r in records)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="pt_to_kv.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dump", help="the .pt file written by torch.save")
    parser.add_argument("-o", "--output", help="output .safetensors file or npy folder")
    parser.add_argument("--format", choices=["safetensors", "npy"], default="safetensors")
    parser.add_argument(
        "--dtype", choices=["keep", "f16", "bf16", "f32", "f64"], default="keep", help="convert every tensor"
    )
    parser.add_argument("--batch", type=int, default=0, help="batch entry of [batch, heads, tokens, dim] caches")
    parser.add_argument("--name", default="keys", help="array name when the dump is a single tensor")
    parser.add_argument("--list", action="store_true", help="print what would be written, write nothing")
    parser.add_argument(
        "--trust-pickle", action="store_true", help="allow arbitrary pickled objects (runs code from the file)"
    )
    args = parser.parse_args(argv)

    torch = import_torch()
    obj = load_dump(torch, args.dump, args.trust_pickle)
    tensors = collect(torch, obj, args.name, args.batch)
    for_npy = args.format == "npy"
    converted = [(name, *convert_dtype(torch, name, t, args.dtype, for_npy)) for name, t in tensors]

    stem = os.path.splitext(args.dump)[0]
    output = args.output or (stem + "_npy" if for_npy else stem + ".safetensors")
    for name, t, dtype in converted:
        print("%-24s %-10s %s" % (name, dtype, list(t.shape)))
    if args.list:
        return 0

    if for_npy:
        os.makedirs(output, exist_ok=True)
        for name, t, dtype in converted:
            safe = name.replace("/", "_")
            with open(os.path.join(output, safe + ".npy"), "wb") as f:
                f.write(npy_bytes(tuple(t.shape), NPY_DTYPES[dtype], raw_bytes(torch, t)))
    else:
        records = [(name, tuple(t.shape), SAFETENSORS_DTYPES[dtype], raw_bytes(torch, t)) for name, t, dtype in converted]
        with open(output, "wb") as f:
            f.write(safetensors_bytes(records))
    print("wrote %s" % output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
