#!/usr/bin/env python3
"""Alarm evaluation benchmark: N rules over M events, do they evaluate within their interval?

    bench/alert_bench.py --vigil build/vigil --events 10000000 --rules 100 --interval 30s

1. Generates M request/cron events shaped like gen_logs output (request: endpoint,
   status, duration_ms, agency_db; cron: job_name, string status) with timestamps spread
   over the hour before now, and writes them into a fresh data directory with
   `vigil import --data DIR -`.
2. Starts `vigil serve` with the four shipped default rules plus (N - 4) generated rules
   (binned 1-minute and 5-minute rules, grouped and not, and windowed rules over 10
   minutes and 1 hour; see make_rules) and `evaluation_interval: <interval>`.
3. Reads /metrics: the first pass (every rule due at once, nothing cached: every binned
   rule queries its whole window) and the following passes (binned rules query only the
   periods they have not seen closed). Each pass must end within the interval.

Prints one JSON object with the results (and a Markdown table row to paste).
"""
import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ENDPOINT_AREAS = ["admin_views", "client_views", "api", "public_views", "reports", "billing", "auth", "intake"]
ACTIONS = ["case_detail", "case_list", "dashboard", "search", "document_upload", "invoice_list", "login",
           "settings", "calendar", "messages"]
AGENCIES = [f"agency_{n}_db" for n in ["northwind", "contoso", "fabrikam", "tailspin", "wingtip", "adventure",
                                        "litware", "proseware", "lucerne", "margies", "alpine", "blueyonder",
                                        "coho", "fourthcoffee", "graphic", "humongous", "lamna", "nod",
                                        "relecloud", "southridge", "trey", "woodgrove", "wideworld", "datum",
                                        "bellows"]]
JOBS = ["sync_email", "send_reminders", "nightly_billing", "purge_sessions", "rebuild_search_index",
        "export_reports", "refresh_tokens", "retry_webhooks"]


def generate(out, events, seed, span_ms):
    rng = random.Random(seed)
    now = int(time.time() * 1000)
    endpoints = [f"{a}.{b}" for a in ENDPOINT_AREAS for b in ACTIONS]
    w = out.write
    for i in range(events):
        ts = now - rng.randrange(span_ms)
        agency = AGENCIES[rng.randrange(len(AGENCIES))]
        if i % 20 == 0:
            job = JOBS[i % len(JOBS)]
            ok = rng.random() > 0.05
            w('{"timestamp":%d,"level":"%s","logger":"cronapp","message":"cron %s %s","job_name":"%s",'
              '"db_name":"%s","status":"%s","duration_ms":%.1f}\n'
              % (ts, "INFO" if ok else "ERROR", job, "succeeded" if ok else "failed", job, agency,
                 "success" if ok else "failure", rng.random() * 20000))
            continue
        ep = endpoints[rng.randrange(len(endpoints))]
        r = rng.random()
        status = 500 if r < 0.004 else 404 if r < 0.02 else 200
        w('{"timestamp":%d,"level":"%s","logger":"flaskapp","message":"GET /%s %d","request_id":"%08x%024x",'
          '"endpoint":"%s","method":"GET","status":%d,"duration_ms":%.1f,"query_count":%d,"agency_db":"%s"}\n'
          % (ts, "ERROR" if status == 500 else "INFO", ep, status, i, rng.getrandbits(96), ep, status,
             rng.expovariate(1 / 150.0), rng.randrange(40), agency))


def make_rules(n):
    """n generated rules in four families, cycling through agencies, areas and jobs."""
    rules = []
    for i in range(n):
        kind = i % 4
        agency = AGENCIES[i % len(AGENCIES)]
        area = ENDPOINT_AREAS[i % len(ENDPOINT_AREAS)]
        job = JOBS[i % len(JOBS)]
        if kind == 0:  # 5xx share of one tenant, 3 of 5 minutes
            q = (f'filter agency_db = "{agency}" and status >= 100 | '
                 f'stats sum(status >= 500) / count(*) * 100 as value by bin(1m)')
            rule = dict(query=q, evaluation_periods=5, datapoints_to_alarm=3, threshold=5)
        elif kind == 1:  # p95 per endpoint of one area, grouped
            q = (f'filter status >= 100 and endpoint like "{area}." | '
                 f'stats pct(duration_ms, 95) as value by endpoint, bin(1m)')
            rule = dict(query=q, evaluation_periods=5, datapoints_to_alarm=3, threshold=2000)
        elif kind == 2:  # request volume per tenant in 5-minute periods
            q = 'filter status >= 100 | stats count(*) as value by agency_db, bin(5m)'
            rule = dict(query=q, evaluation_periods=2, threshold=100000 + i, comparison=">")
        else:  # windowed: cron failures of one job over the last hour / errors over 10 min
            if i % 8 == 3:
                q = (f'filter job_name = "{job}" and (status = "success" or status = "failure") | '
                     f'stats sum(status = "failure") / count(*) * 100 as value')
                rule = dict(query=q, period="1h", threshold=20)
            else:
                q = f'filter level = "ERROR" and agency_db = "{agency}" | stats count(*) as value'
                rule = dict(query=q, period="10m", threshold=1000)
        rule["name"] = f"bench_{i:03d}"
        rules.append(rule)
    return rules


