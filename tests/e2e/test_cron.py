"""Cron jobs: runs from gen_logs lines and from curl check-ins, monitors, the cron views.

Expected values are computed here from the JSONL and from what the tests sent, never
copied from the server's answers.
"""
import json
import math
import statistics
import subprocess
import time
from collections import defaultdict

import pytest
import requests

from conftest import (ALL_TIME, chunk_lines, iso_ms, load_jsonl, parse_prometheus, run_vigil,
                      write_config)

RUNBOOK_SQL = ("SELECT job_name, db_name, status, duration_ms, error_message, run_at "
               "FROM cron_metrics ORDER BY run_at DESC LIMIT 50")

KEYS = {"ingest": "ik-cron-5f1d3a0e9b7c4e21", "read": "rk-cron-8a6b2c4d1e3f5a7b",
        "admin": "ak-cron-0c9e8d7f6a5b4c3d"}


# --------------------------------------------------------------------------- reference


def expected_runs(records):
    """Finished runs of the JSONL, oldest first, with their duration flags."""
    runs = [r for r in records
            if "job_name" in r and r.get("status") in ("success", "failure")]
    runs.sort(key=lambda r: r["timestamp"])
    recent = defaultdict(list)
    out = []
    for r in runs:
        d = r.get("duration_ms")
        hist = recent[(r["job_name"], r.get("db_name"))]
        flag = None
        if d is not None:
            if len(hist) >= 5:
                med = statistics.median(hist)
                if d > med * 5:
                    flag = "too_long"
                if d < med / 5:
                    flag = "too_short"
            hist.append(d)
            del hist[:-20]
        out.append({"run_at": iso_ms(r["timestamp"]), "ts": r["timestamp"],
                    "job_name": r["job_name"], "db_name": r.get("db_name"),
                    "status": r["status"], "duration_ms": d,
                    "error_message": r.get("error_message"), "flags": flag})
    return out


def p95(values):
    v = sorted(values)
    return v[max(math.ceil(0.95 * len(v)), 1) - 1] if v else None


def expected_jobs(runs):
    groups = defaultdict(list)
    for r in runs:
        groups[(r["job_name"], r["db_name"])].append(r)
    out = {}
    for key, rs in groups.items():
        failures = [r for r in rs if r["status"] != "success"]
        last = max(rs, key=lambda r: r["ts"])
        out[key] = {
            "runs": len(rs), "failures": len(failures), "failure_rate": len(failures) / len(rs),
            "last_run": last["run_at"],
            "last_failure": max(failures, key=lambda r: r["ts"])["run_at"] if failures else None,
            "p95_duration_ms": p95([r["duration_ms"] for r in rs if r["duration_ms"] is not None]),
            "flagged": sum(1 for r in rs if r["flags"]),
            "state": "up" if last["status"] == "success" else "failing",
        }
    return out


# --------------------------------------------------------------------------- helpers


def curl(url, *args, key=None):
    """Runs the real curl; returns (http status, body)."""
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", *args]
    if key:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    p = subprocess.run(cmd + [url], capture_output=True, timeout=30, check=True)
    body, _, code = p.stdout.decode().rpartition("\n")
    return int(code), body


def error_message(body):
    return json.loads(body)["error"]["message"]


@pytest.fixture(scope="module")
def loaded(vigil_server_module, gen_logs, tmp_path_factory):
    """A server holding 30k gen_logs lines, and the JSONL's records."""
    path = gen_logs(30000, 7)
    srv = vigil_server_module()
    with open(path, "rb") as f:
        lines = [line.rstrip(b"\n") for line in f if line.strip()]
    for body, n in chunk_lines(lines, 1 << 19):
        srv.ingest_ok(body, expect_accepted=n)
    return srv, load_jsonl(path)


# --------------------------------------------------------------------------- gen_logs


def test_cron_runs_match_the_jsonl(loaded):
    srv, records = loaded
    want = expected_runs(records)
    assert len(want) > 100 and any(r["status"] == "failure" for r in want)
    got = srv.rows_as_dicts("source cron_runs | fields run_at, job_name, db_name, status, "
                            "duration_ms, error_message, flags | sort run_at asc", limit=100000,
                            **ALL_TIME)
    strip = lambda r: {k: r[k] for k in ("run_at", "job_name", "db_name", "status",
                                         "duration_ms", "error_message", "flags")}
    assert [strip(r) for r in got] == [strip(r) for r in want]
    assert any(r["flags"] for r in want), "the data should exercise the duration flags"


