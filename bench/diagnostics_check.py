#!/usr/bin/python3
"""Issue-6 acceptance figures for one loaded server (bench/diagnostics_bench.sh runs it).

  diagnostics_check.py URL DATA.jsonl SEED LINES

Prints key=value lines:
  - error groups: Vigil's count; the count expected from the generator's templates (one
    group per tenant, class and template, computed here from the JSONL); whether the
    multisets of (tenant, class, count, first, last) are equal; and the counts the
    runbook's approaches would give over the same error-like lines (md5 of the raw
    message; digit runs -> '#');
  - slow endpoints: precision and recall per label against the endpoints the generator
    made N+1, slow-SQL and Python-slow;
  - latency of `source errors` listings (median of 5, server elapsed and client wall).
LISTING_ONLY=1 skips the reference checks (they hold the error and request lines in
memory: fine at 2M lines, not at 10M).
"""
import json
import os
import re
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import test_diagnostics as td  # noqa: E402  (the e2e test's independent reference rules)

url, data, seed, lines = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ALL = {"start": 0, "end": 4102444800000}


def query(q, **extra):
    body = json.dumps({"query": q, "limit": 1000000, **extra}).encode()
    req = urllib.request.Request(url + "/api/v1/query", data=body, headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        j = json.load(r)
    return j, (time.perf_counter() - t0) * 1000


def kv(k, v):
    print(f"{k}={v}", flush=True)


def reference_checks():
    """Groups and labels against values computed here from the JSONL."""
    gen = td.gen_module()
    regexes = td.template_regexes(gen.ERROR_TEMPLATES)
    records = []
    with open(data, "rb") as f:
        for line in f:
            r = json.loads(line)
            if r.get("error_class") or r.get("level") == "ERROR" or "query_count" in r:
                records.append(r)
    want = td.expected_groups(records, regexes)
    err_lines = [r for r in records if td.error_identity(r, regexes)]
    # The runbook's tables are per tenant database and per class, like Vigil's groups.
    texts = [(td.error_identity(r, regexes)[:2], r.get("error_message") or r["message"]) for r in err_lines]
    kv("error_like_lines", len(err_lines))
    kv("groups_raw_message", len(set(texts)))
    kv("groups_digit_runs", len({(k, re.sub(r"\d+", "#", m)) for k, m in texts}))
    kv("groups_expected", len(want))
    j, _ = query("source errors | fields tenant, class, count, first_seen_at, last_seen_at")
    got = [dict(zip(j["columns"], row)) for row in j["rows"]]
    kv("groups_vigil", len(got))
    want_keys = sorted((t, c, g["count"], td.iso_ms(g["first"]), td.iso_ms(g["last"]))
                       for (t, c, _), g in want.items())
    kv("groups_equal_expected", sorted(td.group_key(g) for g in got) == want_keys)

    truth = {}
    g = gen.Generator(seed, lines)
    for ep in g.endpoints:
        truth[ep] = ("n_plus_one" if ep in g.n_plus_one else "slow_queries" if ep in g.slow_sql
                     else "python_bound" if ep in g.python_slow else "ok")
    j, ms = query("source slow_endpoints", **ALL)
    kv("slow_endpoints_ms", round(ms, 1))
    pred = {row[0]: row[1] for row in j["rows"]}
    for label in ("n_plus_one", "slow_queries", "python_bound"):
        p = {e for e, l in pred.items() if l == label}
        t = {e for e in pred if truth[e] == label}
        kv(f"{label}_precision", round(len(p & t) / max(1, len(p)), 3))
        kv(f"{label}_recall", round(len(p & t) / max(1, len(t)), 3))
        kv(f"{label}_endpoints", f"{len(p & t)}/{len(t)} found, {len(p - t)} wrong")


def listing():
    j, _ = query("source errors | stats count(*) as groups, sum(count) as events")
    kv("groups", j["rows"][0][0])
    kv("error_events", j["rows"][0][1])
    j, _ = query("stats count(*)", **ALL)
    kv("events", j["rows"][0][0])
    for name, q in (("errors_list_all", "source errors"),
                    ("errors_list_top50", "source errors | sort last_seen_at desc | limit 50"),
                    ("err_api_runbook_sql",
                     "SELECT message, count, last_seen_at, path FROM err_api ORDER BY last_seen_at DESC LIMIT 20")):
        server, wall = [], []
        for _ in range(6):
            j, ms = query(q)
            server.append(j["stats"]["elapsed_ms"])
            wall.append(ms)
        kv(f"{name}_server_ms", round(statistics.median(server[1:]), 2))
        kv(f"{name}_wall_ms", round(statistics.median(wall[1:]), 2))


if os.environ.get("LISTING_ONLY") != "1":
    reference_checks()
listing()