def metrics(url):
    text = urllib.request.urlopen(url + "/metrics", timeout=60).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("vigil_alert"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", default="build/vigil")
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--rules", type=int, default=100)
    ap.add_argument("--interval", default="30s")
    ap.add_argument("--passes", type=int, default=4, help="passes to time after the first")
    ap.add_argument("--span-minutes", type=int, default=60)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    interval_s = int(re.fullmatch(r"(\d+)s", a.interval).group(1))
    work = a.workdir or tempfile.mkdtemp(prefix="vigil-alert-bench-")
    data = os.path.join(work, "data")
    shutil.rmtree(data, ignore_errors=True)
    result = {"events": a.events, "rules": a.rules, "interval_s": interval_s,
              "machine": f"{platform.node()} {os.cpu_count()} cpus {platform.machine()}",
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}

    t0 = time.monotonic()
    imp = subprocess.Popen([a.vigil, "import", "--data", data, "--no-progress", "-"], stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1 << 20)
    generate(imp.stdin, a.events, 1, a.span_minutes * 60_000)
    imp.stdin.close()
    err = imp.stderr.read()
    if imp.wait() != 0:
        sys.exit(f"import failed: {err}")
    result["load_s"] = round(time.monotonic() - t0, 1)

    cfg = os.path.join(work, "vigil.yaml")
    with open(cfg, "w") as f:
        json.dump({"alerting": {"evaluation_interval": a.interval, "rules": make_rules(a.rules - 4)}}, f)
    srv = subprocess.Popen([a.vigil, "serve", "--data", data, "--listen", "127.0.0.1:0", "--config", cfg],
                           stdout=subprocess.PIPE, stderr=open(os.path.join(work, "serve.stderr"), "w"), text=True)
    try:
        line = srv.stdout.readline()
        m = re.search(r"http://(\S+)", line)
        if not m:
            sys.exit(f"server did not start: {line!r}")
        url = "http://" + m.group(1)
        passes = []
        seen = 0
        deadline = time.monotonic() + (a.passes + 2) * interval_s * 3 + 600
        while len(passes) < a.passes + 1 and time.monotonic() < deadline:
            mm = metrics(url)
            n = int(mm.get("vigil_alert_passes_total", 0))
            if n > seen:
                seen = n
                passes.append((mm["vigil_alert_last_pass_seconds"], int(mm["vigil_alert_last_pass_rules"])))
            time.sleep(0.5)
        mm = metrics(url)
        result["first_pass_s"] = round(passes[0][0], 3)
        result["first_pass_rules"] = passes[0][1]
        result["later_passes_s"] = [round(p[0], 3) for p in passes[1:]]
        result["later_pass_rules"] = [p[1] for p in passes[1:]]
        result["queries"] = int(mm['vigil_alert_queries_total'])
        result["periods_from_cache"] = int(mm['vigil_alert_periods_total{source="cache"}'])
        result["periods_queried"] = int(mm['vigil_alert_periods_total{source="query"}'])
        result["evaluation_errors"] = int(mm['vigil_alert_evaluations_total{result="error"}'])
        result["instances"] = {k.split('"')[1]: int(v) for k, v in mm.items() if k.startswith("vigil_alert_instances")}
        result["within_interval"] = all(p[0] < interval_s for p in passes)
    finally:
        srv.send_signal(signal.SIGTERM)
        srv.wait(120)
        if not a.keep and not a.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=1))
    later = result["later_passes_s"]
    print(f"| {result['events']:,} | {result['rules']} | {a.interval} | {result['first_pass_s']} s "
          f"| {min(later)}–{max(later)} s | {'yes' if result['within_interval'] else 'NO'} |")


if __name__ == "__main__":
    main()
