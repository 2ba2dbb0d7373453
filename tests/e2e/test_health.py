"""Health views end to end: external APIs from gen_logs data, integration status over
HTTP (requests and curl) with staleness, PostHog-format capture (plain, gzip, gzip-js,
form/base64) and malformed bodies. Expected values are computed here from the inputs."""
import base64
import collections
import gzip
import json
import math
import random
import signal
import subprocess
import time
import urllib.parse

import pytest
import requests

from conftest import ALL_TIME, chunk_lines, iso_ms, load_jsonl, run_vigil, write_config

PSEUDO_NOW_MS = 1767225600000  # 2026-01-01T00:00:00Z


def nearest_rank(values, p):
    s = sorted(values)
    k = max(1, math.ceil(p / 100.0 * len(s)))
    return s[k - 1]


def ingest_file(server, path):
    with open(path, "rb") as f:
        lines = [line.rstrip(b"\n") for line in f if line.strip()]
    accepted = 0
    for body, _ in chunk_lines(lines, 8 << 20):
        accepted += server.ingest_ok(body)["accepted"]
    return accepted


# --------------------------------------------------------------------------- external APIs


def expected_external(records):
    calls = [r for r in records if r.get("external_api")]
    by_api = collections.defaultdict(list)
    for r in calls:
        by_api[r["external_api"]].append(r)
    out = {}
    for api, rs in by_api.items():
        lat = [r["latency_ms"] for r in rs]
        errors = [r for r in rs if r["status"] >= 400]
        last_err_ts = max((r["timestamp"] for r in errors), default=None)
        out[api] = {
            "calls": len(rs),
            "errors": len(errors),
            "error_rate": len(errors) / len(rs),
            "rate_429": sum(r["status"] == 429 for r in rs) / len(rs),
            "rate_5xx": sum(500 <= r["status"] < 600 for r in rs) / len(rs),
            "p50_ms": nearest_rank(lat, 50),
            "p95_ms": nearest_rank(lat, 95),
            "p99_ms": nearest_rank(lat, 99),
            # ties on the last timestamp: any of them is "the latest"
            "last_errors": {f"HTTP {r['status']}: {r['message']}" for r in errors
                            if r["timestamp"] == last_err_ts},
            "last_call": iso_ms(max(r["timestamp"] for r in rs)),
        }
    return calls, out