def test_runbook_sql_verbatim(loaded):
    srv, records = loaded
    want = sorted(expected_runs(records), key=lambda r: r["ts"], reverse=True)[:50]
    j = srv.query_ok(RUNBOOK_SQL, **ALL_TIME)
    assert j["columns"] == ["job_name", "db_name", "status", "duration_ms", "error_message",
                            "run_at"]
    assert j["rows"] == [[r["job_name"], r["db_name"], r["status"], r["duration_ms"],
                          r["error_message"], r["run_at"]] for r in want]


def test_cron_jobs_match_the_jsonl(loaded):
    srv, records = loaded
    want = expected_jobs(expected_runs(records))
    got = srv.rows_as_dicts("source cron_jobs | fields job_name, tenant, runs, failures, "
                            "failure_rate, last_run, last_failure, p95_duration_ms, flagged, state",
                            limit=100000, **ALL_TIME)
    got = {(r.pop("job_name"), r.pop("tenant")): r for r in got}
    assert got == want


def test_failed_run_links_to_its_log_lines(loaded):
    srv, records = loaded
    failed = srv.rows_as_dicts('source cron_runs | filter status = "failure" | '
                               'fields run_at, job_name, db_name, duration_ms, logs_query | limit 5',
                               **ALL_TIME)
    assert failed
    by_time = {iso_ms(r["timestamp"]): r for r in records}
    for run in failed:
        lines = srv.rows_as_dicts(run["logs_query"] + " | fields @timestamp, job_name, message",
                                  **ALL_TIME)
        mine = [l for l in lines if l["@timestamp"] == run["run_at"]]
        assert mine and mine[0]["message"] == f"cron {run['job_name']} failed", (run, lines)
        # The window (the run's duration plus 1 s each side) of that job and tenant.
        end_ms = by_time[run["run_at"]]["timestamp"]
        lo = (end_ms * 10**6 - int(run["duration_ms"] * 10**6) - 10**9) // 10**6
        want = [r for r in records if r.get("job_name") == run["job_name"]
                and r.get("db_name") == run["db_name"] and lo <= r["timestamp"] <= end_ms + 1000]
        assert sorted(l["@timestamp"] for l in lines) == sorted(iso_ms(r["timestamp"]) for r in want)


def test_vigil_cron_cli_lists_jobs(loaded):
    srv, records = loaded
    jobs = expected_jobs(expected_runs(records))
    p = run_vigil("cron", "--server", srv.url, "--start", "2025-12-31T00:00:00Z", "--end",
                  "2026-01-03T00:00:00Z", check=0)
    lines = p.stdout.splitlines()
    assert lines[0].split()[:4] == ["job_name", "tenant", "state", "runs"]
    assert len(lines) == 1 + len(jobs)
    (job, tenant), stats = sorted(jobs.items())[0]
    assert lines[1].split()[:4] == [job, tenant, stats["state"], str(stats["runs"])]


# --------------------------------------------------------------------------- check-ins


CHECKIN_CONFIG = """
cron:
  tick: 100ms
  monitors:
    - job: backup
      interval: 1h
      grace: 5m
      max_runtime: 1s
"""


@pytest.fixture
def cron_server(vigil_server, tmp_path):
    return vigil_server(config=write_config(tmp_path / "cron.yaml", CHECKIN_CONFIG))


def cron_events(srv):
    return srv.rows_as_dicts('filter ispresent(cron_event) and cron_event != "state" | fields @timestamp, cron_event, '
                             'job_name, run_id, status, duration_ms, error_message, db_name, '
                             'output | sort @timestamp asc', start="-1h")


