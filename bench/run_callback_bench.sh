#!/usr/bin/env bash
# End-to-end callback throughput: the real `xiaoqu serve` on loopback, driven by wrk with
# distinct, correctly signed Official Account text pushes (bench/callback_gen.cpp).
#
#   bench/run_callback_bench.sh
#
# Figures:
#   (f) the floor: bench/floor_server.c, a few dozen lines of C that answer "success" to the same
#       safe-mode requests with no WeChat work (accept, read, write on loopback; one epoll
#       thread per core, as the gateway has one io_context per core)
#   (a) safe mode (encrypted envelope, encrypted passive reply), de-duplication off
#   (b) plaintext mode, de-duplication off
#   (h) baseline, only with RUNS containing h: POST /healthz, i.e. the HTTP stack without a callback
#   (c) safe mode with de-duplication and persistence (every push claims a key in memory and
#       is committed to SQLite before it is answered); the requests are fresh so none is a
#       duplicate, unless the run outlasts the generated set (then the count is reported).
# For each: requests/s and server CPU per request (utime+stime of the server process from
# /proc/PID/stat) over a steady window inside the wrk run, counted by the server's own metrics;
# p50/p90/p99 latency from wrk; and how many cores wrk and other processes used meanwhile
# (wrk shares the machine with the server: on 2 cores it takes a fair part of one).
# Fails when any response is not 2xx, the server refused anything, or it does not exit 0.
#
# Environment (defaults):
#   WRK_THREADS=2 WRK_CONNECTIONS=64 WRK_DURATION=10s WRK_TIMEOUT=5s WARMUP_DURATION=2s
#   SERVER_THREADS=$(nproc) REQUESTS=20000 (distinct requests for (a) and (b))
#   DEDUP_HEADROOM=1.5 (requests generated for (c) = rate of (a) x duration x headroom)
#   SETTLE=0.5 (seconds after all wrk threads started before the measuring window opens)
#   END_MARGIN=2 (seconds before wrk's end when the window closes)
#   BUILD_DIR=<repo>/build SKIP_BUILD=0 KEEP_TMP=0
#   PERF=0 (1: perf record -e cpu-clock the server during run PERF_RUN=a_safe|b_plain|c_safe_dedup|h_healthz,
#           PERF_CALLGRAPH= (e.g. dwarf; the build has no frame pointers), PERF_FREQ=2000; the profile
#           perturbs that run's figures)
#   RUNS="f a b c" (which figures to run; add h for the /healthz baseline)
# Lines starting with RESULT are meant for grep.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(realpath -m "${BUILD_DIR:-$ROOT/build}")
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
WARMUP_DURATION=${WARMUP_DURATION:-2s}
SERVER_THREADS=${SERVER_THREADS:-$(nproc)}
REQUESTS=${REQUESTS:-20000}
DEDUP_HEADROOM=${DEDUP_HEADROOM:-1.5}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
PERF=${PERF:-0}
PERF_RUN=${PERF_RUN:-a_safe}
PERF_CALLGRAPH=${PERF_CALLGRAPH:-}
PERF_FREQ=${PERF_FREQ:-2000}
RUNS=${RUNS:-"f a b c"}
LUA="$ROOT/bench/callback_wrk.lua"
CLK_TCK=$(getconf CLK_TCK)

SETTLE=${SETTLE:-0.5}
# The window closes this long before wrk's end: on a loaded machine the samples themselves take time.
END_MARGIN=${END_MARGIN:-2}
CB_ROUTE='route="/wechat/callback",status="200"'
HZ_ROUTE='route="/healthz",status="200"'

SAFE_APPID=wx5d3c9a1b7e20f468
PLAIN_APPID=wxplain0000000001

die() {
  echo "run_callback_bench: FAIL: $*" >&2
  exit 1
}
log() { echo "== $*" >&2; }

for tool in wrk curl cmake getconf cc; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install $tool)"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/xiaoqu-bench.XXXXXX")
cd "$TMP"  # whatever a tool drops in its working directory stays in the temp dir
SERVER_PID=""
PERF_PID=""
WRK_PID=""

