#!/usr/bin/python3
"""Every sketch family at three equal-memory levels on the shipped real heads.

  scripts/real_attention/memory_table.py --kvscope build/kvscope [--out docs/real_attention.md]
      [--seeds 3] [--data assets/real/ppocr_v4_line]

With --out, an existing file keeps everything outside its generated block (between the
"memory_table: begin" and "memory_table: end" comments), so the prose around the tables survives a
rerun; without --out the block is printed.

Levels are fractions of the exact cache n (d + d_v) at the end of the stream (n = 1,024, d = d_v =
15: 30,720 floats). For each family the parameter(s) that set its memory are calibrated from
measured memory_floats, never from a formula:

  1. every candidate of the family's grid runs on one head (layer 1, head 3, seed 1);
  2. the candidates at or below a level (the largest ones, plus a spread of smaller ones) run on
     every head and seed, and the one whose largest memory_floats over all of them is at or below
     the level and largest is chosen (preferring an earlier tier when it fills 90 % of the level);
  3. among the settings whose end memory is within 2 % of that largest one, the one whose peak
     memory over the stream (checkpoints every 16 tokens, calibration head) exceeds the level
     least wins, then the largest;
  4. every chosen instance runs on every head and seed; the final row's rel_err_mean and eps_fro
     are collected, with the memory at the end and the peak over checkpoints every 64 tokens.

Python 3 standard library only. Exits non-zero when a run fails, a value is missing or one is not
finite, or a chosen instance exceeds its level on some head.
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

LEVELS = [(1, 8), (1, 4), (1, 2)]  # shares of the exact cache
SHARP = (1, 3)  # the sharp head (layer, head); every other shipped head is broad
CAL_HEAD = (1, 3)  # stage 1 runs here
FILL = 0.9  # a tier is preferred when one of its candidates fills this share of the level
NEAR = 0.98  # end memories this close to the largest fitting one count as equal
PEAK_EVERY = 16  # checkpoint spacing (tokens) for the peak-memory tie-break
MAX_INSTANCES = 1000  # a config's sweeps expand into at most 1,024 instances
BEGIN = "<!-- memory_table: begin -->"
END = "<!-- memory_table: end -->"


def die(msg):
    print("memory_table: " + msg, file=sys.stderr)
    sys.exit(1)


def budgets(lo, hi):
    return [{"budget": b} for b in range(lo, hi + 1)]


def families():
    """(row name, sketch id, note, [(tier, params)]) in table order."""
    fams = []

    def add(name, sid, cands, note=""):
        fams.append({"name": name, "id": sid, "note": note, "cands": cands})

    tok = [(0, p) for p in budgets(8, 640)]
    add("uniform", "uniform", tok)
    add("uniform_halving", "uniform_halving", tok)
    batches = [(0, {"batch": t}) for t in range(4, 1025)]
    add("merge_reduce", "merge_reduce", batches)
    add("weighted_merge_reduce", "weighted_merge_reduce", batches)
    add("balance_kv", "balance_kv", batches)
    add("balance_kv (algorithm=paper)", "balance_kv",
        [(0, {"batch": t, "algorithm": "paper"}) for t in range(4, 1025)])
    ref = []
    for sw in (32, 16, 8, 0):
        for rounds in range(1, 9):
            ref.append((0, {"compress_at": 1024, "rounds": rounds, "sinks": sw, "window": sw}))
    add("balance_kv_reference", "balance_kv_reference", ref,
        "compress_at = n = 1,024, so the cache is compressed once, at the last token")
    add("taylor", "taylor", [(0, {"degree": p}) for p in range(0, 5)])
    lsh = []
    for bits in range(1, 7):
        for deg in range(0, 4):
            lsh.append((0, {"bits": bits, "bucket_degree": deg}))
    add("lsh_partition (taylor)", "lsh_partition", lsh)
    add("lsh_partition (reservoir)", "lsh_partition",
        [(0, {"summary": "reservoir", "bits": 3, "bucket_budget": b}) for b in range(1, 129)])
    hyb = [(0, {"degree": 2, "budget": b}) for b in range(1, 1100)]
    hyb += [(1, {"degree": 1, "budget": b}) for b in range(1, 1100)]
    add("hybrid", "hybrid", hyb)
    sub = []
    for t in (1, 2, 4, 8, 16, 32):
        for s in (16, 32, 64, 128, 256, 512):
            for mc in (8, 16, 32, 64, 128):
                sub.append((0, {"t": t, "s": s, "max_clusters": mc}))
    add("subgen", "subgen", sub)
    add("sliding_window", "sliding_window", tok)
    add("streaming_llm", "streaming_llm", tok)
    add("h2o", "h2o", tok)
    add("snapkv", "snapkv", tok)
    add("key_norm", "key_norm", tok)
    kivi = []
    for bits in range(1, 9):
        for res in (0, 16, 32, 64, 128):
            for group in (32, 64, 128):
                kivi.append((0, {"bits": bits, "residual": res, "group": group}))
    add("kivi", "kivi", kivi)
    add("qjl", "qjl", [(0, {"bits": b}) for b in (1, 2, 4, 8, 16, 32, 64)])
    add("sinks_window (uniform inner)", "sinks_window",
        [(0, {"sinks": 32, "window": 32, "inner": {"id": "uniform", "params": {"budget": b}}})
         for b in range(1, 600)])
    return fams


def fmt_params(p):
    out = []
    for k, v in p.items():
        if isinstance(v, dict):
            inner = ",".join("%s=%s" % kv for kv in v.get("params", {}).items())
            out.append("%s=%s{%s}" % (k, v["id"], inner))
        else:
            out.append("%s=%s" % (k, v))
    return ", ".join(out)


class Runner:
    def __init__(self, kvscope, data, tmp):
        self.kvscope = kvscope
        self.data = os.path.abspath(data)
        self.tmp = tmp
        self.count = 0

    def run(self, entries, layer, head, seed, eval_every):
        """Runs [(label, id, params)]; returns {label: [rows]} (every evaluation row)."""
        self.count += 1
        cfg = {
            "schema_version": 1, "seed": seed, "beta": "inv_sqrt_d", "tokens": 1024,
            "eval_every": eval_every, "probe_queries": 256, "timing": False,
            "source": {"id": "file", "params": {
                "keys": os.path.join(self.data, "keys.npy"),
                "values": os.path.join(self.data, "values.npy"),
                "queries": os.path.join(self.data, "queries.npy"),
                "layer": layer, "head": head}},
            "sketches": [{"id": sid, "params": p, "label": lab} for lab, sid, p in entries],
        }
        path = os.path.join(self.tmp, "c%d.json" % self.count)
        out = os.path.join(self.tmp, "o%d" % self.count)
        with open(path, "w") as f:
            json.dump(cfg, f)
        r = subprocess.run([self.kvscope, "run", "--config", path, "--out", out, "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            die("kvscope run failed (exit %d) on %s: %s" % (r.returncode, path, r.stderr.strip()))
        rows = {}
        with open(os.path.join(out, "metrics.csv")) as f:
            for row in csv.DictReader(f):
                rows.setdefault(row["label"], []).append(row)
        for lab, _, _ in entries:
            if lab not in rows:
                die("no rows for %s in %s" % (lab, out))
            if int(rows[lab][-1]["tokens_seen"]) != 1024:
                die("%s in %s did not reach the end of the stream" % (lab, out))
        return rows

    def run_many(self, entries, layer, head, seed, eval_every):
        rows = {}
        for i in range(0, len(entries), MAX_INSTANCES):
            rows.update(self.run(entries[i:i + MAX_INSTANCES], layer, head, seed, eval_every))
        return rows


def number(row, key, where):
    v = row.get(key)
    if v is None or v == "":
        die("missing %s for %s" % (key, where))
    x = float(v)
    if not math.isfinite(x):
        die("non-finite %s = %s for %s" % (key, v, where))
    return x


def calibrate(runner, fams, heads, seeds, exact_floats):
    levels = [exact_floats * a / b for a, b in LEVELS]
    # Stage 1: every candidate on one head and seed.
    entries = []
    for fi, fam in enumerate(fams):
        for ci, (_, p) in enumerate(fam["cands"]):
            entries.append(("f%dc%d" % (fi, ci), fam["id"], p))
    rows = runner.run_many(entries, CAL_HEAD[0], CAL_HEAD[1], 1, 1024)
    mem1 = {lab: number(rows[lab][-1], "memory_floats", lab) for lab, _, _ in entries}
    # Stage 2: a shortlist per family and level on every head and seed; largest memory wins.
    short = {}
    for fi, fam in enumerate(fams):
        labs = ["f%dc%d" % (fi, ci) for ci in range(len(fam["cands"]))]
        for lv in levels:
            below = sorted((l for l in labs if mem1[l] <= lv), key=lambda l: -mem1[l])
            pick = below[:24] + below[24::max(1, len(below) // 8)][:8]
            for tier in {t for t, _ in fam["cands"]}:
                pick += [l for l in below if fam["cands"][int(l.split("c")[1])][0] == tier][:4]
            for l in pick:
                short[l] = None
    ent2 = [e for e in entries if e[0] in short]
    maxmem = {l: 0.0 for l in short}
    for layer, head in heads:
        for seed in seeds:
            rows = runner.run_many(ent2, layer, head, seed, 1024)
            for lab, _, _ in ent2:
                m = number(rows[lab][-1], "memory_floats", lab)
                maxmem[lab] = max(maxmem[lab], m)
    # Stage 3: among the settings within NEAR of the largest fitting end memory, the one whose peak
    # over checkpoints every PEAK_EVERY tokens (calibration head, seed 1) exceeds the level least,
    # so that a tree caught at a low point of its cycle at n = 1,024 is not picked over a steadier
    # setting; then the largest end memory.
    picks, near_all, lv_of = [], {}, {}
    for fi, fam in enumerate(fams):
        per_level = []
        for lv in levels:
            ok = [l for l in short if l.startswith("f%dc" % fi) and maxmem[l] <= lv]
            if not ok:
                smallest = min((l for l in mem1 if l.startswith("f%dc" % fi)),
                               key=lambda l: mem1[l])
                per_level.append({"none": True, "nearest": mem1[smallest],
                                  "nearest_params": fam["cands"][int(smallest.split("c")[1])][1]})
                continue
            tiers = sorted({fam["cands"][int(l.split("c")[1])][0] for l in ok})
            best, best_tier = None, None
            for tier in tiers:
                in_tier = [l for l in ok if fam["cands"][int(l.split("c")[1])][0] == tier]
                cand = max(in_tier, key=lambda l: maxmem[l])
                if best is None or maxmem[cand] >= FILL * lv:
                    best, best_tier = cand, in_tier
                    if maxmem[cand] >= FILL * lv:
                        break
            near = [l for l in best_tier if maxmem[l] >= NEAR * maxmem[best]]
            for l in near:
                near_all[l] = None
            per_level.append({"none": False, "near": near})
            lv_of[id(per_level[-1])] = lv
        picks.append(per_level)
    ent3 = [e for e in entries if e[0] in near_all]
    rows = runner.run_many(ent3, CAL_HEAD[0], CAL_HEAD[1], 1, PEAK_EVERY)
    peak = {lab: max(number(r, "memory_floats", lab) for r in rows[lab]) for lab, _, _ in ent3}
    chosen = []
    for fi, fam in enumerate(fams):
        per_level = []
        for pk in picks[fi]:
            if pk["none"]:
                per_level.append(pk)
                continue
            best = min(pk["near"], key=lambda l: (max(peak[l], lv_of[id(pk)]), -maxmem[l]))
            ci = int(best.split("c")[1])
            per_level.append({"none": False, "params": fam["cands"][ci][1], "cal_max": maxmem[best]})
        chosen.append(per_level)
    return levels, chosen


def measure(runner, fams, chosen, levels, heads, seeds, extra):
    """Final runs. Returns {label: {(layer, head): {"rel", "eps", "mem", "peak": one per seed}}}."""
    entries = []
    for fi, fam in enumerate(fams):
        for li, ch in enumerate(chosen[fi]):
            if not ch["none"]:
                entries.append(("f%dl%d" % (fi, li), fam["id"], ch["params"]))
    entries += extra
    res = {}
    for layer, head in heads:
        for seed in seeds:
            rows = runner.run_many(entries, layer, head, seed, 64)
            for lab, _, _ in entries:
                where = "%s on L%dH%d seed %d" % (lab, layer, head, seed)
                last = rows[lab][-1]
                d = res.setdefault(lab, {}).setdefault((layer, head), {
                    "rel": [], "eps": [], "mem": [], "peak": []})
                d["rel"].append(number(last, "rel_err_mean", where))
                d["eps"].append(number(last, "eps_fro", where))
                d["mem"].append(number(last, "memory_floats", where))
                d["peak"].append(max(number(r, "memory_floats", where) for r in rows[lab]))
    for fi, fam in enumerate(fams):
        for li, ch in enumerate(chosen[fi]):
            lab = "f%dl%d" % (fi, li)
            if lab in res:
                worst = max(max(d["mem"]) for d in res[lab].values())
                if worst > levels[li]:
                    die("%s at level %d uses %g floats > %g" % (fam["name"], li, worst, levels[li]))
    return res


def gmean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def sig(x):
    if x == 0:
        return "0"
    if abs(x) >= 100 or abs(x) < 1e-3:
        return "%.2g" % x
    return "%.3g" % x


def ratio(x):
    if x < 0.1:
        return "%.3f×" % x
    return ("%.2f×" % x) if x < 10 else ("%.1f×" % x if x < 100 else "%.0f×" % x)


def report(args, fams, chosen, levels, res, heads, broad, prov, elapsed, runs, exact_floats):
    L = []
    w = L.append
    lv_names = ["%d/%d" % lv for lv in LEVELS]
    uni = [fi for fi, f in enumerate(fams) if f["name"] == "uniform"][0]

    def stat(lab, key, which):
        per_head = {h: statistics.mean(res[lab][h][key]) for h in res[lab]}
        if which == "broad":
            return statistics.median(per_head[h] for h in broad)
        return per_head[SHARP]

    def ratios(lab, ulab, key):
        return {h: statistics.mean(res[lab][h][key]) / statistics.mean(res[ulab][h][key])
                for h in res[lab]}

    w(BEGIN)
    w("")
    w("<!-- Generated by scripts/real_attention/memory_table.py: do not edit by hand between "
      "these markers; rerun it. Every number comes from kvscope run on the shipped heads. -->")
    w("")
    w("## The data")
    w("")
    w("The keys, values and queries of PP-OCRv4's text-line recogniser, all 16 heads (2 layers × 8 "
      "heads) of its SVTR neck, one line of n = 1,024 tokens, d = d_v = 15, β = 1/√15 as in the "
      "model: `assets/real/ppocr_v4_line/`, described in the [README, \"Real attention\"](../README.md#real-attention). "
      "Per head, from its `provenance.json` (over every query; logits β⟨k, q⟩):")
    w("")
    w("| head | regime | logit std over keys | ESS 1/Σp² / n | top-16 mass | largest \\|logit\\| "
      "| largest mean share of one key |")
    w("|---|---|---|---|---|---|---|")
    for h in prov["heads"]:
        w("| L%dH%d | %s | %.2f | %.1f %% | %.1f %% | %.1f | %.2f %% |" % (
            h["layer"], h["head"], h["regime"], h["logit_std"], 100 * h["ess_fraction"],
            100 * h["top16_mass"], h["max_abs_logit"], 100 * h["max_mean_key_share"]))
    w("")
    w("Below, \"broad\" is the median over the %d broad heads (each head's value the mean over "
      "%d seeds) and \"sharp\" is L%dH%d.  Ratios to `uniform` are per head (seed means) and then the "
      "geometric mean over the broad heads, or the sharp head's own." % (
          len(broad), len(args_seeds(args)), SHARP[0], SHARP[1]))
    w("")
    w("## Levels and the parameters chosen")
    w("")
    w("The exact cache holds n (d + d_v) = %s floats. The levels are %s of it: %s floats. Each "
      "family's memory parameter was calibrated from measured `memory_floats` at the end of the "
      "stream: the largest setting whose memory is at or below the level on every head and seed "
      "(among settings within 2 %% of that, the one whose peak over the stream exceeds the level "
      "least, then the largest). "
      "\"mem\" is the largest end-of-stream memory over heads and seeds as a share of the level; "
      "\"peak\" is the largest over checkpoints every 64 tokens (merge-and-reduce trees and "
      "one-shot compression hold more in mid-stream than at n = 1,024)." % (
          "{:,}".format(int(exact_floats)), ", ".join(lv_names),
          ", ".join("{:,}".format(int(x)) for x in levels)))
    w("")
    w("| family | " + " | ".join("%s: params (mem, peak)" % n for n in lv_names) + " |")
    w("|---|" + "---|" * len(levels))
    foot = []
    for fi, fam in enumerate(fams):
        cells = []
        for li, ch in enumerate(chosen[fi]):
            if ch["none"]:
                cells.append("—")
                foot.append("`%s` at %s: cannot reach it; its smallest measured setting (%s) holds "
                            "%s floats, %.2f× the level." % (
                                fam["name"], lv_names[li], fmt_params(ch["nearest_params"]),
                                "{:,}".format(int(ch["nearest"])), ch["nearest"] / levels[li]))
                continue
            lab = "f%dl%d" % (fi, li)
            mem = max(max(d["mem"]) for d in res[lab].values()) / levels[li]
            peak = max(max(d["peak"]) for d in res[lab].values()) / levels[li]
            cells.append("%s (%.2f, %.2f)" % (fmt_params(ch["params"]), mem, peak))
        w("| `%s` | %s |" % (fam["name"], " | ".join(cells)))
    w("")
    for f in fams:
        if f["note"]:
            foot.insert(0, "`%s`: %s." % (f["name"], f["note"]))
    for f in foot:
        w("- " + f)
    w("")
    w("## Headline: error ÷ uniform's at the same memory")
    w("")
    w("eps_fro ratio, geometric mean over the broad heads / the sharp head (below 1: better than "
      "uniform).")
    w("")
    w("| family | " + " | ".join("%s broad | %s sharp" % (n, n) for n in lv_names) + " |")
    w("|---|" + "---|---|" * len(levels))
    over10 = []
    for fi, fam in enumerate(fams):
        cells = []
        for li in range(len(levels)):
            lab, ulab = "f%dl%d" % (fi, li), "f%dl%d" % (uni, li)
            if lab not in res:
                cells += ["—", "—"]
                continue
            re = ratios(lab, ulab, "eps")
            rr = ratios(lab, ulab, "rel")
            cells += [ratio(gmean([re[h] for h in broad])), ratio(re[SHARP])]
            for h in heads:
                for key, rs in (("eps_fro", re), ("rel_err", rr)):
                    if rs[h] > 10:
                        over10.append((fam["name"], lv_names[li], h, key, rs[h]))
        w("| `%s` | %s |" % (fam["name"], " | ".join(cells)))
    w("")
    for li, lv in enumerate(levels):
        w("## Level %s (%s floats)" % (lv_names[li], "{:,}".format(int(lv))))
        w("")
        w("| family | rel_err broad | rel_err sharp | eps_fro broad | eps_fro sharp "
          "| ÷ uniform rel_err broad / sharp | ÷ uniform eps_fro broad / sharp |")
        w("|---|---|---|---|---|---|---|")
        for fi, fam in enumerate(fams):
            lab, ulab = "f%dl%d" % (fi, li), "f%dl%d" % (uni, li)
            if lab not in res:
                w("| `%s` | — | — | — | — | — | — |" % fam["name"])
                continue
            rr, re = ratios(lab, ulab, "rel"), ratios(lab, ulab, "eps")
            w("| `%s` | %s | %s | %s | %s | %s / %s | %s / %s |" % (
                fam["name"], sig(stat(lab, "rel", "broad")), sig(stat(lab, "rel", "sharp")),
                sig(stat(lab, "eps", "broad")), sig(stat(lab, "eps", "sharp")),
                ratio(gmean([rr[h] for h in broad])), ratio(rr[SHARP]),
                ratio(gmean([re[h] for h in broad])), ratio(re[SHARP])))
        w("")
    # QJL against uniform at QJL's own memory.
    if "qjl64" in res:
        qm = max(max(d["mem"]) for d in res["qjl64"].values())
        um = max(max(d["mem"]) for d in res["uni_qjl"].values())
        rr, re = ratios("qjl64", "uni_qjl", "rel"), ratios("qjl64", "uni_qjl", "eps")
        w("## Outside the levels: `qjl`")
        w("")
        w("`qjl` keeps every value at 32 bits (n d_v = 15,360 floats, half the exact cache) and "
          "cannot reach any level. At its default bits = 64 it holds %s floats; `uniform` with "
          "budget %d holds %s. `qjl` ÷ `uniform` there: rel_err %s broad / %s sharp, eps_fro "
          "%s / %s (rel_err %s and %s against %s and %s)." % (
              "{:,}".format(int(qm)), args.qjl_budget, "{:,}".format(int(um)),
              ratio(gmean([rr[h] for h in broad])), ratio(rr[SHARP]),
              ratio(gmean([re[h] for h in broad])), ratio(re[SHARP]),
              sig(stat("qjl64", "rel", "broad")), sig(stat("qjl64", "rel", "sharp")),
              sig(stat("uni_qjl", "rel", "broad")), sig(stat("uni_qjl", "rel", "sharp"))))
        for h in heads:
            for key, rs in (("eps_fro", re), ("rel_err", rr)):
                if rs[h] > 10:
                    over10.append(("qjl", "own memory", h, key, rs[h]))
        w("")
    w("## Worse than 10× uniform at equal memory")
    w("")
    if not over10:
        w("None: on every head, at every level, every family's rel_err and eps_fro (seed means) "
          "are within 10× of uniform's.")
    else:
        w("| family | level | head | metric | ÷ uniform |")
        w("|---|---|---|---|---|")
        for name, lvn, h, key, r in over10:
            w("| `%s` | %s | L%dH%d | %s | %s |" % (name, lvn, h[0], h[1], key, ratio(r)))
    w("")
    w("No value was missing or non-finite (the script stops otherwise).")
    w("")
    w("## How this was made")
    w("")
    w("```\nscripts/real_attention/memory_table.py --kvscope build/kvscope --seeds %d "
      "--out docs/real_attention.md\n```" % args.seeds)
    w("")
    w("%d `kvscope run` invocations (calibration and the final runs; one config per head and seed "
      "holds every chosen instance, timing off, probe_queries 256), seeds 1–%d, on %s (%d CPU "
      "cores, shared), %s UTC: %.0f s in all." % (
          runs, args.seeds, platform.machine(), os.cpu_count() or 0,
          datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"), elapsed))
    w("")
    w(END)
    return L, over10


def write_doc(path, block):
    """Replaces the generated block of an existing file, or writes a new file around it."""
    text = None
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            text = head + block.rstrip("\n") + rest.split(END, 1)[1]
    if text is None:
        text = "# Every sketch on real attention, at equal memory\n\n" + block
    with open(path, "w") as f:
        f.write(text)


def args_seeds(args):
    return list(range(1, args.seeds + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kvscope", required=True, help="path to the kvscope binary")
    ap.add_argument("--out", help="markdown file to write (default: print)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds 1..N (default 3)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "..", "..", "assets", "real", "ppocr_v4_line"))
    args = ap.parse_args()
    if args.seeds < 1:
        die("--seeds must be at least 1")
    if not os.access(args.kvscope, os.X_OK):
        die("not an executable: " + args.kvscope)
    with open(os.path.join(args.data, "provenance.json")) as f:
        prov = json.load(f)
    heads = [(h["layer"], h["head"]) for h in prov["heads"]]
    broad = [(h["layer"], h["head"]) for h in prov["heads"] if h["regime"] == "broad"]
    if SHARP not in heads or len(heads) != 16:
        die("expected 16 heads with L1H3 among them")
    exact_floats = 1024 * (15 + 15)
    seeds = args_seeds(args)
    fams = families()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="memtable") as tmp:
        runner = Runner(os.path.abspath(args.kvscope), args.data, tmp)
        levels, chosen = calibrate(runner, fams, heads, seeds, exact_floats)
        print("calibrated in %.0f s" % (time.time() - t0), file=sys.stderr)
        # uniform at qjl's default memory (qjl reaches no level), calibrated on the calibration head
        qrows = runner.run([("q", "qjl", {"bits": 64})] +
                           [("u%d" % b, "uniform", {"budget": b}) for b in range(500, 700)],
                           CAL_HEAD[0], CAL_HEAD[1], 1, 1024)
        qmem = number(qrows["q"][-1], "memory_floats", "qjl")
        args.qjl_budget = max(b for b in range(500, 700)
                              if number(qrows["u%d" % b][-1], "memory_floats", "u") <= qmem)
        extra = [("qjl64", "qjl", {"bits": 64}),
                 ("uni_qjl", "uniform", {"budget": args.qjl_budget})]
        res = measure(runner, fams, chosen, levels, heads, seeds, extra)
        elapsed = time.time() - t0
        lines, over10 = report(args, fams, chosen, levels, res, heads, broad, prov, elapsed,
                               runner.count, exact_floats)
    text = "\n".join(lines) + "\n"
    if args.out:
        write_doc(args.out, text)
        print("wrote %s (%.0f s, %d runs)" % (args.out, elapsed, runner.count), file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
