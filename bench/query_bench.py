#!/usr/bin/env python3
"""Query benchmark: the query-engine issue's five queries, Vigil against ClickHouse.

    sudo bench/query_bench.py [--lines 2000000] [--runs 5] [--vigil build-q7/vigil] [--note TEXT]

Both engines get the same gen_logs.py output (seed 7): Vigil through `vigil import --data`
and `vigil compact` (one compacted part), ClickHouse 18.16 through the shared peer scripts
(../shared/bench/peers: typed MergeTree table `logs`, JSONEachRow ingest, OPTIMIZE FINAL),
on its own ports and directory so other benchmark runs are left alone. Each query runs once
to warm up, then --runs times; the median is reported.

Reported per query:
  server ms  Vigil: stats.elapsed_ms of POST /api/v1/query to `vigil serve` (parse, plan,
             scan, execute); ClickHouse: `clickhouse-client --time` (server-side).
  wall ms    the whole client request (Vigil: one HTTP request; ClickHouse: the
             clickhouse-client process, which includes its own start-up).
  memory     Vigil: max RSS of a one-shot `vigil query --data` process running the query
             (includes opening the data directory: an upper bound on the query's memory);
             ClickHouse: memory_usage of the query in system.query_log.
Query 4 also has `rg -c` over the raw file as a reference.

Results are appended to bench/query_RESULTS.md.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PEERS = os.environ.get("PEERS") or os.path.join(REPO, "..", "shared", "bench", "peers")

# (name, Logs Insights query, ClickHouse SQL). The Vigil queries are the text; the
# SQL is the nearest typed-table equivalent (ClickHouse's `message` column is the event's
# `message` field, which Vigil's `@message` of a JSON event contains).
QUERIES = [
    ("1 p95 by endpoint",
     "stats pct(duration_ms, 95) as p95, count(*) by endpoint | sort p95 desc | limit 20",
     "SELECT endpoint, quantile(0.95)(duration_ms) AS p95, count() FROM logs "
     "GROUP BY endpoint ORDER BY p95 DESC LIMIT 20"),
    ("2a 5xx per hour",
     "filter status >= 500 | stats count(*) by bin(1h)",
     "SELECT toStartOfHour(ts) AS h, count() FROM logs WHERE status >= 500 GROUP BY h ORDER BY h"),
    ("2b 5xx ratio per hour",
     "stats sum(status >= 500) / count(*) as ratio by bin(1h)",
     "SELECT toStartOfHour(ts) AS h, countIf(status >= 500) / count() AS ratio FROM logs "
     "GROUP BY h ORDER BY h"),
    ("3 errors by @message",
     'filter level = "ERROR" | stats count(*), max(@timestamp) by @message | sort count desc | limit 20',
     "SELECT message, count() AS n, max(timestamp) FROM logs WHERE level = 'ERROR' "
     "GROUP BY message ORDER BY n DESC LIMIT 20"),
    ("3' errors by message",
     'filter level = "ERROR" | stats count(*), max(@timestamp) by message | sort count desc | limit 20',
     "SELECT message, count() AS n, max(timestamp) FROM logs WHERE level = 'ERROR' "
     "GROUP BY message ORDER BY n DESC LIMIT 20"),
    ("4 @message like",
     "filter @message like /Timeout after/ | stats count(*)",
     "SELECT count() FROM logs WHERE message LIKE '%Timeout after%'"),
    ("4' message like",
     "filter message like /Timeout after/ | stats count(*)",
     "SELECT count() FROM logs WHERE message LIKE '%Timeout after%'"),
    ("5 contoso slow top 50",
     'filter agency_db = "agency_contoso_db" and duration_ms > 1000 | fields @timestamp, endpoint, '
     "duration_ms | sort duration_ms desc | limit 50",
     "SELECT timestamp, endpoint, duration_ms FROM logs WHERE agency_db = 'agency_contoso_db' "
     "AND duration_ms > 1000 ORDER BY duration_ms DESC LIMIT 50"),
]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True, **kw)


def ensure_data(path, lines):
    if os.path.exists(path):
        return
    gen = os.path.join(PEERS, "..", "gen_logs.py")
    log(f"generating {lines} lines into {path}")
    with open(path, "w") as out:
        subprocess.run([sys.executable, gen, "--lines", str(lines), "--seed", "7"], stdout=out, check=True)


def ensure_vigil_data(vigil, data, dirname):
    if os.path.isdir(dirname):
        return
    log("vigil import + compact")
    run([vigil, "import", "--data", dirname, "--no-progress", data])
    run([vigil, "compact", "--data", dirname])


def time_range(data):
    with open(data) as f:
        first = json.loads(f.readline())["timestamp"]
    day = datetime.datetime.fromtimestamp(first / 1000, tz=datetime.timezone.utc).date()
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
    return start, start + datetime.timedelta(days=2)


class ClickHouse:
    def __init__(self, work, data, lines):
        self.env = dict(os.environ, PB=os.path.join(work, "pb"), DATA=data, LINES=str(lines),
                        CH_TCP="19100", CH_HTTP="18223")
        self.client = ["clickhouse-client", "--port", "19100"]

    def start(self, lines):
        run(["bash", os.path.join(PEERS, "20_clickhouse_start.sh")], env=self.env)
        try:
            n = int(run(self.client + ["--query", "SELECT count() FROM logs"]).stdout)
        except subprocess.CalledProcessError:
            n = -1
        if n != lines:
            log("clickhouse ingest")
            run(["bash", os.path.join(PEERS, "21_clickhouse_ingest.sh")], env=self.env)

    def stop(self):
        run(["bash", os.path.join(PEERS, "29_clickhouse_stop.sh")], env=self.env)

    def query(self, sql):
        t0 = time.monotonic()
        p = run(self.client + ["--time", "--log_queries=1", "--query", sql])
        wall = time.monotonic() - t0
        return float(p.stderr.strip().splitlines()[-1]) * 1000, wall * 1000, p.stdout

    def memory(self, sql):
        run(self.client + ["--query", "SYSTEM FLUSH LOGS"])
        esc = sql.replace("\\", "\\\\").replace("'", "\\'")
        out = run(self.client + ["--query", f"SELECT max(memory_usage) FROM system.query_log "
                                            f"WHERE query = '{esc}' AND type = 2"]).stdout.strip()
        return int(out or 0)


class Vigil:
    def __init__(self, binary, dirname, start, end):
        self.binary, self.dir = binary, dirname
        self.start, self.end = start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.proc = None

    def serve(self):
        self.proc = subprocess.Popen([self.binary, "serve", "--data", self.dir, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.proc.stdout:
            m = re.search(r"listening on http://[^ ]*:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return
        raise RuntimeError("vigil serve did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=60)

    def query(self, text):
        body = json.dumps({"query": text, "start": self.start, "end": self.end}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1/query", data=body,
                                     headers={"Content-Type": "application/json"})
        t0 = time.monotonic()
        with urllib.request.urlopen(req, timeout=600) as r:
            res = json.load(r)
        wall = time.monotonic() - t0
        return res["stats"]["elapsed_ms"], wall * 1000, res

    def memory_kb(self, text):
        p = run(["/usr/bin/time", "-f", "%M", self.binary, "query", "--data", self.dir, "--start", self.start,
                 "--end", self.end, "-q", "-f", "csv", text])
        return int(p.stderr.strip().splitlines()[-1])


def rg_count(data):
    """`rg -c` (or `grep -c -F` when rg is missing) over the raw file: (ms, tool, count)."""
    for cmd in (["rg", "-c", "-F", "Timeout after", data], ["grep", "-c", "-F", "Timeout after", data]):
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            continue
        return (time.monotonic() - t0) * 1000, cmd[0], p.stdout.strip()
    return 0, "none", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/vigil-qbench")
    ap.add_argument("--data", default=None, help="JSONL input (default: /tmp/peerbench/logs.jsonl "
                                                 "for 2M lines, else generated into --work)")
    ap.add_argument("--vigil", default=os.path.join(REPO, "build-q7", "vigil"))
    ap.add_argument("--note", default="", help="one line saying what changed, put under the heading")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    data = a.data or ("/tmp/peerbench/logs.jsonl" if a.lines == 2_000_000 else
                      os.path.join(a.work, f"logs-{a.lines}.jsonl"))
    ensure_data(data, a.lines)
    vdir = os.path.join(a.work, f"vigil-{a.lines}")
    ensure_vigil_data(a.vigil, data, vdir)
    start, end = time_range(data)
    ch = ClickHouse(a.work, data, a.lines)
    vg = Vigil(a.vigil, vdir, start, end)
    rows = []
    load_before = os.getloadavg()
    try:
        ch.start(a.lines)
        vg.serve()
        for name, li, sql in QUERIES:
            log("query", name)
            vg.query(li)
            ch.query(sql)
            v = [vg.query(li) for _ in range(a.runs)]
            c = [ch.query(sql) for _ in range(a.runs)]
            vs, vw = statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)
            cs, cw = statistics.median(x[0] for x in c), statistics.median(x[1] for x in c)
            rows.append((name, vs, cs, vw, cw, vg.memory_kb(li) / 1024, ch.memory(sql) / 2**20,
                         len(v[0][2]["rows"])))
    finally:
        vg.stop()
        ch.stop()
    load_after = os.getloadavg()
    rg_ms, tool, rg_n = rg_count(data)
    head = run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]).stdout.strip()
    out = [f"\n## {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {a.lines} lines, commit {head}, "
           f"median of {a.runs}, {os.cpu_count()} cores\n",
           *([a.note + "\n"] if a.note else []),
           f"Load average (1 min) at start {load_before[0]:.1f}, at end {load_after[0]:.1f}: "
           f"the machine was shared with other work, both engines measured in the same run.\n",
           "| query | Vigil server ms | ClickHouse server ms | ratio | Vigil wall ms | ClickHouse wall ms "
           "| Vigil RSS MiB | ClickHouse query MiB | rows |",
           "|---|---|---|---|---|---|---|---|---|"]
    for name, vs, cs, vw, cw, vm, cm, n in rows:
        out.append(f"| {name} | {vs:.1f} | {cs:.1f} | {vs / cs:.2f} | {vw:.1f} | {cw:.1f} | {vm:.0f} | "
                   f"{cm:.1f} | {n} |")
    out.append(f"\n`{tool} -c 'Timeout after'` over the raw file: {rg_ms:.0f} ms ({rg_n} lines).")
    text = "\n".join(out) + "\n"
    print(text)
    with open(os.path.join(HERE, "query_RESULTS.md"), "a") as f:
        f.write(text)


if __name__ == "__main__":
    main()