stop_server_quietly() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  if [[ -n "$PERF_PID" ]]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; fi
  if [[ -n "$WRK_PID" ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
  stop_server_quietly
  if [[ "$KEEP_TMP" == 1 || $rc -ne 0 ]]; then
    echo "run_callback_bench: files kept in $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# "10s", "2m", "1h", "30" -> seconds
to_seconds() {
  local d=$1
  case "$d" in
    *ms) echo "scale=3; ${d%ms}/1000" | bc 2>/dev/null || echo 1 ;;
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *h) echo $(( ${d%h} * 3600 )) ;;
    *) echo "$d" ;;
  esac
}

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! ss -Htln "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  die "no free port found"
}

# TICKS = utime + stime (clock ticks) of a process, all threads included. No subshell: on a
# loaded machine every fork delays the sample.
TICKS=0
cpu_ticks() {
  local s
  s=$(<"/proc/$1/stat") || die "process $1 is gone"
  s=${s##*) }  # drop "pid (comm) ", comm may contain spaces
  # shellcheck disable=SC2086
  set -- $s
  TICKS=$(( ${12} + ${13} ))
}

# busy and total clock ticks of the whole machine (all cores) from /proc/stat.
machine_ticks() {
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6; exit}' /proc/stat
}

# ---------------------------------------------------------------------------------------------
# Build (Release) the server and the generator.
if [[ "$SKIP_BUILD" != 1 ]]; then
  if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    log "configuring $BUILD (Release)"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
  [[ "$build_type" == Release ]] || die "$BUILD is configured as '$build_type', not Release; use BUILD_DIR=<a Release build dir>"
  log "building xiaoqu and callback_gen in $BUILD"
  cmake --build "$BUILD" --target xiaoqu callback_gen >&2
fi
[[ -x "$BUILD/xiaoqu" && -x "$BUILD/callback_gen" ]] || die "missing $BUILD/xiaoqu or $BUILD/callback_gen"
cc -O2 -pthread -o "$TMP/floor_server" "$ROOT/bench/floor_server.c" || die "cannot build bench/floor_server.c"
# Private copies: a concurrent build relinking build/xiaoqu must not change what is measured.
cp "$BUILD/xiaoqu" "$BUILD/callback_gen" "$TMP/"
XIAOQU="$TMP/xiaoqu"
GEN="$TMP/callback_gen"
log "xiaoqu binary: $(stat -c '%y' "$BUILD/xiaoqu") $("$XIAOQU" version 2>/dev/null || true)"

# ---------------------------------------------------------------------------------------------
write_config() {  # $1 file, $2 port, $3 dedup (true/false), $4 db path
  cat >"$1" <<EOF
{
  "server": {"listen": "127.0.0.1", "port": $2, "threads": $SERVER_THREADS, "shutdown_grace_ms": 2000,
             "max_connections": 10000},
  "store": {"path": "$4"},
  "log": {"level": "warn"},
  "callbacks": {"timestamp_window_seconds": 0, "dedup": $3, "dedup_ttl_seconds": 600},
  "official_accounts": {
    "$SAFE_APPID": {"mode": "safe", "name": "阳光花园"},
    "$PLAIN_APPID": {"mode": "plaintext"}
  }
}
EOF
}

PORT=""
start_server() {  # $1 name, $2 dedup
  local name=$1 dedup=$2
  PORT=$(free_port)
  write_config "$TMP/$name.json" "$PORT" "$dedup" "$TMP/$name/xiaoqu.db"
  log "starting xiaoqu ($name: dedup=$dedup, threads=$SERVER_THREADS) on 127.0.0.1:$PORT"
  # Only these XIAOQU_* variables: any others in the caller's environment would override the file.
  local unset_args=()
  while IFS= read -r v; do unset_args+=(-u "$v"); done < <(compgen -e | grep '^XIAOQU_' || true)
  env "${unset_args[@]}" XIAOQU_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
    XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__TOKEN=xiaoquMpToken2024 \
    XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__ENCODING_AES_KEY=Q7mZ2xK9pL4vN8rT1wY6sB3dF5gH0jC2eA9uV7iO4kR \
    XIAOQU_OFFICIAL_ACCOUNTS__WXPLAIN0000000001__TOKEN=plainToken42 \
    "$XIAOQU" serve --config "$TMP/$name.json" >"$TMP/$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$TMP/$name.log" >&2
      die "xiaoqu exited during start-up"
    fi
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/readyz" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  cat "$TMP/$name.log" >&2
  die "xiaoqu not ready after 10 s"
}