def test_curl_checkins_overlapping_runs(cron_server):
    u = cron_server.url
    t0 = time.monotonic()
    assert curl(f"{u}/api/v1/cron/report/start?run_id=a&tenant=acme", "-X", "POST")[0] == 200
    time.sleep(0.2)
    assert curl(f"{u}/api/v1/cron/report/start", "-X", "POST", "-H",
                "Content-Type: application/json", "-d", '{"run_id": "b", "tenant": "acme"}')[0] == 200
    time.sleep(0.3)
    code, body = curl(f"{u}/api/v1/cron/report/success?run_id=b&tenant=acme", "-X", "POST")
    assert code == 200, body
    b_ms = json.loads(body)["duration_ms"]
    time.sleep(0.2)
    code, body = curl(f"{u}/api/v1/cron/report/fail", "-X", "POST", "-d",
                      '{"run_id": "a", "tenant": "acme", "error": "exit 3"}')
    assert code == 200, body
    a_ms = json.loads(body)["duration_ms"]
    wall_ms = (time.monotonic() - t0) * 1000
    # a ran from the first request to the last, b only in the middle.
    assert 300 <= b_ms < a_ms <= wall_ms + 50, (a_ms, b_ms, wall_ms)
    assert a_ms >= 700
    runs = cron_server.rows_as_dicts("source cron_runs | fields job_name, db_name, status, "
                                     "duration_ms, error_message, run_id | sort run_at asc")
    assert runs == [
        {"job_name": "report", "db_name": "acme", "status": "success", "duration_ms": b_ms,
         "error_message": None, "run_id": "b"},
        {"job_name": "report", "db_name": "acme", "status": "failure", "duration_ms": a_ms,
         "error_message": "exit 3", "run_id": "a"},
    ]
    # Without fields, the views show their documented columns.
    assert cron_server.query_ok("source cron_runs | limit 1")["columns"] == [
        "run_at", "job_name", "db_name", "status", "duration_ms", "error_message", "run_id", "flags"]
    assert cron_server.query_ok("source cron_jobs")["columns"] == [
        "job_name", "tenant", "state", "runs", "failures", "failure_rate", "last_run",
        "last_failure", "p95_duration_ms", "flagged", "next_due"]
    # The runbook query finds check-in runs with the default time range.
    j = cron_server.query_ok(RUNBOOK_SQL)
    assert [r[2] for r in j["rows"]] == ["failure", "success"]


def test_healthchecks_style_pings(cron_server):
    u = cron_server.url
    assert curl(f"{u}/ping/nightly") == (200, "OK\n")
    assert curl(f"{u}/ping/nightly/start", "-X", "POST")[0] == 200
    assert curl(f"{u}/ping/nightly/fail", "--data-binary", "disk full on /var")[0] == 200
    assert curl(f"{u}/ping/nightly/0?rid=r9&duration_ms=1500")[0] == 200
    assert curl(f"{u}/ping/nightly/2?tenant=t1")[0] == 200
    runs = cron_server.rows_as_dicts("source cron_runs | fields status, error_message, run_id, "
                                     "db_name, duration_ms | sort run_at asc")
    assert [(r["status"], r["error_message"], r["run_id"], r["db_name"]) for r in runs] == [
        ("success", None, None, None), ("failure", "disk full on /var", None, None),
        ("success", None, "r9", None), ("failure", None, None, "t1")]
    assert runs[2]["duration_ms"] == 1500
    assert runs[1]["duration_ms"] is not None  # matched to the start before it
    jobs = cron_server.rows_as_dicts("source cron_jobs | fields job_name, tenant, runs, failures, "
                                     "state | sort tenant asc")
    assert {(j["job_name"], j["tenant"], j["runs"], j["failures"], j["state"]) for j in jobs} == {
        ("nightly", None, 3, 1, "up"), ("nightly", "t1", 1, 1, "failing"),
        ("backup", None, 0, 0, "new")}  # the config's monitor, not run yet


