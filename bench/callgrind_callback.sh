#!/usr/bin/env bash
# Instructions per callback request, counted by callgrind: exact and repeatable whatever else
# the machine does (timings on a shared 2-core machine are not), so it shows what a change
# to the server bought. The server runs under valgrind; wrk drives it with the same safe-mode
# requests as bench/run_callback_bench.sh; the counters are zeroed after a warm-up and dumped
# after the measured run; the server's own /metrics counts the requests in between.
#
#   bench/callgrind_callback.sh [floor|safe|plain|dedup ...]      (default: floor safe)
#
# Prints "CALLGRIND <what> requests=N instructions=I per_request=I/N" and keeps the profile
# (callgrind_annotate it) in $OUT_DIR (default: a temp dir, printed).
# Environment: BUILD_DIR=<repo>/build CONNECTIONS=16 DURATION=10s THREADS=2 REQUESTS=20000
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(realpath -m "${BUILD_DIR:-$ROOT/build}")
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
REQUESTS=${REQUESTS:-20000}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/xiaoqu-callgrind.XXXXXX")}
LUA="$ROOT/bench/callback_wrk.lua"
WHAT=("$@")
[[ ${#WHAT[@]} -gt 0 ]] || WHAT=(floor safe)

die() { echo "callgrind_callback: FAIL: $*" >&2; exit 1; }
for tool in valgrind callgrind_control wrk curl cc; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ -x "$BUILD/xiaoqu" && -x "$BUILD/callback_gen" ]] || die "build xiaoqu and callback_gen in $BUILD first"
cp "$BUILD/xiaoqu" "$BUILD/callback_gen" "$OUT_DIR/"
cc -O2 -g -pthread -o "$OUT_DIR/floor_server" "$ROOT/bench/floor_server.c"
"$OUT_DIR/callback_gen" --mode safe --count "$REQUESTS" --seed 1 --out "$OUT_DIR/safe.txt"
"$OUT_DIR/callback_gen" --mode plain --count "$REQUESTS" --seed 2 --out "$OUT_DIR/plain.txt"

PID=""
cleanup() { [[ -z "$PID" ]] || { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
count() { curl -fsS --max-time 30 "http://127.0.0.1:$PORT/metrics" |
  awk 'index($0, "xiaoqu_http_requests_total{route=\"/wechat/callback\"") == 1 {s += $NF} END {printf "%d\n", s}'; }
drive() {  # $1 request file, $2 duration
  wrk -t1 -c"$CONNECTIONS" -d"$2" --timeout 30s -s "$LUA" "http://127.0.0.1:$PORT" -- "$1" >"$OUT_DIR/wrk.txt" 2>&1 ||
    { cat "$OUT_DIR/wrk.txt" >&2; die "wrk failed"; }
  ! grep -q "Non-2xx" "$OUT_DIR/wrk.txt" || { cat "$OUT_DIR/wrk.txt" >&2; die "some answers were not 2xx"; }
}

for what in "${WHAT[@]}"; do
  PORT=$(port)
  vg=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT_DIR/callgrind.$what.%p")
  file="$OUT_DIR/safe.txt"
  case "$what" in
    floor) "${vg[@]}" "$OUT_DIR/floor_server" "$PORT" "$THREADS" 2>"$OUT_DIR/$what.log" & ;;
    safe | plain | dedup)
      dedup=false; [[ "$what" == dedup ]] && dedup=true
      [[ "$what" == plain ]] && file="$OUT_DIR/plain.txt"
      if [[ "$what" == dedup ]]; then
        # Fresh MsgIds for the measured run, others for the warm-up: none is a duplicate.
        "$OUT_DIR/callback_gen" --mode safe --count "$REQUESTS" --seed 3 --first-index 100000000 --out "$OUT_DIR/dedup.txt"
        "$OUT_DIR/callback_gen" --mode safe --count "$REQUESTS" --seed 4 --first-index 200000000 --out "$OUT_DIR/dedup-warmup.txt"
        file="$OUT_DIR/dedup.txt"
      fi
      cat >"$OUT_DIR/$what.json" <<EOF
{"server": {"listen": "127.0.0.1", "port": $PORT, "threads": $THREADS, "shutdown_grace_ms": 2000},
 "store": {"path": "$OUT_DIR/$what/xiaoqu.db"}, "log": {"level": "warn"},
 "callbacks": {"timestamp_window_seconds": 0, "dedup": $dedup},
 "official_accounts": {"wx5d3c9a1b7e20f468": {"mode": "safe", "name": "阳光花园"}, "wxplain0000000001": {"mode": "plaintext"}}}
EOF
      env XIAOQU_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
        XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN=xiaoquMpToken2024 \
        XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY=Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR \
        XIAOQU_OFFICIAL_ACCOUNTS__WXPLAIN0000000001__TOKEN=plainToken42 \
        "${vg[@]}" "$OUT_DIR/xiaoqu" serve --config "$OUT_DIR/$what.json" 2>"$OUT_DIR/$what.log" & ;;
    *) die "unknown run $what (floor, safe, plain, dedup)" ;;
  esac
  PID=$!
  for _ in $(seq 600); do curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/metrics" 2>/dev/null && break; sleep 0.2; done
  callgrind_control -i on "$PID" >/dev/null 2>&1
  warm=$file; [[ "$what" == dedup ]] && warm="$OUT_DIR/dedup-warmup.txt"
  drive "$warm" 3s
  callgrind_control -z "$PID" >/dev/null 2>&1
  n0=$(count)
  drive "$file" "$DURATION"
  n1=$(count)
  callgrind_control -d "$what" "$PID" >/dev/null 2>&1
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  # The dump taken after zeroing: the part whose trigger names this run, summed over threads.
  ir=$(for f in "$OUT_DIR"/callgrind."$what".*; do
         if grep -q "^desc: Trigger: dump $what" "$f"; then sed -n 's/^summary: //p' "$f"; fi
       done | awk '{s += $1} END {printf "%d\n", s}')
  n=$((n1 - n0))
  [[ "$n" -gt 0 ]] || die "$what: no request counted"
  echo "CALLGRIND $what requests=$n instructions=$ir per_request=$((ir / n)) load=$(cut -d' ' -f1 /proc/loadavg)"
done
echo "profiles in $OUT_DIR (callgrind_annotate \$file)" >&2