start_floor() {
  PORT=$(free_port)
  log "starting the floor server (threads=$SERVER_THREADS) on 127.0.0.1:$PORT"
  "$TMP/floor_server" "$PORT" "$SERVER_THREADS" >"$TMP/floor.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/floor.log" >&2; die "the floor server exited during start-up"; }
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/metrics" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "the floor server not ready after 10 s"
}

stop_server() {  # checks the exit status of a SIGTERM
  local pid=$SERVER_PID rc=0
  log "stopping the server (SIGTERM)"
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  SERVER_PID=""
  [[ $rc -eq 0 ]] || { cat "$TMP"/*.log >&2; die "xiaoqu exited with status $rc after SIGTERM (expected 0)"; }
  log "xiaoqu exited 0"
}

metric() {  # sum of a metric family (optionally filtered by a label substring)
  curl -fsS --max-time 5 "http://127.0.0.1:$PORT/metrics" |
    awk -v m="$1" -v f="${2:-}" 'index($0, m) == 1 && (f == "" || index($0, f) > 0) {s += $NF} END {printf "%d\n", s}'
}

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }

# Sets SAMPLE to "time_s server_ticks wrk_ticks machine_busy_ticks requests_on_route server_ctx_switches".
# (A function, not $(...), so that die() stops the script.)
SAMPLE=""
sample() {  # $1 wrk pid, $2 route filter for xiaoqu_http_requests_total
  local now srv wrkt mach reqs
  [[ -r "/proc/$1/stat" ]] || die "wrk (pid $1) ended before the measuring window closed"
  [[ -r "/proc/$SERVER_PID/stat" ]] || die "the server (pid $SERVER_PID) is gone"
  now=$EPOCHREALTIME
  cpu_ticks "$1"
  wrkt=$TICKS
  cpu_ticks "$SERVER_PID"
  srv=$TICKS
  mach=$(machine_ticks)
  reqs=$(metric xiaoqu_http_requests_total "$2")
  SAMPLE="$now $srv $wrkt ${mach%% *} $reqs $(ctx_switches "$SERVER_PID")"
}

# Context switches (voluntary + involuntary) of all threads of a process.
ctx_switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches:/ {s += $2} END {printf "%d\n", s}'
}

# Runs wrk once; $1 label, $2 request file, $3 duration, $4 measure (1) or warm-up (0),
# $5 the route label the server counts these requests under.
#
# wrk loads every thread's script (and our request file) one thread after the other and
# starts each thread as soon as it is loaded; its clock starts after the last one. The Lua
# script holds every thread back until all are loaded (barrier directory), and throughput and
# CPU are measured server-side over a steady window: from SETTLE after wrk printed "Running"
# (all threads loaded) to END_MARGIN before its end. Latency percentiles are wrk's, whole run.
run_wrk() {
  local label=$1 file=$2 duration=$3 measure=$4 route=$5
  local out="$TMP/wrk-$label.txt"
  local rej0 rej1 dup0 dup1 s0="" s1=""
  rej0=$(metric xiaoqu_rejections_total)
  dup0=$(metric xiaoqu_callback_duplicates_total)
  local barrier="$TMP/barrier-$label"
  rm -rf "$barrier" && mkdir "$barrier"
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$duration" --timeout "$WRK_TIMEOUT" --latency \
    -s "$LUA" "http://127.0.0.1:$PORT" -- "$file" "$WRK_THREADS" "$barrier" >"$out" 2>&1 &
  WRK_PID=$!
  if [[ "$measure" == 1 ]]; then
    local secs_total window t_ready
    secs_total=$(to_seconds "$duration")
    # All threads loaded = every thread wrote its barrier file (wrk's own "Running" line sits
    # in its stdout buffer until it exits).
    local ready=0
    for _ in $(seq 6000); do
      ready=$(find "$barrier" -name 'ready.*' | wc -l)
      [[ "$ready" -ge "$WRK_THREADS" ]] && break
      kill -0 "$WRK_PID" 2>/dev/null || break
      sleep 0.1
    done
    [[ "$ready" -ge "$WRK_THREADS" ]] || { wait "$WRK_PID" || true; cat "$out" >&2; die "wrk did not start ($label)"; }
    t_ready=$EPOCHREALTIME
    sleep "$SETTLE"
    sample "$WRK_PID" "$route"
    s0=$SAMPLE
    # What is left of wrk's run once the first sample is in (it takes a while on a loaded machine).
    window=$(awk -v r="$t_ready" -v now="${s0%% *}" -v d="$secs_total" -v m="$END_MARGIN" 'BEGIN {printf "%.2f", r + d - m - now}')
    awk -v w="$window" 'BEGIN {exit !(w < 1)}' && die "$label: no time left to measure (window $window s): the machine is too loaded, or raise WRK_DURATION"
    if [[ "$PERF" == 1 && "$label" == "$PERF_RUN" ]] && command -v perf >/dev/null; then
      local cg=()
      [[ -n "$PERF_CALLGRAPH" ]] && cg=(--call-graph "$PERF_CALLGRAPH")
      perf record -e cpu-clock -F "$PERF_FREQ" "${cg[@]}" -p "$SERVER_PID" -o "$TMP/perf-$label.data" >/dev/null 2>&1 &
      PERF_PID=$!
    fi
    sleep "$window"
    sample "$WRK_PID" "$route"
    s1=$SAMPLE
    if [[ -n "$PERF_PID" ]]; then
      kill -INT "$PERF_PID" 2>/dev/null || true
      wait "$PERF_PID" 2>/dev/null || true
      PERF_PID=""
      perf report -i "$TMP/perf-$label.data" --no-children --stdio -g none --percent-limit 0.5 2>/dev/null |
        grep -E '^ +[0-9.]+%' >"$TMP/perf-$label.txt" || true
      log "perf profile of the server during $label: $TMP/perf-$label.txt (kept: KEEP_TMP=1)"
      KEEP_TMP=1
    fi
  fi
  local rc=0
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  [[ $rc -eq 0 ]] || { cat "$out" >&2; die "wrk failed ($label, status $rc)"; }
  rej1=$(metric xiaoqu_rejections_total)
  dup1=$(metric xiaoqu_callback_duplicates_total)
  [[ "$measure" == 1 ]] && sed 's/^/    wrk| /' "$out" >&2

  if grep -q "Non-2xx or 3xx responses" "$out"; then
    grep "Non-2xx or 3xx responses" "$out" >&2
    curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^xiaoqu_(rejections_total|http_requests_total)' | awk '$NF != 0' >&2 || true
    die "$label: some responses were not 2xx"
  fi
  local line
  line=$(grep '^CALLBACK_WRK ' "$out") || { cat "$out" >&2; die "$label: no CALLBACK_WRK line from wrk"; }
  [[ "$(field non2xx "$line")" == 0 ]] || die "$label: non-2xx responses: $line"
  [[ $((rej1 - rej0)) -eq 0 ]] || die "$label: the server refused $((rej1 - rej0)) requests (xiaoqu_rejections_total)"
  if grep -q "Socket errors" "$out"; then echo "WARNING: $label: $(grep 'Socket errors' "$out")" >&2; fi
  [[ "$measure" == 1 ]] || return 0

  local requests rps p50 p90 p99 wraps dups
  requests=$(field requests "$line")
  rps=$(field rps "$line")
  p50=$(field p50_us "$line")
  p90=$(field p90_us "$line")
  p99=$(field p99_us "$line")
  wraps=$(field wraps "$line")
  dups=$((dup1 - dup0))
  [[ "$requests" -gt 0 ]] || die "$label: wrk completed no request"
  # Steady-window figures: rate, server CPU per request, and who used the cores.
  local w
  w=$(awk -v a="$s0" -v b="$s1" -v hz="$CLK_TCK" 'BEGIN {split(a, x, " "); split(b, y, " ");
    dt = y[1] - x[1]; n = y[5] - x[5];
    if (dt <= 0 || n <= 0) { print "0 0 0 0 0 0 0 0"; exit }
    srv = (y[2] - x[2]) / hz; wk = (y[3] - x[3]) / hz; mach = (y[4] - x[4]) / hz;
    other = mach - srv - wk; if (other < 0) other = 0;
    printf "%.1f %.1f %.2f %.2f %.2f %.2f %d %.2f\n", n / dt, srv * 1e6 / n, srv / dt, wk / dt, other / dt, mach / dt, n,
      (y[6] - x[6]) / n}')
  local srv_rps cpu_us cores wrk_cores other_cores machine n_window ctxsw
  read -r srv_rps cpu_us cores wrk_cores other_cores machine n_window ctxsw <<<"$w"
  [[ "$n_window" -gt 0 ]] || die "$label: the server counted no request in the measuring window"
  if awk -v o="$other_cores" 'BEGIN {exit !(o > 0.2)}'; then
    echo "WARNING: $label: other processes used $other_cores cores during the run; its figures are perturbed" >&2
    PERTURBED+=("$label")
  fi
  echo "RESULT $label rps=$srv_rps rps_wrk=$rps p50_us=$p50 p90_us=$p90 p99_us=$p99 server_cpu_us_per_req=$cpu_us server_cpu_cores=$cores wrk_cores=$wrk_cores other_cores=$other_cores machine_busy_cores=$machine server_ctx_switches_per_req=$ctxsw requests_window=$n_window requests_wrk=$requests duplicates=$dups list_wraps=$wraps load1=$(cut -d' ' -f1 /proc/loadavg)"
  SUMMARY+=("$(printf '%-40s %9s req/s  p50 %5.2f ms  p99 %5.2f ms  server CPU %5s us/req  (cores: server %s, wrk %s, others %s; load %s)%s' \
    "$(describe "$label")" "$srv_rps" "$(awk -v u="$p50" 'BEGIN {print u / 1000}')" \
    "$(awk -v u="$p99" 'BEGIN {print u / 1000}')" "$cpu_us" "$cores" "$wrk_cores" "$other_cores" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$([[ "$dups" -gt 0 ]] && echo "  [$dups of $requests were duplicates]")")")
  [[ "$label" == a_safe ]] && A_RPS=$srv_rps
  RPS[$label]=$srv_rps
  CPU_US[$label]=$cpu_us
  return 0
}

# Sends the first request of a file once with curl: a 200 whose body contains $2.
check_one() {  # $1 file, $2 expected substring of the answer
  local line target body answer
  line=$(head -n 1 "$1")
  target=${line%%$'\t'*}
  body=${line#*$'\t'}
  answer=$(curl -sS --max-time 5 -w '\nHTTP %{http_code}' -H 'Content-Type: text/xml' --data-binary "$body" \
    "http://127.0.0.1:$PORT$target") || die "curl failed on the first request of $1"
  [[ "$answer" == *"HTTP 200" && "$answer" == *"$2"* ]] || die "unexpected answer to the first request of $1: $answer"
}

describe() {
  case "$1" in
    f_floor) echo " (f) floor: bench/floor_server.c" ;;
    a_safe) echo " (a) safe mode" ;;
    b_plain) echo " (b) plaintext mode" ;;
    c_safe_dedup) echo " (c) safe mode + dedup + persistence" ;;
    h_healthz) echo " (h) baseline: POST /healthz (HTTP only)" ;;
  esac
}

SUMMARY=()
PERTURBED=()
declare -A RPS=() CPU_US=()
A_RPS=""
DURATION_S=$(to_seconds "$WRK_DURATION")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION; server threads $SERVER_THREADS"

want() { [[ " $RUNS " == *" $1 "* ]]; }

# The figures are only meaningful on an otherwise idle machine: say so when it is not.
idle0=$(machine_ticks)
sleep 1
idle1=$(machine_ticks)
busy_before=$(awk -v a="$idle0" -v b="$idle1" -v s="$(nproc)" 'BEGIN {split(a, x, " "); split(b, y, " ");
  t = y[2] - x[2]; printf "%.2f", (t > 0 ? (y[1] - x[1]) / t * s : 0)}')
if awk -v b="$busy_before" 'BEGIN {exit !(b > 0.25)}'; then
  echo "WARNING: the machine was already busy ($busy_before cores) before the benchmark; figures will be low and noisy:" >&2
  ps -eo pid,pcpu,comm --sort=-pcpu | head -6 >&2
fi

if want f || want a || want b || want h; then
  log "generating $REQUESTS safe and $REQUESTS plaintext requests"
  "$GEN" --mode safe --count "$REQUESTS" --seed 1 --out "$TMP/safe.txt"
  "$GEN" --mode plain --count "$REQUESTS" --seed 2 --out "$TMP/plain.txt"
fi

if want f; then
  start_floor
  log "(f) the floor: warm-up $WARMUP_DURATION, then $WRK_DURATION"
  run_wrk warmup_f "$TMP/safe.txt" "$WARMUP_DURATION" 0 "$CB_ROUTE"
  run_wrk f_floor "$TMP/safe.txt" "$WRK_DURATION" 1 "$CB_ROUTE"
  stop_server
fi

if want a || want b || want h; then
  start_server nodedup false
  check_one "$TMP/safe.txt" "<Encrypt><![CDATA["   # an encrypted passive reply
  check_one "$TMP/plain.txt" "<Content><![CDATA["   # a plaintext passive reply
  if want a; then
    log "(a) safe mode: warm-up $WARMUP_DURATION, then $WRK_DURATION"
    run_wrk warmup_a "$TMP/safe.txt" "$WARMUP_DURATION" 0 "$CB_ROUTE"
    run_wrk a_safe "$TMP/safe.txt" "$WRK_DURATION" 1 "$CB_ROUTE"
  fi
  if want b; then
    log "(b) plaintext mode: warm-up $WARMUP_DURATION, then $WRK_DURATION"
    run_wrk warmup_b "$TMP/plain.txt" "$WARMUP_DURATION" 0 "$CB_ROUTE"
    run_wrk b_plain "$TMP/plain.txt" "$WRK_DURATION" 1 "$CB_ROUTE"
  fi
  if want h; then
    log "(h) baseline POST /healthz: warm-up $WARMUP_DURATION, then $WRK_DURATION"
    for i in $(seq 64); do printf '/healthz?n=%d\t\n' "$i"; done >"$TMP/healthz.txt"
    run_wrk warmup_h "$TMP/healthz.txt" "$WARMUP_DURATION" 0 "$HZ_ROUTE"
    run_wrk h_healthz "$TMP/healthz.txt" "$WRK_DURATION" 1 "$HZ_ROUTE"
  fi
  stop_server
fi

if want c; then
  # Enough fresh requests for the whole run at the rate of (a) (or 30000/s when (a) did not run).
  rate=${A_RPS:-30000}
  count=$(awk -v r="$rate" -v d="$DURATION_S" -v h="$DEDUP_HEADROOM" 'BEGIN {printf "%d", r * d * h + 1000}')
  log "(c) generating $count fresh safe-mode requests (+ $REQUESTS for the warm-up, other MsgIds)"
  "$GEN" --mode safe --count "$count" --seed 3 --first-index 100000000 --out "$TMP/safe-dedup.txt"
  "$GEN" --mode safe --count "$REQUESTS" --seed 4 --first-index 200000000 --out "$TMP/safe-dedup-warmup.txt"
  start_server dedup true
  log "(c) safe mode with de-duplication and persistence: warm-up $WARMUP_DURATION, then $WRK_DURATION"
  run_wrk warmup_c "$TMP/safe-dedup-warmup.txt" "$WARMUP_DURATION" 0 "$CB_ROUTE"
  run_wrk c_safe_dedup "$TMP/safe-dedup.txt" "$WRK_DURATION" 1 "$CB_ROUTE"
  db_bytes=$(du -sb "$TMP/dedup" | cut -f1)
  log "(c) store after the run: $db_bytes bytes in $TMP/dedup"
  stop_server
fi

echo
echo "Summary ($(nproc) cores shared by wrk and xiaoqu; wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION; server threads $SERVER_THREADS; load before the run $LOAD_BEFORE)"
for s in "${SUMMARY[@]}"; do echo "$s"; done
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.2f", (y > 0 ? x / y : 0)}'; }
if [[ -n "${CPU_US[f_floor]:-}" && -n "${CPU_US[a_safe]:-}" ]]; then
  echo "RATIO a_cpu_over_floor=$(ratio "${CPU_US[a_safe]}" "${CPU_US[f_floor]}")  (server CPU per request of (a) / (f); the aim is <= 2.0)"
fi
if [[ -n "${RPS[a_safe]:-}" && -n "${RPS[c_safe_dedup]:-}" ]]; then
  echo "RATIO c_rps_over_a=$(ratio "${RPS[c_safe_dedup]}" "${RPS[a_safe]}")  (requests/s of (c) / (a); the aim is >= 0.6)"
fi
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ${#PERTURBED[@]} -gt 0 ]]; then
  echo "WARNING: other processes competed for the CPU during: ${PERTURBED[*]} (re-run on an idle machine)"
fi