def test_malformed_checkins_are_400_and_lose_nothing(cron_server):
    u = cron_server.url
    good = [f"{u}/api/v1/cron/etl/start?run_id=g1", f"{u}/api/v1/cron/etl/success?run_id=g1"]
    bad = [
        ("/api/v1/cron/etl/explode", [], "unknown check-in 'explode'"),
        ("/api/v1/cron/etl/success?duration_ms=soon", [], "'duration_ms' must be a number"),
        ("/api/v1/cron/etl/success?duration_ms=-5", [], "'duration_ms' must be a number"),
        ("/api/v1/cron/etl/success", ["-H", "Content-Type: application/json", "-d", '{"run_id":'],
         "not valid JSON"),
        ("/api/v1/cron/etl/success", ["-H", "Content-Type: application/json", "-d", '["a"]'],
         "must be a JSON object"),
        ("/api/v1/cron/etl/success", ["-d", '{"run_id": {"x": 1}}'], "must be a string or a number"),
        ("/api/v1/cron/etl/success?colour=red", [], "unknown check-in parameter 'colour'"),
        ("/api/v1/cron/etl/success?run_id=a", ["-d", '{"run_id": "b"}'], "given twice"),
        ("/api/v1/cron/etl/success?run_id=auto-1", [], "reserved"),
        ("/api/v1/cron/bad%20job/success", [], "may only hold"),
        ("/api/v1/cron/etl", [], "say what happened"),
        ("/ping/etl/256", [], "unknown ping '256'"),
    ]
    assert curl(good[0], "-X", "POST")[0] == 200
    for path, args, msg in bad:
        code, body = curl(u + path, "-X", "POST", *args)
        assert code == 400, (path, code, body)
        assert msg in error_message(body), (path, body)
    assert curl(good[1], "-X", "POST")[0] == 200
    events = cron_events(cron_server)
    assert [(e["cron_event"], e["job_name"], e["run_id"]) for e in events] == [
        ("start", "etl", "g1"), ("success", "etl", "g1")]
    assert events[1]["duration_ms"] >= 0
    m = parse_prometheus(cron_server.metrics().text)
    assert m[("vigil_cron_checkins_total", frozenset({("result", "rejected")}))] == len(bad)
    assert m[("vigil_cron_checkins_total", frozenset({("result", "stored")}))] == 2
    # backup (config) has not run yet; etl (made by its check-ins) is up.
    assert m[("vigil_cron_monitors", frozenset({("state", "new")}))] == 1
    assert m[("vigil_cron_monitors", frozenset({("state", "up")}))] == 1


def test_checkins_need_the_ingest_role(vigil_server, tmp_path):
    cfg = "api_keys:\n" + "".join(f"  - key: {k}\n    role: {r}\n" for r, k in KEYS.items())
    srv = vigil_server(config=write_config(tmp_path / "keys.yaml", cfg))
    url = f"{srv.url}/api/v1/cron/job/success"
    assert curl(url, "-X", "POST")[0] == 401
    assert curl(url, "-X", "POST", key=KEYS["read"])[0] == 403
    assert curl(url, "-X", "POST", key=KEYS["ingest"])[0] == 200
    assert curl(f"{srv.url}/ping/job", key=KEYS["ingest"])[0] == 200
    mon = f"{srv.url}/api/v1/cron/monitors/job"
    assert curl(mon, "-X", "PUT", "-d", '{"interval": "1h"}', key=KEYS["ingest"])[0] == 403
    # The check-ins made an unscheduled monitor; the first PUT schedules it.
    assert curl(mon, "-X", "PUT", "-d", '{"interval": "1h"}', key=KEYS["admin"])[0] == 201
    assert curl(mon, "-X", "PUT", "-d", '{"interval": "2h"}', key=KEYS["admin"])[0] == 200
    assert curl(mon, key=KEYS["read"])[0] == 200


# --------------------------------------------------------------------------- monitors


def test_timeout_is_recorded_and_monitor_fails(cron_server):
    u = cron_server.url
    assert curl(f"{u}/api/v1/cron/backup/start?run_id=slow", "-X", "POST")[0] == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = requests.get(f"{u}/api/v1/cron/monitors/backup", timeout=10).json()
        if m["state"] == "failing":
            break
        time.sleep(0.1)
    assert m["state"] == "failing", m
    assert m["tenants"][0]["open_runs"] == [] and m["tenants"][0]["consecutive_failures"] == 1
    runs = cron_server.rows_as_dicts("source cron_runs | fields job_name, status, run_id, duration_ms")
    assert len(runs) == 1 and runs[0]["status"] == "timed_out" and runs[0]["run_id"] == "slow"
    assert runs[0]["duration_ms"] >= 1000
    states = [e for e in cron_server.rows_as_dicts(
        'filter cron_event = "state" | fields job_name, monitor_state, previous_state '
        '| sort @timestamp asc', start="-1h")]
    assert [(s["previous_state"], s["monitor_state"]) for s in states] == [
        ("new", "running"), ("running", "failing")]
    # The late success of the timed-out run is still stored, as a run without a start.
    assert curl(f"{u}/api/v1/cron/backup/success?run_id=slow", "-X", "POST")[0] == 200


