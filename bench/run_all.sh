#!/bin/bash
# Runs the core benchmark end to end and appends a results block to bench/RESULTS.md:
#   1. bench/clickhouse_peer.sh    the peer (ClickHouse 18.16) via ../shared/bench/peers/
#   2. bench/ingest_and_lookup.sh  Vigil: ingest x3, compact, sizes, request-id lookups
# The two sides run one after the other (never concurrently) on the same data and ids.
#
# Run from anywhere as root (or with sudo available): bench/run_all.sh
# Environment: BENCH_NOTE="..." adds a note line to the results block (e.g. machine load);
# RESULTS (default bench/RESULTS.md); OUT (default /tmp/vigil-bench/out-<date>); the
# variables of the two scripts (RUNS, CH_RUNS, PARALLEL, VIGIL_BIN, PB, ...).
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
export PEERS=${PEERS:-$REPO/../shared/bench/peers}
export PB=${PB:-/tmp/peerbench}
export IDS=${IDS:-$PB/bench_ids.txt}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export OUT=${OUT:-/tmp/vigil-bench/out-$STAMP}
RESULTS=${RESULTS:-$BENCH/RESULTS.md}
mkdir -p "$OUT"

meta() { echo "$1=$2" >> "$OUT/meta.kv"; }
: > "$OUT/meta.kv"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta nproc "$(nproc)"
meta cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta ram "$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
meta os "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta note "${BENCH_NOTE:-}"

# The data file and the ids are shared by both sides.
"$PEERS/00_gen.sh" >&2
[ -s "$IDS" ] || /usr/bin/python3 "$BENCH/pick_ids.py" "$PB/logs.jsonl" 20 7 > "$IDS"
meta n_ids "$(wc -l < "$IDS")"

echo "== ClickHouse (peer) side" >&2
"$BENCH/clickhouse_peer.sh"
echo "== Vigil side" >&2
"$BENCH/ingest_and_lookup.sh"
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -s "$RESULTS" ]; then
  cat > "$RESULTS" <<'MD'
# Core benchmark results

Vigil against ClickHouse 18.16 (Debian's `clickhouse-server`, started on loopback by the shared
peer scripts, JSONEachRow into a MergeTree table with typed columns), both measured in the same
run on 2M lines of `gen_logs.py --seed 7`. Ratios against the peer in the same run are what
matter: absolute figures move with the machine's load.

## How to reproduce

From the repo root, with `shared/` beside it (`../shared/bench/`), as root or with sudo:

    bench/run_all.sh          # ~10 min on 2 cores (plus ~35 min once for zstd -19); appends a block here

`bench/ingest_and_lookup.sh` builds the Release binary itself: by default from a snapshot of
the committed HEAD (`git archive`, synced into `build-bench-head/src`, built incrementally in
`build-bench-head/build`, flags `-DCMAKE_BUILD_TYPE=Release -DVIGIL_TESTS=OFF -DVIGIL_BENCH=OFF`);
`VIGIL_SRC=worktree` builds the work tree in `build-bench` instead, `VIGIL_BIN=PATH` uses a
given binary.

`bench/run_all.sh` installs `clickhouse-server clickhouse-client` with apt-get when they are
missing, generates `/tmp/peerbench/logs.jsonl` with `../shared/bench/peers/00_gen.sh` (reused
when present), picks 20 request ids with `bench/pick_ids.py FILE 20 7`, then runs
`bench/clickhouse_peer.sh` (peer scripts 10, 20, 21 ×3, lookups, 23, lookups, 29; the slow
`zstd -19` of `10_raw_baselines.sh` is cached in `/tmp/peerbench/raw_baselines.<sha>.txt`) and
`bench/ingest_and_lookup.sh` (3 ingest runs into fresh data dirs, `vigil compact`, sizes,
lookups). Raw outputs of every step stay in `/tmp/vigil-bench/out-<date>/`.

What is measured:

- **Ingest lines/s**: wall time of `vigil import --parallel 2` (1 MB batches over HTTP; every
  batch is acknowledged after it is durable in the WAL) against `21_clickhouse_ingest.sh`
  (`clickhouse-client ... INSERT ... FORMAT JSONEachRow`, one native-protocol stream).
  Median of 3 runs each.
- **Server CPU-s per million lines**: utime+stime of the server process. Vigil: from the start
  of the import through a clean SIGTERM shutdown, which flushes the memtable into parts (the
  import-only share is shown too). ClickHouse: during the INSERT, which writes parts
  synchronously. Note that clickhouse-client parses the JSON on the client side, so the
  client+server row is the fairer comparison of total work.
- **Peak RSS**: Vigil: VmHWM of the server at the end of the import (fresh process per run;
  max over runs), and the max RSS through shutdown. ClickHouse: VmRSS sampled every 0.2 s
  during the INSERT by the peer script (its VmHWM since start is shown too).
- **Bytes/line after merges**: Vigil: `du -sb` of `parts/` after `vigil compact` (and of the
  whole data dir, including `wal/`). ClickHouse: sum(bytes) of the active parts after
  OPTIMIZE FINAL, default LZ4 and the ZSTD variant of `23_clickhouse_zstd_variant.sh`.
- **Request-id lookup**: no time range; the same 20 ids; one warm-up pass then one timed pass;
  client-side wall time of one HTTP request (`curl` time_total) against Vigil's
  `POST /api/v1/query {"query": "filter request_id = \"<id>\""}` and ClickHouse's HTTP port
  (`SELECT * FROM logs WHERE request_id = '<id>' ORDER BY timestamp`); server-reported times
  alongside (Vigil `stats.elapsed_ms`, ClickHouse `clickhouse-client --time`).

MD
fi
{
  /usr/bin/python3 "$BENCH/render_results.py" "$OUT"
  echo "Commands (this run): \`BENCH_NOTE=... bench/run_all.sh\` = \`../shared/bench/peers/00_gen.sh\`; \`bench/clickhouse_peer.sh\`"
  echo "(\`10_raw_baselines.sh\` cached, \`20_clickhouse_start.sh\`, \`21_clickhouse_ingest.sh\` ×${CH_RUNS:-3}, lookups, \`23_clickhouse_zstd_variant.sh\`, lookups, \`29_clickhouse_stop.sh\`);"
  echo "\`bench/ingest_and_lookup.sh\` (Release build of HEAD, \`vigil serve --data DIR --listen 127.0.0.1:0\`, \`vigil import --server URL --parallel ${PARALLEL:-2} --batch-bytes ${BATCH_BYTES:-1048576} FILE\` ×${RUNS:-3}, SIGTERM, \`vigil compact --data DIR\`, \`du -sb\`, \`vigil serve\` again + 2×20 \`curl POST /api/v1/query\`)."
  echo
} > "$OUT/results_block.md"
cat "$OUT/results_block.md" >> "$RESULTS"
cat "$OUT/results_block.md"
echo "appended to $RESULTS; raw outputs in $OUT" >&2
