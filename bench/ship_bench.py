#!/usr/bin/env python3
"""`vigil ship` throughput and CPU: tailing a growing file into a local `vigil serve`.

Run through bench/ship_bench.sh. Scenarios:

  max     the whole input is appended to the tailed file as fast as the disk takes it;
          lines/s = lines / (first append .. the shipper's status shows them all shipped)
  rate:R  a writer appends R lines/s in 10 slices per second for --seconds; reports
          whether the shipper kept up (lag right after the writer stops, time until the
          server has every line: at most one --batch-seconds plus a poll when keeping up)
          and the shipper's CPU in cores

Lines count as shipped when the server's vigil_ingested_lines_total says so.

CPU is utime+stime of the shipper (and the server) from /proc/<pid>/stat over the
scenario; "CPU-s per 1M lines" = shipper CPU seconds * 1e6 / lines.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def ingested(url):
    """vigil_ingested_lines_total of the server: exact and immediate, unlike the shipper's
    once-a-second status report."""
    import urllib.request
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("vigil_ingested_lines_total"):
                return int(float(line.split()[-1]))
    return 0


def status(state):
    try:
        return json.loads((Path(state) / "status.json").read_text())
    except (OSError, ValueError):
        return {}


class Server:
    def __init__(self, vigil, work):
        self.port = free_port()
        self.proc = subprocess.Popen([vigil, "serve", "--data", str(work / "data"), "--listen",
                                      f"127.0.0.1:{self.port}"], stdout=subprocess.PIPE,
                                     stderr=open(work / "serve.stderr", "wb"))
        line = self.proc.stdout.readline().decode()
        assert "listening" in line, line
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(300)


def run_scenario(args, work, lines_data, name, rate=None):
    server = Server(args.vigil, work / name)
    log = work / name / "app.log"
    state = work / name / "state"
    log.write_bytes(b"")
    ship = subprocess.Popen([args.vigil, "ship", "--server", server.url, "--state", str(state),
                             "--status-interval", "0", *args.ship_args, str(log)],
                            stderr=open(work / name / "ship.stderr", "wb"))
    time.sleep(0.5)
    ship_cpu0, serve_cpu0 = cpu_seconds(ship.pid), cpu_seconds(server.proc.pid)
    t0 = time.monotonic()
    total = 0
    max_lag = 0
    with open(log, "ab", buffering=0) as f:
        if rate is None:
            for chunk in lines_data:
                f.write(chunk)
            total = sum(c.count(b"\n") for c in lines_data)
        else:
            # rate lines/s in 10 slices per second, for args.seconds.
            flat = b"".join(lines_data).splitlines(keepends=True)
            per_slice = max(1, rate // 10)
            i = 0
            for k in range(int(args.seconds * 10)):
                target = t0 + (k + 1) * 0.1
                piece = [flat[(i + j) % len(flat)] for j in range(per_slice)]
                f.write(b"".join(piece))
                i += per_slice
                total += per_slice
                max_lag = max(max_lag, status(state).get("lag_bytes", 0))
                time.sleep(max(0.0, target - time.monotonic()))
    t_written = time.monotonic()
    lag_at_end = status(state).get("lag_bytes", 0)
    while ingested(server.url) < total:
        if ship.poll() is not None:
            raise SystemExit(f"shipper exited {ship.returncode}: "
                             f"{(work / name / 'ship.stderr').read_text()[-2000:]}")
        time.sleep(0.02)
    t_done = time.monotonic()
    ship_cpu = cpu_seconds(ship.pid) - ship_cpu0
    serve_cpu = cpu_seconds(server.proc.pid) - serve_cpu0
    wall = t_done - t0
    ship.send_signal(signal.SIGTERM)
    ship.wait(60)
    server.stop()
    size = log.stat().st_size
    return {
        "scenario": name, "lines": total, "bytes": size, "wall_s": wall,
        "lines_per_s": total / wall, "drain_s": t_done - t_written,
        "ship_cpu_s": ship_cpu, "ship_cores": ship_cpu / wall,
        "ship_cpu_per_m": ship_cpu * 1e6 / total, "serve_cpu_s": serve_cpu,
        "max_lag_bytes": max_lag, "lag_at_end_bytes": lag_at_end,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--input", required=True, help="JSONL file (gen_logs.py output)")
    ap.add_argument("--scenarios", default="max,rate:50000,rate:100000,rate:200000")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--work", default=None)
    ap.add_argument("ship_args", nargs="*", help="extra `vigil ship` options")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="vigil-ship-bench-"))
    data = Path(args.input).read_bytes()
    chunks = [data[i:i + (8 << 20)] for i in range(0, len(data), 8 << 20)]
    # Cut chunks on line ends so every write appends whole lines.
    fixed, carry = [], b""
    for c in chunks:
        c = carry + c
        cut = c.rfind(b"\n") + 1
        fixed.append(c[:cut])
        carry = c[cut:]
    if carry:
        fixed.append(carry + b"\n")
    results = []
    for sc in args.scenarios.split(","):
        name = sc.replace(":", "-")
        (work / name).mkdir(parents=True, exist_ok=True)
        rate = int(sc.split(":")[1]) if sc.startswith("rate:") else None
        r = run_scenario(args, work, fixed, name, rate)
        results.append(r)
        print(json.dumps(r), flush=True)
    print()
    print("| scenario | lines | lines/s | shipper CPU-s per 1M lines | shipper cores | "
          "server CPU-s | lag when writer stopped | drain after |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['scenario']} | {r['lines']:,} | {r['lines_per_s']:,.0f} | "
              f"{r['ship_cpu_per_m']:.2f} | {r['ship_cores']:.2f} | {r['serve_cpu_s']:.1f} | "
              f"{r['lag_at_end_bytes'] / 1e6:.1f} MB | {r['drain_s']:.2f} s |")
    print(f"\nraw: {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
