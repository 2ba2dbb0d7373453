#!/usr/bin/env bash
# `vigil ship` lines/s and CPU per million lines, tailing a growing file into a local
# server (bench/ship_bench.py does the measuring). Usage, from the repo root:
#
#   bench/ship_bench.sh                       # 1M lines of gen_logs.py --seed 7
#   LINES=200000 VIGIL_BIN=build/vigil bench/ship_bench.sh -- --no-sync
#
# VIGIL_BIN defaults to build-ship/vigil, else build/vigil. SCENARIOS (default
# max,rate:50000,rate:100000,rate:200000) and SECONDS_PER_RATE (10) tune the run;
# arguments after -- go to `vigil ship`.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
SCENARIOS=${SCENARIOS:-max,rate:50000,rate:100000,rate:200000}
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}
BIN=${VIGIL_BIN:-}
if [ -z "$BIN" ]; then
  for b in build-ship/vigil build/vigil; do [ -x "$b" ] && { BIN=$b; break; }; done
fi
[ -x "${BIN:-}" ] || { echo "ship_bench: no vigil binary (set VIGIL_BIN)" >&2; exit 2; }
GEN=../shared/bench/gen_logs.py
INPUT=/tmp/vigil-ship-bench-input-$LINES.jsonl
if [ ! -s "$INPUT" ]; then
  /usr/bin/python3 "$GEN" --lines "$LINES" --seed 7 > "$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT"
fi
[ "${1:-}" = "--" ] && shift
echo "ship_bench: $BIN, $LINES lines ($(du -h "$INPUT" | cut -f1)), $(nproc) cores, $(date -u +%FT%TZ)"
exec /usr/bin/python3 bench/ship_bench.py --vigil "$BIN" --input "$INPUT" \
  --scenarios "$SCENARIOS" --seconds "$SECONDS_PER_RATE" -- "$@"
