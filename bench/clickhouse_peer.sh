#!/bin/bash
# Peer side of the core benchmark: ClickHouse 18.16 (Debian's clickhouse-server) measured by
# the shared peer scripts in ../shared/bench/peers/ (run, not copied), plus request-id lookups
# for the same ids as the Vigil side. Writes key=value figures to $OUT/clickhouse.kv and the
# scripts' full output to $OUT/peer_*.txt.
#
#   00_gen                     the 2M-line file (reused when present)
#   10_raw_baselines           zstd -19 / zstd -3 / gzip sizes of the raw file: slow, so its
#                              output is cached in $PB/raw_baselines.<sha16>.txt
#   20_clickhouse_start        fresh server under $PB/ch on 127.0.0.1
#   21_clickhouse_ingest x$CH_RUNS  JSONEachRow via clickhouse-client, OPTIMIZE FINAL, sizes
#   lookups on `logs`          SELECT * ... WHERE request_id = '<id>' ORDER BY timestamp, over
#                              HTTP (curl time_total) and clickhouse-client --time (server)
#   23_clickhouse_zstd_variant restart with <compression> zstd, logs -> logs_zstd, sizes
#   lookups on `logs_zstd`
#   29_clickhouse_stop
#
# Environment: PB (/tmp/peerbench), IDS (request ids, one a line), CH_RUNS (3), OUT.
# Installs clickhouse-server/clickhouse-client with apt-get when missing (needs root or sudo).
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
PEERS=${PEERS:-$REPO/../shared/bench/peers}
export PB=${PB:-/tmp/peerbench}
DATA=$PB/logs.jsonl
IDS=${IDS:-$PB/bench_ids.txt}
CH_RUNS=${CH_RUNS:-3}
OUT=${OUT:-/tmp/vigil-bench/out}
mkdir -p "$OUT"
KV=$OUT/clickhouse.kv; LOG=$OUT/clickhouse.log
: > "$KV"
log() { echo "$*" | tee -a "$LOG" >&2; }
kv() { echo "$1=$2" >> "$KV"; log "  $1=$2"; }
median() { sort -g | awk '{a[NR]=$1} END{ if(NR%2) printf "%.10g\n", a[(NR+1)/2]; else printf "%.10g\n", (a[NR/2]+a[NR/2+1])/2 }'; }
p90() { sort -g | awk '{a[NR]=$1} END{ i=int(0.9*NR+0.999999); if(i<1)i=1; print a[i] }'; }
[ -d "$PEERS" ] || { echo "peer scripts not found at $PEERS (expected ../shared/bench/peers from the repo root)" >&2; exit 1; }

if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ] || ! command -v clickhouse-client >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "clickhouse-server/clickhouse-client missing: installing them with '$SUDO apt-get install -y clickhouse-server clickhouse-client'"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clickhouse-server clickhouse-client >&2
fi
kv clickhouse_version "$(clickhouse-client --version 2>&1 | grep -o '[0-9][0-9.]*[0-9]' | head -1)"

