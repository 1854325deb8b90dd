#!/usr/bin/env bash
# The explorer saves the session on SIGTERM (issue 15, item 7): started under Xvfb on frames
# that would take hours, it is sent SIGTERM once its handler is installed (read from
# /proc/PID/status, so the test never guesses a delay); it must exit 143, say where it saved on
# stderr, and leave a session file that kvscope accepts as a config. Usage:
# explorer_sigterm.sh KVSCOPE XVFB_RUN OUT_DIR
set -u
kvscope=$1
xvfb_run=$2
out=$3
rm -rf "$out"
mkdir -p "$out/config"
cat >"$out/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -u
kvscope=$1
out=$2
XDG_CONFIG_HOME="$out/config" "$kvscope" gui --frames 100000000 --speed 16 \
  --width 800 --height 600 2>"$out/stderr.txt" >"$out/stdout.txt" &
pid=$!
# Ready once SIGTERM (bit 15, mask 0x4000) is caught; 60 s at most, then give up.
for _ in $(seq 600); do
  caught=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  if [ -n "$caught" ] && (( (16#$caught & 0x4000) != 0 )); then break; fi
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
echo $? >"$out/code.txt"
INNER
chmod +x "$out/inner.sh"
"$xvfb_run" -a -s "-screen 0 1024x768x24" "$out/inner.sh" "$kvscope" "$out"
code=$(cat "$out/code.txt" 2>/dev/null || echo none)
fail=0
if [ "$code" != 143 ]; then echo "FAIL: exit code $code, expected 143"; fail=1; fi
session="$out/config/kvscope/last_session.json"
if ! grep -q "SIGTERM: saved the session to $session" "$out/stderr.txt"; then
  echo "FAIL: stderr does not say where the session went:"; cat "$out/stderr.txt"; fail=1
fi
if [ ! -s "$session" ]; then
  echo "FAIL: no session at $session"; fail=1
elif ! "$kvscope" run --config "$session" --out "$out/rerun" --tokens 64 --quiet; then
  echo "FAIL: the saved session is not a config kvscope accepts"; fail=1
fi
[ $fail = 0 ] && echo "ok: exit 143, session saved to $session"
exit $fail
