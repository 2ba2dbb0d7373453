"""Alarm evaluation end to end: the shipped runbook alarms on request/cron logs shaped like
gen_logs output, state across restarts, reload by SIGHUP and the API, API rules, the
alarm_history view and `vigil alarms`."""
import json
import signal
import time
import uuid

import requests

from conftest import run_vigil, write_config

FAST = """
alerting:
  evaluation_interval: 1s
"""

ENDPOINTS = ["client_views.case_detail", "api.search", "billing.invoice_list", "auth.login"]
AGENCIES = ["agency_contoso_db", "agency_northwind_db", "agency_datum_db"]


def request_line(ts_ms, i, status, duration_ms):
    ep = ENDPOINTS[i % len(ENDPOINTS)]
    return {"timestamp": ts_ms, "level": "ERROR" if status >= 500 else "INFO", "logger": "flaskapp",
            "message": f"GET /{ep.replace('.', '/')} {status}", "request_id": str(uuid.uuid4()),
            "endpoint": ep, "method": "GET", "path": "/" + ep.replace(".", "/"), "status": status,
            "duration_ms": duration_ms, "query_count": 7, "query_total_ms": 10.9,
            "agency_db": AGENCIES[i % len(AGENCIES)], "user_type": "staff"}


def cron_line(ts_ms, i, ok):
    job = ["sync_email", "send_reminders", "nightly_billing"][i % 3]
    line = {"timestamp": ts_ms, "level": "INFO" if ok else "ERROR", "logger": "cronapp",
            "message": f"cron {job} {'succeeded' if ok else 'failed'}", "job_name": job,
            "db_name": AGENCIES[i % len(AGENCIES)], "status": "success" if ok else "failure",
            # Long like real cron runs: if cron durations leaked into the request latency
            # alarm (status is a string here), its p95 would cross 5000.
            "duration_ms": 20000.0}
    if not ok:
        line["error_message"] = "Invalid email address: user1@example.org"
    return line


