#!/bin/bash
# Issue-6 benchmark: ingest with error fingerprinting and slow-page diagnosis on vs off
# (the same binary, `errors.enabled` / `diagnosis.enabled` in the config), then the
# acceptance figures of bench/diagnostics_check.py on the loaded server.
#
#   bench/diagnostics_bench.sh      # VIGIL_BIN (default build/vigil), DATA, SEED, LINES, RUNS
#
# On and off runs alternate (off, on, off, on, ...) on fresh data directories, so machine
# noise hits both alike; each run records import wall time and the server's CPU seconds
# (utime+stime of /proc/PID/stat over the import). The medians and the on/off ratios are
# printed as key=value lines.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
VIGIL_BIN=${VIGIL_BIN:-$REPO/build/vigil}
PB=${PB:-/tmp/peerbench}
DATA=${DATA:-$PB/logs.jsonl}
SEED=${SEED:-7}
LINES=${LINES:-$(wc -l < "$DATA")}
RUNS=${RUNS:-3}
WORK=${WORK:-/tmp/vigil-diag-bench}
PORT=${PORT:-7791}
TCK=$(getconf CLK_TCK)
mkdir -p "$WORK"
kv() { echo "$1=$2"; }
median() { sort -g | awk '{a[NR]=$1} END{ if(NR%2) printf "%.10g\n", a[(NR+1)/2]; else printf "%.10g\n", (a[NR/2]+a[NR/2+1])/2 }'; }
cpu_of() { awk -v t="$TCK" '{ split($0, a, ") "); split(a[2], f, " "); printf "%.2f\n", (f[12] + f[13]) / t }' "/proc/$1/stat"; }

printf 'errors:\n  enabled: false\ndiagnosis:\n  enabled: false\n' > "$WORK/off.yaml"
: > "$WORK/on.yaml"
PID=""
start() {  # $1 = config, $2 = data dir
  rm -rf "$2"
  "$VIGIL_BIN" serve --data "$2" --listen 127.0.0.1:$PORT --config "$1" > "$WORK/serve.out" 2> "$WORK/serve.err" &
  PID=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz > /dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill -TERM "$PID"; wait "$PID" || true; }

for mode in on off; do : > "$WORK/$mode.wall"; : > "$WORK/$mode.cpu"; done
for i in $(seq "$RUNS"); do
  for mode in off on; do
    start "$WORK/$mode.yaml" "$WORK/data-$mode"
    c0=$(cpu_of "$PID"); t0=$(date +%s.%N)
    "$VIGIL_BIN" import --server http://127.0.0.1:$PORT --parallel 2 --no-progress "$DATA" > /dev/null
    t1=$(date +%s.%N); c1=$(cpu_of "$PID")
    awk -v a="$t1" -v b="$t0" 'BEGIN{printf "%.3f\n", a - b}' >> "$WORK/$mode.wall"
    awk -v a="$c1" -v b="$c0" 'BEGIN{printf "%.2f\n", a - b}' >> "$WORK/$mode.cpu"
    echo "run $i $mode: $(tail -1 "$WORK/$mode.wall") s wall, $(tail -1 "$WORK/$mode.cpu") CPU-s" >&2
    [ "$i" = "$RUNS" ] && [ "$mode" = on ] && break  # keep the last "on" server for the checks
    stop
  done
done
for mode in on off; do
  w=$(median < "$WORK/$mode.wall"); c=$(median < "$WORK/$mode.cpu")
  kv "ingest_${mode}_lines_per_s" "$(awk -v n="$LINES" -v w="$w" 'BEGIN{printf "%d", n / w}')"
  kv "ingest_${mode}_server_cpu_s" "$c"
done
ratio() { awk -v a="$(median < "$WORK/on.$1")" -v b="$(median < "$WORK/off.$1")" 'BEGIN{printf "%.3f", a / b}'; }
kv wall_ratio_on_over_off "$(ratio wall)"
kv cpu_ratio_on_over_off "$(ratio cpu)"
/usr/bin/python3 "$BENCH/diagnostics_check.py" http://127.0.0.1:$PORT "$DATA" "$SEED" "$LINES"
stop
