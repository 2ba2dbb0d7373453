#!/usr/bin/python3
"""Render the results block of bench/run_all.sh as markdown (stdout).

Usage: render_results.py OUTDIR   (reads OUTDIR/vigil.kv, OUTDIR/clickhouse.kv, OUTDIR/meta.kv)
"""
import sys
from pathlib import Path


def load(p: Path) -> dict:
    d = {}
    if p.exists():
        for line in p.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                d[k] = v
    return d


def num(d, k):
    try:
        x = float(d[k])
    except (KeyError, ValueError):
        return None
    return x if x > 0 else None  # 0 means "not measured" (e.g. zstd -19 skipped)


def f(x, fmt="{:,.0f}"):
    return "n/a" if x is None else fmt.format(x)


def main() -> None:
    out = Path(sys.argv[1])
    v, c, m = load(out / "vigil.kv"), load(out / "clickhouse.kv"), load(out / "meta.kv")
    lines = num(v, "lines") or num(c, "lines")
    mib = 1024.0

    v_lps, c_lps = num(v, "ingest_lines_per_s_median"), num(c, "ingest_lines_per_s_median")
    v_cpu, c_cpu = num(v, "ingest_srv_cpu_per_M_median"), num(c, "ingest_srv_cpu_per_M_median")
    v_cpu_imp = num(v, "ingest_srv_cpu_import_per_M_median")
    v_tcpu, c_tcpu = num(v, "ingest_total_cpu_per_M_median"), num(c, "ingest_total_cpu_per_M_median")
    v_rss = num(v, "ingest_hwm_import_kb_max")
    v_rss_all = num(v, "ingest_maxrss_total_kb_max")
    c_rss = num(c, "ingest_rss_peak_sampled_kb_max")
    c_hwm = num(c, "ingest_vmhwm_kb")
    v_bpl = num(v, "bytes_per_line_parts")
    v_bpl_dir = num(v, "bytes_per_line_dir")
    c_zstd = num(c, "zstd_bytes_per_line")
    c_lz4 = num(c, "lz4_bytes_per_line")
    z19 = num(c, "zstd19_bytes_per_line")
    raw = num(c, "raw_bytes_per_line") or (num(v, "file_bytes") / lines if lines else None)
    v_lk, v_lk90 = num(v, "lookup_wall_ms_median"), num(v, "lookup_wall_ms_p90")
    v_lks, v_lks90 = num(v, "lookup_server_ms_median"), num(v, "lookup_server_ms_p90")
    c_lk = {t: num(c, f"lookup_{t}_wall_ms_median") for t in ("lz4", "zstd")}
    c_lk90 = {t: num(c, f"lookup_{t}_wall_ms_p90") for t in ("lz4", "zstd")}
    c_lks = {t: num(c, f"lookup_{t}_server_ms_median") for t in ("lz4", "zstd")}
    best = min((t for t in c_lk if c_lk[t] is not None), key=lambda t: c_lk[t], default=None)
    c_best = c_lk.get(best) if best else None

    def ratio(a, b, fmt="{:.2f}×"):
        return "n/a" if a is None or b is None or b == 0 else fmt.format(a / b)

    def met(ok):
        return "n/a" if ok is None else ("**yes**" if ok else "**NO**")

    rows = []
    rows.append(("Ingest, lines/s (HTTP, 1 MB batches; median of runs)",
                 f(v_lps), f(c_lps), ratio(v_lps, c_lps), "≥ 2× ClickHouse",
                 met(None if v_lps is None or c_lps is None else v_lps >= 2 * c_lps)))
    rows.append(("Server CPU-s per million lines (ingest)",
                 f"{f(v_cpu, '{:.2f}')} (import only: {f(v_cpu_imp, '{:.2f}')})", f(c_cpu, "{:.2f}"),
                 ratio(v_cpu, c_cpu), "—", "—"))
    rows.append(("Client+server CPU-s per million lines",
                 f(v_tcpu, "{:.2f}"), f(c_tcpu, "{:.2f}"), ratio(v_tcpu, c_tcpu), "—", "—"))
    rows.append(("Peak server RSS during ingest, MiB",
                 f(v_rss / mib if v_rss else None, "{:.0f}"),
                 f"{f(c_rss / mib if c_rss else None, '{:.0f}')} (VmHWM {f(c_hwm / mib if c_hwm else None, '{:.0f}')})",
                 ratio(v_rss, c_rss), "< 512 MiB", met(None if v_rss is None else v_rss / mib < 512)))
    rows.append(("Peak server RSS incl. shutdown flush, MiB",
                 f(v_rss_all / mib if v_rss_all else None, "{:.0f}"), "—", "—", "(< 512 MiB)",
                 met(None if v_rss_all is None else v_rss_all / mib < 512)))
    rows.append(("On-disk bytes/line after merges (Vigil parts/ vs ClickHouse ZSTD)",
                 f(v_bpl, "{:.1f}"), f(c_zstd, "{:.1f}"), ratio(v_bpl, c_zstd), "≤ ClickHouse ZSTD",
                 met(None if v_bpl is None or c_zstd is None else v_bpl <= c_zstd)))
    rows.append(("On-disk bytes/line, whole data dir (Vigil incl. wal/) vs ClickHouse LZ4",
                 f(v_bpl_dir, "{:.1f}"), f(c_lz4, "{:.1f}"), ratio(v_bpl_dir, c_lz4), "—", "—"))
    rows.append(("Reference: raw file / zstd -19 of it, bytes/line",
                 "—", f"{f(raw, '{:.1f}')} / {f(z19, '{:.1f}')}", "—", "—", "—"))
    rows.append((f"Request-id lookup, no time range, median ms (HTTP wall; CH: best table = {best})",
                 f(v_lk, "{:.2f}"), f(c_best, "{:.2f}"), ratio(c_best, v_lk, "{:.1f}× faster"),
                 "< 5 ms and ≥ 20× faster",
                 met(None if v_lk is None or c_best is None else (v_lk < 5 and c_best / v_lk >= 20))))
    rows.append(("Request-id lookup p90 ms (HTTP wall)",
                 f(v_lk90, "{:.2f}"), f(c_lk90.get(best) if best else None, "{:.2f}"), "—", "—", "—"))
    rows.append(("Request-id lookup median ms, server-reported (Vigil stats.elapsed_ms; CH client --time)",
                 f"{f(v_lks, '{:.2f}')} (p90 {f(v_lks90, '{:.2f}')})",
                 f"LZ4 {f(c_lks['lz4'], '{:.2f}')} / ZSTD {f(c_lks['zstd'], '{:.2f}')}", "—", "—", "—"))
    rows.append(("Request-id lookup median ms (HTTP wall), ClickHouse per table",
                 "—", f"LZ4 {f(c_lk['lz4'], '{:.2f}')} / ZSTD {f(c_lk['zstd'], '{:.2f}')}", "—", "—", "—"))

    print(f"## Run {m.get('date', '?')}\n")
    print(f"- Machine: {m.get('nproc', '?')} cores, {m.get('cpu', '?')}, {m.get('ram', '?')} RAM; "
          f"{m.get('os', '?')}; load average at start {m.get('load_start', '?')}, at end {m.get('load_end', '?')}")
    vbin = v.get("vigil_bin", "?")
    repo = str(Path(__file__).resolve().parent.parent) + "/"
    vbin = vbin[len(repo):] if vbin.startswith(repo) else vbin
    print(f"- Vigil {v.get('vigil_commit', '?')} (Release, `{vbin}`); "
          f"ClickHouse {c.get('clickhouse_version', '?')} (Debian clickhouse-server)")
    print(f"- Data: `gen_logs.py --lines {int(lines) if lines else '?'} --seed 7` "
          f"({f(num(v, 'file_bytes'))} bytes, sha256 {c.get('data_sha16', '?')}…); "
          f"{m.get('n_ids', '?')} random request ids (`bench/pick_ids.py FILE 20 7`)")
    if v.get("vigil_dirty_files"):
        print(f"- Vigil was built (at {v.get('vigil_bin_mtime', '?')}) from the shared work tree: HEAD plus uncommitted "
              f"changes of other engineers in: {v['vigil_dirty_files']}")
    if v.get("crashes"):
        print(f"- **Vigil crashed during this run**: {v['crashes']} (figures of those runs are incomplete)")
    if m.get("note"):
        print(f"- Note: {m['note']}")
    print()
    print("| metric | Vigil | ClickHouse | ratio | target | met? |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print("Per-run figures:\n")
    print(f"- Vigil `vigil import --parallel 2` lines/s: {v.get('ingest_lines_per_s_runs', '?')}; "
          f"server CPU-s/M: {v.get('ingest_srv_cpu_per_M_runs', '?')}; "
          f"VmHWM at end of import (KiB): {v.get('ingest_hwm_import_kb_runs', '?')}; "
          f"max RSS through shutdown (KiB): {v.get('ingest_maxrss_total_kb_runs', '?')}")
    if v.get("py_ingest_lines_per_s"):
        print(f"- Vigil with the stdlib Python client (`bench/http_ingest.py`, 2 connections, 1 MB): "
              f"{f(num(v, 'py_ingest_lines_per_s'))} lines/s, server CPU-s/M {v.get('py_ingest_srv_cpu_per_M')}, "
              f"VmHWM {f(num(v, 'py_ingest_hwm_import_kb') / mib if num(v, 'py_ingest_hwm_import_kb') else None)} MiB")
    print(f"- Vigil disk after `vigil compact` (last run): data dir {f(num(v, 'ingest_du_all_runs'.replace('_runs', '_median')))} B "
          f"median; parts/ {v.get('ingest_du_parts_runs', '?')}; wal/ {v.get('ingest_du_wal_runs', '?')}; "
          f"before compact {v.get('ingest_du_before_compact_runs', '?')}; parts after compact: {v.get('parts_after_compact', '?')}; "
          f"compact wall s: {v.get('ingest_compact_wall_s_runs', '?')}")
    print(f"- ClickHouse `21_clickhouse_ingest.sh` lines/s: {c.get('ingest_lines_per_s_runs', '?')}; "
          f"server CPU-s/M: {c.get('ingest_srv_cpu_per_M_runs', '?')}; client+sed+server CPU-s/M: {c.get('ingest_total_cpu_per_M_runs', '?')}; "
          f"sampled peak RSS (KiB): {c.get('ingest_rss_peak_sampled_kb_runs', '?')}; OPTIMIZE FINAL s: {c.get('ingest_optimize_wall_s_runs', '?')}")
    print(f"- ClickHouse sizes: LZ4 {f(num(c, 'lz4_bytes'))} B ({c.get('lz4_active_parts', '?')} part), "
          f"ZSTD {f(num(c, 'zstd_bytes'))} B ({c.get('zstd_active_parts', '?')} part); "
          f"zstd -19 of the file {f(num(c, 'zstd19_bytes'))} B, zstd -3 {f(num(c, 'zstd3_bytes'))} B")
    print(f"- Rows per looked-up id, Vigil: {v.get('lookup_rows', '?')}; ClickHouse: {c.get('lookup_lz4_rows', '?')}"
          f"{' (identical)' if v.get('lookup_rows') == c.get('lookup_lz4_rows') else ' (DIFFERENT)'}; "
          f"Vigil rows scanned per lookup (median): {v.get('lookup_scanned_median', '?')}")
    print()


if __name__ == "__main__":
    main()