# ---- 00_gen
"$PEERS/00_gen.sh" > "$OUT/peer_00_gen.txt" 2>&1; cat "$OUT/peer_00_gen.txt" >> "$LOG"
LINES=$(wc -l < "$DATA")
SHA=$(sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p' "$OUT/peer_00_gen.txt")
kv data_sha16 "$SHA"; kv lines "$LINES"; kv file_bytes "$(stat -c %s "$DATA")"

# ---- 10_raw_baselines (cached: zstd -19 of 787 MB takes minutes)
RAW=$PB/raw_baselines.$SHA.txt
if [ "${RAW_BASELINES:-}" = skip ]; then
  log "10_raw_baselines: skipped (RAW_BASELINES=skip)"; RAW=/dev/null
elif [ -s "$RAW" ] && grep -q "^compress 'zstd -19" "$RAW"; then
  log "10_raw_baselines: reusing cached output $RAW"
else
  log "10_raw_baselines: running (slow: zstd -19 of the whole file)"
  "$PEERS/10_raw_baselines.sh" > "$RAW.tmp" 2>&1; mv "$RAW.tmp" "$RAW"
fi
cp "$RAW" "$OUT/peer_10_raw_baselines.txt"
[ "$RAW" != /dev/null ] || touch "$OUT/peer_10_raw_baselines.txt"
zbytes() { grep "^compress '$1" "$RAW" 2>/dev/null | sed -n 's/.* bytes \([0-9]*\) .*/\1/p'; }
kv zstd19_bytes "$(zbytes 'zstd -19')"; kv zstd3_bytes "$(zbytes 'zstd -3')"; kv gzip6_bytes "$(zbytes 'gzip -6')"
kv zstd19_bytes_per_line "$(awk -v b="$(zbytes 'zstd -19')" -v l="$LINES" 'BEGIN{printf "%.1f", b/l}')"
kv raw_bytes_per_line "$(awk -v b="$(stat -c %s "$DATA")" -v l="$LINES" 'BEGIN{printf "%.1f", b/l}')"
kv grep_request_id_median_s "$(sed -n 's/^grep -F request_id.* median_wall_s \([0-9.]*\).*/\1/p' "$RAW")"

# ---- 20_clickhouse_start (fresh data dir)
"$PEERS/29_clickhouse_stop.sh" >/dev/null 2>&1 || true
rm -rf "$PB/ch"
"$PEERS/20_clickhouse_start.sh" > "$OUT/peer_20_start.txt" 2>&1; cat "$OUT/peer_20_start.txt" >> "$LOG"
SPID=$(cat "$PB/ch/server.pid")
trap '"$PEERS/29_clickhouse_stop.sh" >/dev/null 2>&1 || true' EXIT
C="clickhouse-client --port ${CH_TCP:-19000}"
CH_HTTP_URL="http://127.0.0.1:${CH_HTTP:-18123}/"
$C --query "SELECT 1" >/dev/null

# ---- 21_clickhouse_ingest x CH_RUNS
: > "$OUT/ch_runs.txt"
for r in $(seq 1 "$CH_RUNS"); do
  f=$OUT/peer_21_ingest_run$r.txt
  "$PEERS/21_clickhouse_ingest.sh" > "$f" 2>&1; cat "$f" >> "$LOG"
  grep -q '^ingest rc=0 ' "$f" || { log "WARNING: 21_clickhouse_ingest run $r did not report rc=0"; }
  lps=$(sed -n 's/^ingest rc=[0-9]* wall_s [0-9.]* lines_per_s \([0-9]*\).*/\1/p' "$f")
  wall=$(sed -n 's/^ingest rc=[0-9]* wall_s \([0-9.]*\).*/\1/p' "$f")
  srv=$(sed -n 's/^cpu_s: .* server \([0-9.]*\); total \([0-9.]*\).*/\1/p' "$f")
  tot=$(sed -n 's/^cpu_s: .* server \([0-9.]*\); total \([0-9.]*\).*/\2/p' "$f")
  peak=$(sed -n 's/^server RSS peak sampled during ingest: \([0-9]*\) KB; server VmHWM since start: \([0-9]*\) KB.*/\1/p' "$f")
  hwm=$(sed -n 's/^server RSS peak sampled during ingest: \([0-9]*\) KB; server VmHWM since start: \([0-9]*\) KB.*/\2/p' "$f")
  opt=$(sed -n 's/^optimize_final wall_s \([0-9.]*\).*/\1/p' "$f")
  active=$($C --query "SELECT sum(bytes) FROM system.parts WHERE table='logs' AND active" 2>/dev/null || echo "")
  nparts=$($C --query "SELECT count() FROM system.parts WHERE table='logs' AND active")
  echo "run=$r lines_per_s=$lps wall_s=$wall srv_cpu_s=$srv total_cpu_s=$tot srv_cpu_per_M=$(awk -v c="$srv" -v l="$LINES" 'BEGIN{printf "%.2f", c/(l/1e6)}') total_cpu_per_M=$(awk -v c="$tot" -v l="$LINES" 'BEGIN{printf "%.2f", c/(l/1e6)}') rss_peak_sampled_kb=$peak vmhwm_since_start_kb=$hwm optimize_wall_s=$opt active_bytes=$active active_parts=$nparts" \
    | tee -a "$OUT/ch_runs.txt" | tee -a "$LOG" >&2
done
cf() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$OUT/ch_runs.txt"; }
for k in lines_per_s wall_s srv_cpu_per_M total_cpu_per_M rss_peak_sampled_kb optimize_wall_s active_bytes; do
  kv "ingest_${k}_runs" "$(cf $k | tr '\n' ' ' | sed 's/ $//')"
  kv "ingest_${k}_median" "$(cf $k | median)"
done
kv ingest_rss_peak_sampled_kb_max "$(cf rss_peak_sampled_kb | sort -g | tail -1)"
kv ingest_vmhwm_kb "$(cf vmhwm_since_start_kb | tail -1)"
kv rows "$($C --query "SELECT count() FROM logs")"
LZ4=$($C --query "SELECT sum(bytes) FROM system.parts WHERE table='logs' AND active")
kv lz4_bytes "$LZ4"; kv lz4_bytes_per_line "$(awk -v b="$LZ4" -v l="$LINES" 'BEGIN{printf "%.1f", b/l}')"
kv lz4_active_parts "$($C --query "SELECT count() FROM system.parts WHERE table='logs' AND active")"

# ---- request-id lookups (same ids as the Vigil side); one warm-up pass, one timed pass
lookups() {  # TABLE TAG
  local t=$1 tag=$2 q id
  : > "$OUT/ch_lookups_$tag.txt"
  for pass in warm timed; do
    while read -r id; do
      q="SELECT * FROM $t WHERE request_id = '$id' ORDER BY timestamp FORMAT TSV"
      w=$(curl -sS -o "$PB/.ch_lookup.resp" -w '%{time_total}' --data-binary "$q" "$CH_HTTP_URL")
      [ "$pass" = timed ] || continue
      rows=$(wc -l < "$PB/.ch_lookup.resp")
      el=$($C --time --query "$q" 2>&1 >/dev/null | tail -1)
      echo "id=$id wall_ms=$(awk -v w="$w" 'BEGIN{printf "%.3f", w*1000}') server_ms=$(awk -v e="$el" 'BEGIN{printf "%.3f", e*1000}') rows=$rows" >> "$OUT/ch_lookups_$tag.txt"
    done < "$IDS"
  done
  cat "$OUT/ch_lookups_$tag.txt" >> "$LOG"
  lf() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$OUT/ch_lookups_$tag.txt"; }
  kv "lookup_${tag}_wall_ms_median" "$(lf wall_ms | median)"; kv "lookup_${tag}_wall_ms_p90" "$(lf wall_ms | p90)"
  kv "lookup_${tag}_server_ms_median" "$(lf server_ms | median)"; kv "lookup_${tag}_server_ms_p90" "$(lf server_ms | p90)"
  kv "lookup_${tag}_rows" "$(lf rows | tr '\n' ' ' | sed 's/ $//')"
}
log "== clickhouse lookups on logs (LZ4)"
lookups logs lz4

# ---- 23_clickhouse_zstd_variant
"$PEERS/23_clickhouse_zstd_variant.sh" > "$OUT/peer_23_zstd.txt" 2>&1; cat "$OUT/peer_23_zstd.txt" >> "$LOG"
ZS=$($C --query "SELECT sum(bytes) FROM system.parts WHERE table='logs_zstd' AND active")
kv zstd_bytes "$ZS"; kv zstd_bytes_per_line "$(awk -v b="$ZS" -v l="$LINES" 'BEGIN{printf "%.1f", b/l}')"
kv zstd_active_parts "$($C --query "SELECT count() FROM system.parts WHERE table='logs_zstd' AND active")"
SPID=$(cat "$PB/ch/server.pid")
log "== clickhouse lookups on logs_zstd"
lookups logs_zstd zstd
kv rss_after_lookups_kb "$(awk '$1=="VmRSS:"{print $2}' /proc/$SPID/status)"

# ---- 29_clickhouse_stop
"$PEERS/29_clickhouse_stop.sh" > "$OUT/peer_29_stop.txt" 2>&1 || true
trap - EXIT
log "clickhouse results in $KV"