def test_external_apis_match_gen_logs(vigil_server, gen_logs):
    path = gen_logs(300000, seed=7)
    records = load_jsonl(path)
    server = vigil_server()
    assert ingest_file(server, path) == len(records)
    calls, want = expected_external(records)
    assert len(calls) > 10000  # enough that the all-API percentile below uses the sketch

    rows = server.rows_as_dicts("source external_apis", **ALL_TIME)
    got = {r["external_api"]: r for r in rows}
    assert set(got) == set(want)
    for api, w in want.items():
        g = got[api]
        assert g["endpoint"] is None  # gen_logs calls carry no URL
        assert g["calls"] == w["calls"], api
        assert g["errors"] == w["errors"], api
        for k in ("error_rate", "rate_429", "rate_5xx"):
            assert g[k] == pytest.approx(w[k], abs=1e-12), (api, k)
        assert w["calls"] <= 10000  # per API: exact percentiles
        for k in ("p50_ms", "p95_ms", "p99_ms"):
            assert g[k] == pytest.approx(w[k], rel=1e-9), (api, k)
        assert g["last_error"] in w["last_errors"], api
        assert g["last_call"] == w["last_call"], api

    # Over every API (more than 10,000 values): within the 0.5% bound of docs/query.md.
    lat = [r["latency_ms"] for r in calls]
    allq = server.rows_as_dicts("source external_api_calls | stats count(*) as n, pct(latency_ms, 95) as p95",
                                **ALL_TIME)
    assert allq[0]["n"] == len(calls)
    exact = nearest_rank(lat, 95)
    assert abs(allq[0]["p95"] - exact) <= 0.005 * exact

    # The per-bin form for charts.
    binned = server.rows_as_dicts(
        "source external_api_calls | stats count(*) as calls, sum(error) as errors by external_api, bin(1h) as hour",
        **ALL_TIME)
    want_bins = collections.Counter()
    want_err = collections.Counter()
    for r in calls:
        key = (r["external_api"], iso_ms(r["timestamp"] // 3600000 * 3600000))
        want_bins[key] += 1
        want_err[key] += r["status"] >= 400
    got_bins = {(r["external_api"], r["hour"]): r for r in binned}
    assert set(got_bins) == set(want_bins)
    for key, n in want_bins.items():
        assert got_bins[key]["calls"] == n
        assert got_bins[key]["errors"] == want_err[key]

    # The runbook question: which API is failing the most right now?
    worst = server.rows_as_dicts("source external_apis | sort error_rate desc | limit 1", **ALL_TIME)
    assert worst[0]["external_api"] == max(want, key=lambda a: want[a]["error_rate"])


def test_external_api_endpoints_become_templates(vigil_server):
    rng = random.Random(3)
    templates = {
        "/v1/customers/{id}": lambda: "/v1/customers/cus_" + "".join(
            rng.choice("ABCDEFGHJKLMNPabcdefghijkmnp") for _ in range(10)) + str(rng.randint(10, 99)),
        "/v1/charges/{id}/refunds": lambda: f"/v1/charges/{rng.randint(1, 10**9)}/refunds",
        "/users/{id}/messages": lambda: "/users/%08x-%04x-4%03x-a%03x-%012x/messages" % (
            rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12),
            rng.getrandbits(48)),
        "/v3/mail/send": lambda: "/v3/mail/send",
    }
    base = PSEUDO_NOW_MS
    lines, want = [], collections.Counter()
    for i in range(400):
        tpl = rng.choice(sorted(templates))
        url = "https://api.example.com" + templates[tpl]() + ("?page=%d" % i if i % 3 == 0 else "")
        status = rng.choice([200, 200, 200, 429, 502])
        lines.append(json.dumps({"timestamp": base + i * 1000, "external_api": "example",
                                 "url": url, "latency_ms": rng.uniform(5, 500), "status": status}))
        want[tpl] += 1
    server = vigil_server()
    server.ingest_ok("\n".join(lines) + "\n", expect_accepted=400)
    rows = server.rows_as_dicts("source external_apis | filter external_api = 'example'", **ALL_TIME)
    assert {r["endpoint"]: r["calls"] for r in rows} == dict(want)
    hosts = server.rows_as_dicts("source external_api_calls | stats count(*) as n by host", **ALL_TIME)
    assert hosts == [{"host": "api.example.com", "n": 400}]


# --------------------------------------------------------------------------- status


STATUS_CONFIG = """
health:
  status:
    default_interval: 1h
    checks:
      email_sync: {interval: 2s}
"""


def status_rows(server):
    rows = server.rows_as_dicts(
        "source status | fields check, entity, tenant, status, reason, last_ok, changed_at, last_report, "
        "stale, reports")
    return {(r["check"], r["entity"], r["tenant"]): r for r in rows}


def test_status_reports_and_staleness(vigil_server, tmp_path):
    server = vigil_server(config=write_config(tmp_path / "vigil.yaml", STATUS_CONFIG))
    url = server.url + "/api/v1/status"
    t0 = int(time.time() * 1000)
    r = requests.post(url, json={"check": "email_sync", "entity": "mailbox-1", "tenant": "agency_a_db",
                                 "status": "ok", "at": t0 - 5000})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1
    # An array: one report fails, the others are kept.
    r = requests.post(url, json=[
        {"check": "email_sync", "entity": "mailbox-1", "tenant": "agency_a_db", "status": "Error",
         "reason": "token expired", "at": t0 - 1000},
        {"check": "email_sync", "status": 3},
        {"check": "crm_sync", "entity": "hubspot", "status": "disconnected", "reason": "revoked"},
    ])
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 2
    assert [x["index"] for x in r.json()["rejected"]] == [1]
    assert "status" in r.json()["rejected"][0]["reason"]

    # curl, the way a shell script reports.
    p = subprocess.run(["curl", "-s", "-o", "/dev/stderr", "-w", "%{http_code}", "-X", "POST", url,
                        "-H", "Content-Type: application/json",
                        "-d", '{"check":"email_sync","entity":"mailbox-2","tenant":"agency_b_db","status":"ok"}'],
                       capture_output=True, text=True, timeout=30)
    assert p.stdout == "200", p.stderr

    rows = status_rows(server)
    a = rows[("email_sync", "mailbox-1", "agency_a_db")]
    assert a["status"] == "error" and a["reason"] == "token expired"
    assert a["last_ok"] == iso_ms(t0 - 5000)
    assert a["changed_at"] == iso_ms(t0 - 1000)
    assert a["reports"] == 2
    assert a["stale"] is False
    crm = rows[("crm_sync", "hubspot", None)]
    assert crm["status"] == "disconnected" and crm["last_ok"] is None and crm["stale"] is False
    assert rows[("email_sync", "mailbox-2", "agency_b_db")]["status"] == "ok"

    # email_sync expects a report every 2 s; crm_sync every hour.
    time.sleep(2.6)
    rows = status_rows(server)
    assert rows[("email_sync", "mailbox-1", "agency_a_db")]["stale"] is True
    assert rows[("email_sync", "mailbox-2", "agency_b_db")]["stale"] is True
    assert rows[("crm_sync", "hubspot", None)]["stale"] is False
    stale = server.rows_as_dicts("source status | filter stale | stats count(*) as n")
    assert stale[0]["n"] == 2

    requests.post(url, json={"check": "email_sync", "entity": "mailbox-1", "tenant": "agency_a_db",
                             "status": "ok"}).raise_for_status()
    rows = status_rows(server)
    a = rows[("email_sync", "mailbox-1", "agency_a_db")]
    assert a["stale"] is False and a["status"] == "ok"

    # History is kept as events.
    hist = server.rows_as_dicts(
        "source status_history | filter entity = 'mailbox-1' | sort @timestamp asc | fields status, @kind",
        start=t0 - 60000)
    assert [h["status"] for h in hist] == ["ok", "error", "ok"]
    assert {h["@kind"] for h in hist} == {"status"}


def test_status_from_log_events_and_restart(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", STATUS_CONFIG)
    server = vigil_server(config=cfg)
    now = int(time.time() * 1000)
    server.ingest_ok(json.dumps({"timestamp": now, "level": "ERROR", "check": "email_sync", "entity": "mb9",
                                 "tenant": "agency_c_db", "status": "error", "reason": "IMAP timeout"}) + "\n"
                     + json.dumps({"timestamp": now, "job_name": "sync_email", "status": "failure"}) + "\n",
                     expect_accepted=2)
    rows = status_rows(server)
    assert list(rows) == [("email_sync", "mb9", "agency_c_db")]
    assert rows[("email_sync", "mb9", "agency_c_db")]["reason"] == "IMAP timeout"
    data_dir = server.data_dir
    assert server.stop() == 0
    # Offline (read-only) query of the data directory sees the same state.
    p = run_vigil("query", "--data", data_dir, "-q", "-f", "json",
                  "source status | fields check, entity, status", check=0)
    assert [json.loads(line) for line in p.stdout.splitlines()] == [
        {"check": "email_sync", "entity": "mb9", "status": "error"}]
    server = vigil_server(data_dir=data_dir, config=cfg)
    assert ("email_sync", "mb9", "agency_c_db") in status_rows(server)


def test_status_malformed_bodies(vigil_server):
    server = vigil_server()
    url = server.url + "/api/v1/status"
    for body, needle in [("{", "not valid JSON"), ("[]", "no status reports"), ('"ok"', "object"),
                         ('{"status":"ok"}', "check"), ("", "empty body")]:
        r = requests.post(url, data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (body, r.text)
        assert needle in r.text, (body, r.text)
    assert status_rows(server) == {}


# --------------------------------------------------------------------------- analytics


ANALYTICS_CONFIG = """
api_keys:
  - {key: ingest-key-0123456789, role: ingest, name: shipper}
  - {key: read-key-0123456789, role: read, name: grafana}
analytics:
  project_keys: [phc_project_key_123]
"""
READ = {"Authorization": "Bearer read-key-0123456789"}
PROJECT = "phc_project_key_123"


def make_events(n, seed=5):
    rng = random.Random(seed)
    features = ["export_csv", "document_upload", "calendar", "search", "invoice_pay"]
    out = []
    for i in range(n):
        ev = rng.choice(["$pageview", "feature_used", "feature_used", "signed_in"])
        props = {"$current_url": f"https://app.example.com/cases/{rng.randint(1, 50)}",
                 "tenant": rng.choice(["agency_a_db", "agency_b_db", "agency_c_db"]),
                 "$browser": rng.choice(["Chrome", "Firefox", "Safari"])}
        if ev == "feature_used":
            props["feature"] = rng.choice(features)
        out.append({"event": ev, "distinct_id": f"user{rng.randint(1, 40)}", "properties": props,
                    "timestamp": iso_ms(PSEUDO_NOW_MS + i * 7000)})
    return out


def capture(server, path, body, headers=None, params=None):
    return requests.post(server.url + path, data=body, headers=headers or {}, params=params, timeout=30)


def test_posthog_capture_forms_and_ready_queries(vigil_server, tmp_path):
    server = vigil_server(config=write_config(tmp_path / "vigil.yaml", ANALYTICS_CONFIG))
    events = make_events(300)
    parts = [events[0:60], events[60:120], events[120:180], events[180:240], events[240:299], events[299:]]
    # 1. /batch/ plain JSON (what posthog-python sends)
    r = capture(server, "/batch/", json.dumps({"api_key": PROJECT, "batch": parts[0]}),
                {"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == 1 and r.json()["accepted"] == 60
    # 2. gzip with Content-Encoding
    r = capture(server, "/batch/", gzip.compress(json.dumps({"api_key": PROJECT, "batch": parts[1]}).encode()),
                {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 60
    # 3. posthog-js: ?compression=gzip-js, text/plain
    r = capture(server, "/e/", gzip.compress(json.dumps([dict(e, api_key=PROJECT) for e in parts[2]]).encode()),
                {"Content-Type": "text/plain"}, params={"compression": "gzip-js", "ver": "1.0"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 60
    # 4. form-encoded data=<base64>
    data = base64.b64encode(json.dumps({"api_key": PROJECT, "batch": parts[3]}).encode()).decode()
    r = capture(server, "/capture/", urllib.parse.urlencode({"data": data}),
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 60
    # 5. curl with a gzip file, /i/v0/e/
    gz = tmp_path / "batch.json.gz"
    gz.write_bytes(gzip.compress(json.dumps({"api_key": PROJECT, "batch": parts[4]}).encode()))
    p = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-X", "POST", server.url + "/i/v0/e/",
                        "-H", "Content-Type: application/json", "-H", "Content-Encoding: gzip",
                        "--data-binary", f"@{gz}"], capture_output=True, text=True, timeout=30)
    body, code = p.stdout.rsplit("\n", 1)
    assert code == "200", p.stdout
    assert json.loads(body)["accepted"] == 59
    # 6. a single event, the capture API's documented shape
    r = capture(server, "/i/v0/e/", json.dumps(dict(parts[5][0], api_key=PROJECT)),
                {"Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["status"] == 1, r.text

    rng_start, rng_end = PSEUDO_NOW_MS - 1000, PSEUDO_NOW_MS + 300 * 7000
    q = dict(start=rng_start, end=rng_end, headers=READ)
    total = server.rows_as_dicts("source analytics | stats count(*) as n", **q)
    assert total[0]["n"] == 300

    # Event counts and unique users per hour.
    got = server.rows_as_dicts(
        "source analytics | stats count(*) as events, count_distinct(distinct_id) as users by event, bin(1h) as hour",
        **q)
    want = collections.defaultdict(lambda: [0, set()])
    for i, e in enumerate(events):
        hour = iso_ms((PSEUDO_NOW_MS + i * 7000) // 3600000 * 3600000)
        want[(e["event"], hour)][0] += 1
        want[(e["event"], hour)][1].add(e["distinct_id"])
    assert {(r["event"], r["hour"]): (r["events"], r["users"]) for r in got} == \
        {k: (v[0], len(v[1])) for k, v in want.items()}

    # Breakdown by a property.
    got = server.rows_as_dicts("source analytics | filter event = '$pageview' "
                               "| stats count(*) as n by `properties.$browser` as browser", **q)
    want = collections.Counter(e["properties"]["$browser"] for e in events if e["event"] == "$pageview")
    assert {r["browser"]: r["n"] for r in got} == dict(want)

    # Top features by tenant (@tenant comes from properties.tenant).
    got = server.rows_as_dicts("source analytics | filter event = 'feature_used' "
                               "| stats count(*) as uses, count_distinct(distinct_id) as users "
                               "by @tenant as tenant, `properties.feature` as feature | sort uses desc", **q)
    want = collections.defaultdict(lambda: [0, set()])
    for e in events:
        if e["event"] == "feature_used":
            k = (e["properties"]["tenant"], e["properties"]["feature"])
            want[k][0] += 1
            want[k][1].add(e["distinct_id"])
    assert {(r["tenant"], r["feature"]): (r["uses"], r["users"]) for r in got} == \
        {k: (v[0], len(v[1])) for k, v in want.items()}
    assert [r["uses"] for r in got] == sorted((r["uses"] for r in got), reverse=True)

    # Keys are never stored.
    leaked = server.rows_as_dicts("source analytics | filter @message like 'phc_project' | stats count(*) as n", **q)
    assert leaked[0]["n"] == 0


def test_posthog_keys_are_write_only(vigil_server, tmp_path):
    server = vigil_server(config=write_config(tmp_path / "vigil.yaml", ANALYTICS_CONFIG))
    ev = {"event": "x", "distinct_id": "u1", "timestamp": iso_ms(PSEUDO_NOW_MS)}
    ok = capture(server, "/capture/", json.dumps(dict(ev, api_key=PROJECT)))
    assert ok.status_code == 200, ok.text
    # The project key cannot read.
    r = server.query("source analytics", headers={"Authorization": f"Bearer {PROJECT}"}, **ALL_TIME)
    assert r.status_code == 401, r.text
    # A read key cannot capture; an ingest key can; no key / unknown keys cannot.
    r = capture(server, "/capture/", json.dumps(dict(ev, api_key="read-key-0123456789")))
    assert r.status_code == 403, r.text
    r = capture(server, "/capture/", json.dumps(dict(ev, api_key="ingest-key-0123456789")))
    assert r.status_code == 200, r.text
    r = capture(server, "/capture/", json.dumps(ev))
    assert r.status_code == 401, r.text
    r = capture(server, "/capture/", json.dumps(dict(ev, api_key="phc_wrong")))
    assert r.status_code == 401, r.text
    n = server.rows_as_dicts("source analytics | stats count(*) as n", headers=READ, **ALL_TIME)
    assert n[0]["n"] == 2


def test_posthog_malformed(vigil_server):
    server = vigil_server()
    good = {"event": "ok_event", "distinct_id": "u1", "timestamp": iso_ms(PSEUDO_NOW_MS)}
    cases = [
        (b"{not json", {}, None, "not valid JSON"),
        (b"\x1f\x8b\x08garbage", {"Content-Type": "text/plain"}, {"compression": "gzip-js"}, "gzip"),
        (b"data=%%%", {"Content-Type": "application/x-www-form-urlencoded"}, None, "escape"),
        (b"data=!!!!", {"Content-Type": "application/x-www-form-urlencoded"}, None, "base64"),
        (b'{"batch": {}}', {}, None, "batch"),
        (b'{"batch": []}', {}, None, "no events"),
        (json.dumps({"batch": [{"event": "x"}, {"distinct_id": "u"}]}).encode(), {}, None, "distinct_id"),
    ]
    for body, headers, params, needle in cases:
        r = capture(server, "/batch/", body, headers, params)
        assert r.status_code == 400, (body, r.status_code, r.text)
        assert needle in r.text, (body, r.text)
    r = capture(server, "/batch/", b"x", {"Content-Type": "text/plain"}, {"compression": "lz64"})
    assert r.status_code == 415 and "lz64" in r.text
    # A batch with bad events keeps the good ones and reports the bad ones.
    batch = [good, {"event": "", "distinct_id": "u"}, dict(good, event="second"), {"event": "t", "distinct_id": "u",
             "timestamp": "not a time"}, "string"]
    r = capture(server, "/batch/", json.dumps({"batch": batch}), {"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["status"] == 1 and j["accepted"] == 2
    assert [x["index"] for x in j["rejected"]] == [1, 3, 4]
    rows = server.rows_as_dicts("source analytics | sort event asc | fields event", **ALL_TIME)
    assert [r["event"] for r in rows] == ["ok_event", "second"]


def test_status_auth_reload_and_cors(vigil_server, tmp_path):
    cfg = tmp_path / "vigil.yaml"
    write_config(cfg, ANALYTICS_CONFIG + STATUS_CONFIG.replace("interval: 2s", "interval: 1h"))
    server = vigil_server(config=cfg)
    url = server.url + "/api/v1/status"
    report = {"check": "email_sync", "entity": "mb1", "status": "ok", "at": int(time.time() * 1000) - 5000}
    assert requests.post(url, json=report).status_code == 401
    assert requests.post(url, json=report, headers=READ).status_code == 403
    r = requests.post(url, json=report, headers={"Authorization": "Bearer ingest-key-0123456789"})
    assert r.status_code == 200, r.text
    rows = server.rows_as_dicts("source status | fields check, stale, expected_interval_s", headers=READ)
    assert rows == [{"check": "email_sync", "stale": False, "expected_interval_s": 3600}]
    # A reload (SIGHUP) applies a new interval at once: the report is now 5 s old.
    write_config(cfg, ANALYTICS_CONFIG + STATUS_CONFIG)
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = server.rows_as_dicts("source status | fields check, stale, expected_interval_s", headers=READ)
        if rows[0]["expected_interval_s"] == 2:
            break
        time.sleep(0.1)
    assert rows == [{"check": "email_sync", "stale": True, "expected_interval_s": 2}]
    # Browsers' preflight for posthog-js.
    r = requests.options(server.url + "/e/", headers={"Origin": "https://app.example.com",
                                                       "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]


def test_garbage_never_crashes_the_server(vigil_server):
    server = vigil_server()
    rng = random.Random(11)
    valid = json.dumps({"api_key": "k", "batch": [{"event": "e", "distinct_id": "u",
                                                   "properties": {"a": [1, {"b": None}], "c": {"d": 1.5}}}]})
    status = json.dumps([{"check": "c", "status": "ok", "entity": "e", "details": {"x": [1, 2]}}])
    for i in range(300):
        base = valid if i % 2 else status
        b = bytearray(base.encode())
        for _ in range(rng.randint(1, 6)):  # flip, drop or insert bytes
            pos = rng.randrange(len(b))
            op = rng.randrange(3)
            if op == 0:
                b[pos] = rng.randrange(256)
            elif op == 1:
                del b[pos]
            else:
                b.insert(pos, rng.choice(b'{}[]",:\\\x00\xff'))
        path = rng.choice(["/batch/", "/e/", "/api/v1/status"])
        headers = rng.choice([{}, {"Content-Type": "application/x-www-form-urlencoded"}, {"Content-Type": "text/plain"}])
        params = rng.choice([None, {"compression": "gzip-js"}, {"compression": "base64"}])
        r = requests.post(server.url + path, data=bytes(b), headers=headers, params=params, timeout=30)
        assert r.status_code in (200, 400, 415), (path, bytes(b), r.status_code, r.text)
        if r.status_code != 200:
            assert "error" in r.json() or r.json().get("accepted") == 0
    assert requests.get(server.url + "/healthz").status_code == 200


def test_python_sdk_external_calls_feed_external_apis(vigil_server, tmp_path):
    """The repository's own SDK (sdk/python) logs external_call records; they are calls."""
    import logging
    import sys
    import uuid
    from conftest import REPO
    sys.path.insert(0, str(REPO / "sdk" / "python"))
    from vigil_sdk import VigilHandler, external_call

    server = vigil_server()
    log = logging.getLogger("health-sdk-" + uuid.uuid4().hex[:8])
    log.setLevel(logging.DEBUG)
    log.propagate = False
    h = VigilHandler(server.url, spool_dir=tmp_path / "spool", flush_interval=0.1, timeout=2.0, retry_delay=0.1)
    log.addHandler(h)
    try:
        statuses = [200, 201, 402, 503, 200]
        for s in statuses:
            with external_call("stripe", "create_charge", logger=log) as call:
                call.status_code = s
        time.sleep(0.005)  # the last error is the newest by a clear millisecond
        with pytest.raises(TimeoutError):
            with external_call("stripe", "create_charge", logger=log):
                raise TimeoutError("read timed out")
        h.flush()
    finally:
        log.removeHandler(h)
        h.close()
    deadline = time.monotonic() + 20
    rows = []
    while time.monotonic() < deadline:
        rows = server.rows_as_dicts("source external_apis | filter external_api = 'stripe'")
        if rows and rows[0]["calls"] == len(statuses) + 1:
            break
        time.sleep(0.1)
    assert len(rows) == 1, rows
    r = rows[0]
    assert r["endpoint"] == "create_charge"
    assert r["calls"] == 6
    assert r["errors"] == 3  # 402, 503 and the exception
    assert r["rate_5xx"] == pytest.approx(1 / 6)
    assert r["last_error"] == "read timed out"