def make_data(now_ms, errors_per_200, slow_per_200, cron_failures_per_12):
    """One batch per minute for the last 5 minutes (each lands in its own 1-minute bin):
    200 requests and 12 cron runs per minute. Returns (lines, expectations)."""
    lines = []
    for k in range(5):
        ts = now_ms - k * 60_000
        for i in range(200):
            status = 500 if i < errors_per_200 else 200
            duration = 8000.0 if 100 <= i < 100 + slow_per_200 else 100.0 + i
            lines.append(request_line(ts, i, status, duration))
        for i in range(12):
            lines.append(cron_line(ts, i, ok=i >= cron_failures_per_12))
    # Independent expectations, per minute (every minute has the same mix).
    durations = sorted(l["duration_ms"] for l in lines[:200])
    rank = -(-95 * len(durations) // 100)  # nearest rank
    expect = {
        "http_5xx_rate": errors_per_200 / 200 * 100,
        "http_p95_latency": durations[rank - 1],
        "cron_failure_rate": cron_failures_per_12 / 12 * 100,
        "logs_silent": float(len(lines)),
    }
    return lines, expect


def ingest(server, lines):
    body = "\n".join(json.dumps(l) for l in lines) + "\n"
    server.ingest_ok(body.encode(), expect_accepted=len(lines))


def alarms(server):
    r = server.session.get(server.url + "/api/v1/alarms", timeout=30)
    assert r.status_code == 200, r.text
    return {(a["alarm"], a["instance"]): a for a in r.json()["alarms"]}


def wait_for(server, want, timeout=40.0):
    """Polls until every (alarm, instance) in `want` has the wanted state."""
    deadline = time.monotonic() + timeout
    got = {}
    while time.monotonic() < deadline:
        got = alarms(server)
        if all(k in got and got[k]["state"] == s for k, s in want.items()):
            return got
        time.sleep(0.2)
    raise AssertionError(f"alarms did not reach {want}; got "
                         f"{ {k: (v['state'], v['value']) for k, v in got.items()} }\n{server.stderr()}")


RUNBOOK = ["http_5xx_rate", "http_p95_latency", "cron_failure_rate"]


def test_runbook_alarms_fire_on_crossing_data_and_survive_restart(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", FAST)
    s = vigil_server(config=cfg)
    now = int(time.time() * 1000)
    lines, expect = make_data(now, errors_per_200=10, slow_per_200=20, cron_failures_per_12=3)
    assert expect["http_5xx_rate"] > 1 and expect["http_p95_latency"] > 5000
    assert expect["cron_failure_rate"] > 10
    ingest(s, lines)
    got = wait_for(s, {(n, ""): "ALARM" for n in RUNBOOK} | {("logs_silent", "source="): "OK"})
    for n in RUNBOOK:
        assert got[(n, "")]["value"] == expect[n], (n, got[(n, "")])
    assert got[("logs_silent", "source=")]["value"] == expect["logs_silent"]
    firing = {n: got[(n, "")]["firing_since"] for n in RUNBOOK}
    assert all(firing.values())

    # The history: a state change to ALARM per alarm, as events and in the alarm's view.
    rows = s.rows_as_dicts('source alarm_history | filter event = "state_change" and state = "ALARM" '
                           '| stats count(*) as n by alarm', start="-1h", end="now")
    assert {r["alarm"]: r["n"] for r in rows} == {n: 1 for n in RUNBOOK}
    evals = s.rows_as_dicts('source alarm_history | filter event = "evaluation" and alarm = "http_5xx_rate" '
                            '| stats max(value) as v', start="-1h", end="now")
    assert evals[0]["v"] == expect["http_5xx_rate"]
    detail = s.session.get(s.url + "/api/v1/alarms/http_5xx_rate", timeout=30).json()
    assert detail["rule"]["origin"] == "default"
    assert detail["rule"]["datapoints_to_alarm"] == 3
    changes = [h for h in detail["history"] if h["event"] == "state_change"]
    assert changes[0]["state"] == "ALARM"
    # The link runs the rule's query over the alarm's window.
    link = detail["rule"]["link"]
    # (relative: the server listens on port 0, so it has no fixed address of its own)
    assert link.startswith("/api/v1/alarms/http_5xx_rate/query?start="), link
    q = s.session.get(s.url + link, timeout=30).json()
    assert "value" in q["columns"] and q["rows"]

    # CLI.
    out = run_vigil("alarms", "--server", s.url, check=0).stdout
    for n in RUNBOOK:
        assert any(line.split()[:2] == [n, "ALARM"] for line in out.splitlines()), out
    hist = run_vigil("alarms", "history", "cron_failure_rate", "--server", s.url, check=0).stdout
    assert "state_change" in hist and "ALARM" in hist, hist
    assert run_vigil("alarms", "history", "nope", "--server", s.url).returncode == 1

    # A restart keeps the state: still firing since the same instant, no second change.
    assert s.stop() == 0
    # The history view works offline too (`vigil query --data`).
    out = run_vigil("query", "--data", s.data_dir, "-f", "json", "--start", "-1h", "-q",
                    'source alarm_history | filter event = "state_change" and state = "ALARM" '
                    '| stats count(*) as n', check=0).stdout
    assert json.loads(out.splitlines()[0]) == {"n": len(RUNBOOK)}, out
    s2 = vigil_server(data_dir=s.data_dir, config=cfg)
    time.sleep(2.5)  # a couple of evaluations after the restart
    got2 = alarms(s2)
    for n in RUNBOOK:
        assert got2[(n, "")]["state"] == "ALARM"
        assert got2[(n, "")]["firing_since"] == firing[n]
    detail2 = s2.session.get(s2.url + "/api/v1/alarms/http_5xx_rate", timeout=30).json()
    assert len([h for h in detail2["history"] if h["event"] == "state_change" and h["state"] == "ALARM"]) == 1


def test_runbook_alarms_stay_ok_below_thresholds(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", FAST)
    s = vigil_server(config=cfg)
    now = int(time.time() * 1000)
    lines, expect = make_data(now, errors_per_200=1, slow_per_200=5, cron_failures_per_12=1)
    assert expect["http_5xx_rate"] < 1 and expect["http_p95_latency"] < 5000
    assert expect["cron_failure_rate"] < 10
    ingest(s, lines)
    got = wait_for(s, {(n, ""): "OK" for n in RUNBOOK})
    for n in RUNBOOK:
        assert got[(n, "")]["value"] == expect[n], (n, got[(n, "")])
    time.sleep(2)  # and they stay OK
    got = alarms(s)
    assert {n: got[(n, "")]["state"] for n in RUNBOOK} == {n: "OK" for n in RUNBOOK}
    rows = s.rows_as_dicts('source alarm_history | filter event = "state_change" and state = "ALARM"',
                           start="-1h", end="now")
    assert rows == []


RELOAD = """
alerting:
  evaluation_interval: 1s
  defaults: false
  rules:
    - name: busy
      query: 'filter ispresent(endpoint) | stats count(*) as value by endpoint, bin(1m)'
      threshold: {threshold}
      annotations:
        summary: '{{{{ labels.endpoint }}}} had {{{{ value }}}} requests'
"""


def test_reload_by_sighup_and_api_keeps_state(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", RELOAD.format(threshold=5))
    s = vigil_server(config=cfg)
    now = int(time.time() * 1000)
    lines = [request_line(now, 0, 200, 10.0) for _ in range(8)] + [request_line(now, 1, 200, 10.0) for _ in range(2)]
    ingest(s, lines)
    a, b = ("busy", "endpoint=" + ENDPOINTS[0]), ("busy", "endpoint=" + ENDPOINTS[1])
    got = wait_for(s, {a: "ALARM", b: "OK"})
    since_a = got[a]["firing_since"]
    assert got[a]["labels"]["endpoint"] == ENDPOINTS[0]

    write_config(cfg, RELOAD.format(threshold=1))
    s.proc.send_signal(signal.SIGHUP)
    got = wait_for(s, {a: "ALARM", b: "ALARM"})
    assert got[a]["firing_since"] == since_a  # kept across the reload

    # A broken file is refused and the rules in force stay.
    write_config(cfg, RELOAD.format(threshold="high"))
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reload failed" not in s.stderr() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert 'rule "busy": threshold: expected a number, got "high"' in s.stderr()
    r = s.session.post(s.url + "/api/v1/reload", timeout=30)
    assert r.status_code == 400 and 'rule "busy": threshold' in r.json()["error"]["message"], r.text
    rules = s.session.get(s.url + "/api/v1/alarms/rules", timeout=30).json()["rules"]
    assert [(x["name"], x["threshold"]) for x in rules] == [("busy", 1.0)]

    # POST /api/v1/reload applies a good file (threshold back to 5: b resolves).
    write_config(cfg, RELOAD.format(threshold=5))
    assert s.session.post(s.url + "/api/v1/reload", timeout=30).status_code == 200
    got = wait_for(s, {a: "ALARM", b: "OK"})
    assert got[a]["firing_since"] == since_a


def test_api_rules(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", RELOAD.format(threshold=5))
    s = vigil_server(config=cfg)
    base = s.url + "/api/v1/alarms/rules"
    rule = {"name": "many_errors", "query": 'filter status >= 500 | stats count(*) as value by bin(1m)',
            "threshold": 2, "treat_missing_data": "notBreaching", "labels": {"team": "web"}}
    r = s.session.post(base, json=rule, timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["origin"] == "api" and r.json()["period"] == "1m"
    assert s.session.post(base, json=rule, timeout=30).status_code == 409
    # Config rules belong to the file.
    r = s.session.delete(base + "/busy", timeout=30)
    assert r.status_code == 409 and "config file" in r.json()["error"]["message"]
    r = s.session.put(base + "/busy", json={"query": "stats count(*) as value by bin(1m)", "threshold": 1}, timeout=30)
    assert r.status_code == 409
    # Bad rules name the rule and the key.
    r = s.session.post(base, json=dict(rule, name="x", comparison="=>"), timeout=30)
    assert r.status_code == 400 and r.json()["error"]["message"].startswith('rule "x": comparison:'), r.text
    r = s.session.post(base, json=dict(rule, name="y", query="stats count(* by bin(1m)"), timeout=30)
    assert r.status_code == 400 and 'rule "y": query: line 1, column' in r.json()["error"]["message"], r.text
    r = s.session.post(base, data=b"{not json", headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400
    # PUT replaces; the name in the body must match the path.
    r = s.session.put(base + "/many_errors", json=dict(rule, threshold=7), timeout=30)
    assert r.status_code == 200 and r.json()["threshold"] == 7
    r = s.session.put(base + "/many_errors", json=dict(rule, name="other"), timeout=30)
    assert r.status_code == 400
    assert s.session.put(base + "/", json=rule, timeout=30).status_code == 400
    r = s.session.put(base + "/a/b", json={k: v for k, v in rule.items() if k != "name"}, timeout=30)
    assert r.status_code == 400 and 'rule "a/b": name:' in r.json()["error"]["message"], r.text
    now = int(time.time() * 1000)
    ingest(s, [request_line(now, i, 503, 10.0) for i in range(9)])
    wait_for(s, {("many_errors", ""): "ALARM"})

    # API rules and their state survive a restart.
    assert s.stop() == 0
    s2 = vigil_server(data_dir=s.data_dir, config=cfg)
    rules = {x["name"]: x for x in s2.session.get(base.replace(s.url, s2.url), timeout=30).json()["rules"]}
    assert rules["many_errors"]["threshold"] == 7 and rules["many_errors"]["labels"] == {"team": "web"}
    assert alarms(s2)[("many_errors", "")]["state"] == "ALARM"
    # A config file that now defines the same name is refused on reload.
    write_config(cfg, RELOAD.format(threshold=5).replace("name: busy", "name: many_errors"))
    r = s2.session.post(s2.url + "/api/v1/reload", timeout=30)
    assert r.status_code == 400 and "through the API" in r.json()["error"]["message"], r.text
    r = s2.session.delete(s2.url + "/api/v1/alarms/rules/many_errors", timeout=30)
    assert r.status_code == 200
    assert ("many_errors", "") not in alarms(s2)
    assert s2.session.delete(s2.url + "/api/v1/alarms/rules/many_errors", timeout=30).status_code == 404
    assert s2.session.get(s2.url + "/api/v1/alarms/many_errors", timeout=30).status_code == 404


def test_bad_alerting_config_fails_start_with_the_rule_and_key(tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", RELOAD.format(threshold=5).replace("threshold: 5", "threshold: 5\n      for: soon"))
    p = run_vigil("serve", "--data", tmp_path / "d", "--listen", "127.0.0.1:0", "--config", cfg, timeout=30)
    assert p.returncode != 0
    assert 'rule "busy": for: expected a duration' in p.stderr, p.stderr


PENDING = """
alerting:
  evaluation_interval: 500ms
  defaults: false
  rules:
    - name: slow_burn
      query: 'filter status >= 500 | stats count(*) as value by bin(1m)'
      evaluation_periods: 2
      datapoints_to_alarm: 1
      threshold: 0
      for: 6s
"""


def iso_to_ms(text):
    import datetime
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return round(t.timestamp() * 1000)


def test_pending_timer_survives_a_restart(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", PENDING)
    s = vigil_server(config=cfg)
    ingest(s, [request_line(int(time.time() * 1000), i, 502, 10.0) for i in range(3)])
    got = wait_for(s, {("slow_burn", ""): "PENDING"})
    pending_since = got[("slow_burn", "")]["pending_since"]
    assert s.stop() == 0
    time.sleep(2)  # down for a while: a timer restarted at the restart would fire >= 8 s late
    s2 = vigil_server(data_dir=s.data_dir, config=cfg)
    got = alarms(s2)[("slow_burn", "")]
    if got["state"] == "PENDING":
        assert got["pending_since"] == pending_since
    got = wait_for(s2, {("slow_burn", ""): "ALARM"})[("slow_burn", "")]
    # Fired once the breach had lasted `for` counted from before the restart.
    fired_after = iso_to_ms(got["firing_since"]) - iso_to_ms(pending_since)
    assert 6000 <= fired_after < 8000, (pending_since, got["firing_since"])
    hist = s2.session.get(s2.url + "/api/v1/alarms/slow_burn", timeout=30).json()["history"]
    assert [h["state"] for h in reversed(hist) if h["event"] == "state_change"] == ["PENDING", "ALARM"]


SILENT = """
alerting:
  evaluation_interval: 300ms
  defaults: {http_5xx_rate: false, http_p95_latency: false, cron_failure_rate: false}
  rules:
    # The shipped logs_silent with a 2 s window instead of 10 minutes.
    - name: logs_silent
      query: 'filter @kind != "alarm_history" | stats count(*) as value by coalesce(@group, @stream, "") as source'
      period: 2s
      comparison: "<"
      threshold: 1
      treat_missing_data: breaching
"""


def test_a_source_that_goes_quiet_fires_logs_silent(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", SILENT)
    s = vigil_server(config=cfg)

    def send(group):
        r = s.ingest(b'{"msg": "tick"}\n', headers={"X-Vigil-Group": group})
        assert r.status_code == 200, r.text

    send("quiet-app")
    send("busy-app")
    wait_for(s, {("logs_silent", "source=quiet-app"): "OK", ("logs_silent", "source=busy-app"): "OK"})
    deadline = time.monotonic() + 20
    got = {}
    while time.monotonic() < deadline:
        send("busy-app")
        got = alarms(s)
        if got[("logs_silent", "source=quiet-app")]["state"] == "ALARM":
            break
        time.sleep(0.3)
    assert got[("logs_silent", "source=quiet-app")]["state"] == "ALARM", got
    assert got[("logs_silent", "source=busy-app")]["state"] == "OK"
    # Only sources that sent have instances; one that comes back resolves.
    assert sorted(k[1] for k in got if k[0] == "logs_silent") == ["source=busy-app", "source=quiet-app"]
    send("quiet-app")
    wait_for(s, {("logs_silent", "source=quiet-app"): "OK"})