def test_monitor_api_lifecycle_and_persistence(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "m.yaml", CHECKIN_CONFIG)
    srv = vigil_server(config=cfg)
    u = srv.url + "/api/v1/cron/monitors"
    r = requests.put(f"{u}/billing", json={"schedule": "30 2 * * *", "tz": "Europe/Berlin",
                                           "grace": "10m", "failure_threshold": 2}, timeout=10)
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["schedule"], m["tz"], m["grace_s"], m["failure_threshold"], m["state"]) == (
        "30 2 * * *", "Europe/Berlin", 600.0, 2, "new")
    # 02:30 in Berlin is 00:30 or 01:30 UTC: the next due time says which.
    due = m["tenants"][0]["next_due"]
    assert due.endswith(("T00:30:00.000Z", "T01:30:00.000Z")), due
    assert requests.put(f"{u}/billing", json={"interval": "1h"}, timeout=10).status_code == 200
    bad = requests.put(f"{u}/billing", json={"schedule": "0 0 31 2 *"}, timeout=10)
    assert bad.status_code == 400 and "never fires" in bad.json()["error"]["message"]
    bad = requests.put(f"{u}/billing", json={"interval": "1h", "colour": "red"}, timeout=10)
    assert bad.status_code == 400 and "unknown monitor setting 'colour'" in bad.text
    assert requests.post(f"{u}/billing/pause", timeout=10).json()["state"] == "paused"
    assert requests.delete(f"{u}/backup", timeout=10).status_code == 400  # from the config
    assert requests.get(f"{u}/nothing", timeout=10).status_code == 404
    assert requests.delete(f"{u}/nothing", timeout=10).status_code == 404
    assert requests.post(f"{u}/billing/explode", timeout=10).status_code == 404

    assert srv.stop() == 0
    srv2 = vigil_server(data_dir=srv.data_dir, config=cfg)
    listed = {m["job"]: m for m in requests.get(u.replace(srv.url, srv2.url), timeout=10)
              .json()["monitors"]}
    assert set(listed) == {"backup", "billing"}
    assert listed["billing"]["paused"] and listed["billing"]["interval_s"] == 3600.0
    assert listed["backup"]["source"] == "config"
    r = requests.post(f"{srv2.url}/api/v1/cron/monitors/billing/resume", timeout=10)
    assert r.json()["state"] == "new"
    assert requests.delete(f"{srv2.url}/api/v1/cron/monitors/billing", timeout=10).status_code == 200
    # Offline, the views still work on the directory.
    p = run_vigil("cron", "--data", srv2.data_dir, check=0)
    assert p.stdout.splitlines()[0].split()[:3] == ["job_name", "tenant", "state"]


def test_bad_cron_config_stops_the_start(tmp_path):
    cfg = write_config(tmp_path / "bad.yaml", "cron:\n  monitors:\n    - job: x\n      schedule: '61 * * * *'\n")
    p = run_vigil("serve", "--data", tmp_path / "d", "--listen", "127.0.0.1:0", "--config", cfg,
                  timeout=30)
    assert p.returncode != 0
    assert "minute field '61'" in p.stderr


CRON_RUN = r'''#!/bin/sh
job=$1; shift; rid=$$; auth="Authorization: Bearer $VIGIL_KEY"
curl -fsS -m 10 -H "$auth" -X POST "$VIGIL/api/v1/cron/$job/start?run_id=$rid" >/dev/null
"$@"; rc=$?
curl -fsS -m 10 -H "$auth" "$VIGIL/ping/$job/$rc?rid=$rid" >/dev/null
exit $rc
'''


def test_documented_cron_wrapper_script(cron_server, tmp_path):
    """The wrapper script of docs/api.md, run as cron would run it."""
    script = tmp_path / "cron-run"
    script.write_text(CRON_RUN)
    script.chmod(0o755)
    env = {"VIGIL": cron_server.url, "VIGIL_KEY": "unused", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([str(script), "wrapped", "sh", "-c", "sleep 0.3"], env=env, timeout=30)
    bad = subprocess.run([str(script), "wrapped", "sh", "-c", "exit 3"], env=env, timeout=30)
    assert (ok.returncode, bad.returncode) == (0, 3)
    runs = cron_server.rows_as_dicts("source cron_runs | filter job_name = 'wrapped' | "
                                     "fields status, run_id, duration_ms | sort run_at asc")
    assert [r["status"] for r in runs] == ["success", "failure"]
    assert runs[0]["run_id"] != runs[1]["run_id"]
    assert runs[0]["duration_ms"] >= 300 and runs[1]["duration_ms"] < 300


def test_odd_log_lines(cron_server):
    """Lines that carry job_name but are not (normal) runs; monitored job included."""
    t = int(time.time() * 1000) - 60000
    lines = [
        {"timestamp": t, "job_name": "backup", "status": "FAILED", "duration_ms": 1e300},
        {"timestamp": t + 1, "job_name": "backup", "status": "Succeeded", "duration_ms": -5},
        {"timestamp": t + 2, "job_name": "backup", "status": "success", "duration_ms": "slow"},
        {"timestamp": t + 3, "job_name": "backup", "status": 500},
        {"timestamp": t + 4, "job_name": "backup", "message": "step 2 of 5"},
        {"timestamp": t + 5, "job_name": "backup", "status": "running"},
        {"timestamp": t + 6, "job_name": 42, "status": "success"},
        {"timestamp": t + 7, "job_name": "", "status": "success"},
    ]
    cron_server.ingest_ok("\n".join(json.dumps(l) for l in lines) + "\n", expect_accepted=len(lines))
    runs = cron_server.rows_as_dicts("source cron_runs | fields run_at, status, duration_ms")
    assert [(r["run_at"], r["status"], r["duration_ms"]) for r in runs] == [
        (iso_ms(t), "failure", 1e300), (iso_ms(t + 1), "success", -5),
        (iso_ms(t + 2), "success", None)]
    m = requests.get(f"{cron_server.url}/api/v1/cron/monitors/backup", timeout=10).json()
    assert m["tenants"][0]["consecutive_failures"] == 0 and m["tenants"][0]["last_failure"]
    assert cron_server.running()


def test_reload_applies_config_monitors(vigil_server, tmp_path):
    import signal
    cfg = write_config(tmp_path / "r.yaml", CHECKIN_CONFIG)
    srv = vigil_server(config=cfg)
    url = f"{srv.url}/api/v1/cron/monitors"
    jobs = lambda: sorted(m["job"] for m in requests.get(url, timeout=10).json()["monitors"])
    assert jobs() == ["backup"]

    def reload_and_wait(want):
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while jobs() != want and time.monotonic() < deadline:
            time.sleep(0.05)
        return jobs()

    write_config(cfg, "cron:\n  monitors:\n    - {job: nightly, schedule: '@daily'}\n")
    assert reload_and_wait(["nightly"]) == ["nightly"]
    write_config(cfg, "cron:\n  monitors:\n    - {job: x, schedule: '@sometimes'}\n")
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reload failed" not in srv.stderr() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "unknown cron macro '@sometimes'" in srv.stderr()
    assert jobs() == ["nightly"] and srv.running()


def test_configured_field_names(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "f.yaml", """
cron:
  fields: {job: task, status: outcome, duration_ms: took_ms, error: why, tenant: agency_db}
  success_values: [done]
  failure_values: [broke]
""")
    srv = vigil_server(config=cfg)
    t = int(time.time() * 1000) - 60000
    lines = [
        {"timestamp": t, "task": "etl", "outcome": "DONE", "took_ms": 120, "agency_db": "a1"},
        {"timestamp": t + 1, "task": "etl", "outcome": "broke", "why": "no disk", "agency_db": "a1"},
        {"timestamp": t + 2, "task": "etl", "outcome": "ok", "agency_db": "a1"},  # not a word of ours
        {"timestamp": t + 3, "job_name": "etl", "status": "success"},  # default names: not ours
    ]
    srv.ingest_ok("\n".join(json.dumps(l) for l in lines) + "\n", expect_accepted=4)
    assert curl(f"{srv.url}/api/v1/cron/etl/fail?tenant=a2&error=timeout", "-X", "POST")[0] == 200
    runs = srv.rows_as_dicts("source cron_runs | fields job_name, db_name, status, duration_ms, "
                             "error_message")
    assert runs == [
        {"job_name": "etl", "db_name": "a1", "status": "success", "duration_ms": 120,
         "error_message": None},
        {"job_name": "etl", "db_name": "a1", "status": "failure", "duration_ms": None,
         "error_message": "no disk"},
        {"job_name": "etl", "db_name": "a2", "status": "failure", "duration_ms": None,
         "error_message": "timeout"},
    ]
    stored = srv.rows_as_dicts('filter cron_event = "fail" | fields task, outcome, why, agency_db, '
                               '@kind', start="-1h")
    assert stored == [{"task": "etl", "outcome": "failure", "why": "timeout", "agency_db": "a2",
                       "@kind": "cron"}]
