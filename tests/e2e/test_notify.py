"""Notifications end to end: a local webhook receiver that fails and goes down while Vigil
restarts still gets every notification exactly once; Debian's prometheus-alertmanager
receives Vigil's alerts through its real v2 API; silences (API and `vigil silence`),
acknowledgements, test-fire, the outbox API, history events and metrics."""
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import parse_prometheus, run_vigil, write_config

ENDPOINTS = ["/a", "/b", "/c"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook receiver on a fixed loopback port. It answers 500 while `failing`, can be
    taken down and brought back on the same port, and deduplicates by dedup_key the way a
    real receiver would: `accepted` counts 2xx answers per key, `duplicates` the deliveries
    of a key it had already accepted."""

    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.failing = False
        self.hang = threading.Event()   # set: requests wait (a receiver that never answers)
        self.calls = []          # (dedup_key, http status answered)
        self.accepted = {}       # dedup_key -> body
        self.duplicates = []
        self.server = None
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                doc = json.loads(body)
                while outer.hang.is_set():
                    time.sleep(0.05)
                    if outer.server is None:
                        return
                key = doc["dedup_key"]
                with outer.lock:
                    code = 500 if outer.failing else 200
                    outer.calls.append((key, code))
                    if code == 200:
                        if key in outer.accepted:
                            outer.duplicates.append(key)
                        outer.accepted[key] = doc
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def alerts(self):
        """(instance, status) of every accepted alert, one per accepted notification alert."""
        with self.lock:
            return sorted((a["instance"], a["status"]) for doc in self.accepted.values()
                          for a in doc["alerts"] if not doc["test"])

    def wait(self, pred, timeout=30.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if pred(self):
                    return
            time.sleep(0.1)
        with self.lock:
            raise AssertionError(f"receiver: timed out waiting for {what}; calls={self.calls}")


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def config(receiver_yaml, period="5s", repeat="1h", extra=""):
    return f"""
alerting:
  evaluation_interval: 1s
  defaults: false
  receivers:
{receiver_yaml}
  route:
    receiver: hook
    group_by: ['...']
    group_wait: 0s
    group_interval: 1s
    repeat_interval: {repeat}
  rules:
    - name: e2e_errors
      query: 'filter ispresent(e2e_run) | stats count(*) as value by endpoint'
      period: {period}
      evaluation_periods: 1
      datapoints_to_alarm: 1
      comparison: ">"
      threshold: 0
      treat_missing_data: notBreaching
      annotations: {{summary: "{{{{ value }}}} errors on {{{{ labels.endpoint }}}}"}}
{extra}"""


def webhook(url, delivery="{initial_backoff: 200ms, max_backoff: 1s, deadline: 10m}"):
    return f"""    - name: hook
      webhook: {{url: "{url}"}}
      delivery: {delivery}"""


def ingest_errors(server, endpoints=ENDPOINTS):
    now = int(time.time() * 1000)
    run = str(uuid.uuid4())
    lines = [{"timestamp": now, "e2e_run": run, "endpoint": ep, "status": 500} for ep in endpoints]
    body = "\n".join(json.dumps(l) for l in lines) + "\n"
    server.ingest_ok(body.encode(), expect_accepted=len(lines))


def instance(ep):
    return f"endpoint={ep}"


def history(server, where):
    fields = "event, alarm, instance, receiver, result, response_code, error, dedup_key, reason, author"
    return server.rows_as_dicts(f"source alarm_history | filter {where} | fields {fields} | limit 1000",
                                start="-1h", end="now")


def test_every_notification_arrives_exactly_once_across_failures_and_a_restart(vigil_server, receiver, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", config(webhook(receiver.url)))
    s = vigil_server(config=cfg)
    receiver.failing = True
    ingest_errors(s)
    # Three firing notifications (one group per instance), each retried with backoff.
    receiver.wait(lambda r: len({k for k, _ in r.calls}) >= 3 and len(r.calls) >= 5,
                  what="failed attempts of all three firing notifications")
    failed_calls = len(receiver.calls)
    receiver.stop()  # down: Vigil now gets connection errors
    time.sleep(0.5)
    assert s.stop() == 0
    s2 = vigil_server(data_dir=s.data_dir, config=cfg)
    # The 5 s window passes while the receiver is down: the resolves queue behind the firings.
    time.sleep(6)
    receiver.failing = False
    receiver.start()
    want = sorted([(instance(ep), "firing") for ep in ENDPOINTS] + [(instance(ep), "resolved") for ep in ENDPOINTS])
    receiver.wait(lambda r: len(r.accepted) >= 6, timeout=30, what="six accepted notifications")
    time.sleep(2)  # anything more would be a duplicate
    assert receiver.alerts() == want
    assert receiver.duplicates == []
    assert len(receiver.accepted) == 6
    assert failed_calls >= 5
    # Every accepted notification's key was tried before the restart and failed, or queued since.
    firing_keys = {k for k, doc in receiver.accepted.items() if doc["status"] == "firing"}
    assert firing_keys <= {k for k, code in receiver.calls[:failed_calls]}

    # The outbox agrees: all sent, the firing ones after several attempts.
    r = s2.session.get(s2.url + "/api/v1/notifications", params={"status": "sent"}, timeout=30)
    assert r.status_code == 200, r.text
    sent = {n["dedup_key"]: n for n in r.json()["notifications"]}
    assert set(sent) == set(receiver.accepted)
    assert all(sent[k]["attempts"] >= 2 for k in firing_keys)
    assert s2.session.get(s2.url + "/api/v1/notifications", params={"status": "pending"}).json()["notifications"] == []

    # History: the failed attempts (HTTP 500 before the restart, connection errors after).
    rows = history(s2, 'event = "notification" and response_code = 500')
    assert len(rows) >= 5 and all(r["receiver"] == "hook" and r["alarm"] == "e2e_errors" for r in rows)
    refused = history(s2, 'event = "notification" and ispresent(error) and not ispresent(response_code)')
    assert len(refused) >= 1, "attempts while the receiver was down are in the history"
    ok = history(s2, 'event = "notification" and result = "sent"')
    assert sorted(r["dedup_key"] for r in ok) == sorted(receiver.accepted)

    metrics = parse_prometheus(s2.metrics().text)
    assert metrics[("vigil_alert_notifications_total", frozenset({("receiver", "hook"), ("result", "sent")}))] == 6
    assert metrics[("vigil_alert_outbox_pending", frozenset())] == 0


def test_a_hanging_receiver_does_not_hold_up_shutdown(vigil_server, receiver, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", config(
        webhook(receiver.url, "{initial_backoff: 200ms, timeout: 60s, deadline: 10m}"), period="1m"))
    s = vigil_server(config=cfg)
    receiver.hang.set()
    ingest_errors(s, ["/a"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pending = s.session.get(s.url + "/api/v1/notifications", params={"status": "pending"}).json()
        if pending["notifications"]:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # the attempt is now waiting for an answer
    t0 = time.monotonic()
    assert s.stop() == 0
    assert time.monotonic() - t0 < 10, "SIGTERM does not wait for the 60 s timeout"
    receiver.hang.clear()
    s2 = vigil_server(data_dir=s.data_dir, config=cfg)
    receiver.wait(lambda r: len(r.accepted) == 1, what="the notification after the restart")
    doc = next(iter(receiver.accepted.values()))
    assert [(a["instance"], a["status"]) for a in doc["alerts"]] == [(instance("/a"), "firing")]
    time.sleep(1)
    # The hung request may still complete on the receiver's side after Vigil gave up on it:
    # then the retry is a duplicate that the dedup key lets the receiver drop.
    assert len(receiver.accepted) == 1 and set(receiver.duplicates) <= set(receiver.accepted)
    assert s2.running()


def test_sighup_reload_sends_queued_notifications_to_the_new_url(vigil_server, receiver, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/hook"
    cfg = write_config(tmp_path / "vigil.yaml", config(webhook(dead), period="1m"))
    s = vigil_server(config=cfg)
    ingest_errors(s, ["/a"])
    deadline = time.monotonic() + 20
    pending = []
    while time.monotonic() < deadline and not (pending and pending[0]["attempts"] >= 2):
        pending = s.session.get(s.url + "/api/v1/notifications", params={"status": "pending"}).json()["notifications"]
        time.sleep(0.1)
    assert pending and pending[0]["attempts"] >= 2 and pending[0]["response_code"] is None, pending
    write_config(cfg, config(webhook(receiver.url), period="1m"))
    s.proc.send_signal(signal.SIGHUP)
    receiver.wait(lambda r: len(r.accepted) == 1, what="the queued notification at the new URL")
    assert list(receiver.accepted) == [pending[0]["dedup_key"]]


def test_deadline_marks_a_notification_failed(vigil_server, receiver, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", config(
        webhook(receiver.url, "{initial_backoff: 100ms, max_backoff: 200ms, deadline: 2s}"), period="1m"))
    s = vigil_server(config=cfg)
    receiver.failing = True
    ingest_errors(s, ["/a"])
    deadline = time.monotonic() + 20
    failed = []
    while time.monotonic() < deadline and not failed:
        failed = s.session.get(s.url + "/api/v1/notifications", params={"status": "failed"}).json()["notifications"]
        time.sleep(0.2)
    assert len(failed) == 1, failed
    n = failed[0]
    assert n["response_code"] == 500 and n["error"] == "HTTP status 500" and n["attempts"] >= 5
    assert [a["instance"] for a in n["alerts"]] == [instance("/a")]
    calls = len(receiver.calls)
    assert calls == n["attempts"]
    time.sleep(1)
    assert len(receiver.calls) == calls, "no attempts after giving up"
    metrics = parse_prometheus(s.metrics().text)
    assert metrics[("vigil_alert_notifications_total", frozenset({("receiver", "hook"), ("result", "failed")}))] == 1
    assert metrics[("vigil_alert_notifications_total", frozenset({("receiver", "hook"), ("result", "error")}))] == calls - 1


def test_silences_via_cli_and_acks_mute_notifications(vigil_server, receiver, tmp_path):
    cfg = write_config(tmp_path / "vigil.yaml", config(webhook(receiver.url), period="1m", repeat="2s"))
    s = vigil_server(config=cfg)
    add = run_vigil("silence", "--server", s.url, "add", 'alertname="e2e_errors"', 'endpoint=~"/a|/b"',
                    "--duration", "1h", "--comment", "maintenance", "--author", "alice", check=0)
    sid = add.stdout.strip()
    assert len(sid) == 16, add.stdout
    listed = run_vigil("silence", "--server", s.url, "list", "--state", "active", "-f", "json", check=0)
    rows = [json.loads(l) for l in listed.stdout.splitlines() if l.strip()]
    assert [(r["id"], r["state"], r["author"], r["comment"]) for r in rows] == [(sid, "active", "alice", "maintenance")]
    assert rows[0]["matchers"] == 'alertname="e2e_errors", endpoint=~"/a|/b"'

    ingest_errors(s)
    receiver.wait(lambda r: (instance("/c"), "firing") in r_alerts(r), what="/c firing")
    time.sleep(2)
    assert {i for i, _ in receiver.alerts()} == {instance("/c")}, "the silenced instances were not sent"
    muted = history(s, 'event = "silenced"')
    assert sorted({r["instance"] for r in muted}) == [instance("/a"), instance("/b")]
    assert all(r["reason"] == f"silence {sid}: maintenance" for r in muted)

    run_vigil("silence", "--server", s.url, "expire", sid, check=0)
    receiver.wait(lambda r: {i for i, _ in r_alerts(r)} == {instance(ep) for ep in ENDPOINTS},
                  what="the unsilenced instances")
    bad = run_vigil("silence", "--server", s.url, "expire", "nosuchid")
    assert bad.returncode == 1 and "no silence" in bad.stderr

    # repeat_interval 2s: /c repeats until acknowledged, then stays quiet while firing.
    count_c = lambda: sum(1 for i, _ in receiver.alerts() if i == instance("/c"))
    before = count_c()
    receiver.wait(lambda r: count_c_locked(r, instance("/c")) > before, timeout=10, what="a repeat of /c")
    r = s.session.post(s.url + "/api/v1/alarms/e2e_errors/ack",
                       json={"instance": instance("/c"), "author": "bob", "comment": "looking"})
    assert r.status_code == 200, r.text
    assert r.json()["acked"] == [instance("/c")]
    time.sleep(1)
    after_ack = count_c()
    time.sleep(5)
    assert count_c() == after_ack, "no repeats of an acknowledged alarm"
    assert len(history(s, f'event = "acked" and instance = "{instance("/c")}"')) >= 1
    assert len(history(s, 'event = "acknowledged" and author = "bob"')) == 1
    nothing = s.session.post(s.url + "/api/v1/alarms/no_such_alarm/ack", json={})
    assert nothing.status_code == 404


def r_alerts(r):
    return sorted((a["instance"], a["status"]) for doc in r.accepted.values() for a in doc["alerts"] if not doc["test"])


def count_c_locked(r, inst):
    return sum(1 for i, _ in r_alerts(r) if i == inst)


def test_test_fire_bad_input_and_access(vigil_server, receiver, tmp_path):
    keys = {"read": "rk-0123456789abcdef0123456789abcdef", "admin": "ak-fedcba9876543210fedcba9876543210"}
    cfg = write_config(tmp_path / "vigil.yaml", f"""
api_keys:
  - {{key: {keys['read']}, role: read, name: grafana}}
  - {{key: {keys['admin']}, role: admin, name: oncall}}
""" + config(webhook(receiver.url)))
    s = vigil_server(config=cfg)
    admin = {"Authorization": "Bearer " + keys["admin"]}
    read = {"Authorization": "Bearer " + keys["read"]}
    r = s.session.post(s.url + "/api/v1/receivers/hook/test", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["delivered"] is True
    assert len(receiver.accepted) == 1
    doc = next(iter(receiver.accepted.values()))
    assert doc["test"] is True and doc["alerts"][0]["labels"] == {"alertname": "vigil_test", "receiver": "hook"}
    assert s.session.post(s.url + "/api/v1/receivers/nope/test", headers=admin).status_code == 404
    assert s.session.post(s.url + "/api/v1/receivers/hook/test", headers=read).status_code == 403
    assert s.session.post(s.url + "/api/v1/receivers/hook/test").status_code == 401

    for body, want in [("{", "JSON object"), ('{"matchers": ["x=~\\"(\\""], "duration": "1h"}', "bad regex"),
                       ('{"matchers": ["a=b"]}', "needs ends_at or duration"),
                       ('{"matchers": ["a=b"], "duration": "1h", "recurring": {"start": "2:00", "end": "03:00"}}',
                        "HH:MM")]:
        r = s.session.post(s.url + "/api/v1/silences", data=body, headers=admin)
        assert r.status_code == 400 and want in r.json()["error"]["message"], (body, r.text)
    assert s.session.post(s.url + "/api/v1/silences", json={"matchers": ["a=b"], "duration": "1h"},
                          headers=read).status_code == 403
    r = s.session.post(s.url + "/api/v1/silences", headers=admin, json={
        "matchers": ["alertname=backup"], "recurring": {"days": ["sat", "sun"], "start": "02:00", "end": "03:00",
                                                        "time_zone": "Europe/Berlin"}})
    assert r.status_code == 201, r.text
    assert r.json()["author"] == "oncall", "the key's name when no author is given"
    listed = s.session.get(s.url + "/api/v1/silences", headers=read).json()["silences"]
    assert listed[0]["recurring"] == {"days": ["sun", "sat"], "start": "02:00", "end": "03:00",
                                      "time_zone": "Europe/Berlin"}
    cli = run_vigil("silence", "--server", s.url, "--key", keys["admin"], "add", "nonsense", "--duration", "1h")
    assert cli.returncode == 1 and "expected name=value" in cli.stderr
    down = run_vigil("silence", "--server", f"http://127.0.0.1:{free_port()}", "list")
    assert down.returncode == 2


AM_BIN = shutil.which("prometheus-alertmanager")


@pytest.fixture
def alertmanager(tmp_path):
    if AM_BIN is None:
        pytest.skip("prometheus-alertmanager is not installed (scripts/install-deps --test)")
    port = free_port()
    (tmp_path / "am.yml").write_text("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n")
    log = open(tmp_path / "am.log", "wb")
    proc = subprocess.Popen([AM_BIN, f"--config.file={tmp_path / 'am.yml'}",
                             f"--storage.path={tmp_path / 'am-data'}", f"--web.listen-address=127.0.0.1:{port}",
                             "--cluster.listen-address="], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/-/ready", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("alertmanager did not become ready: " + (tmp_path / "am.log").read_text())
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


def test_alertmanager_receives_alerts_through_its_v2_api(vigil_server, alertmanager, tmp_path):
    receivers = f"""    - name: hook
      alertmanager: {{url: "{alertmanager}"}}"""
    cfg = write_config(tmp_path / "vigil.yaml", config(receivers))
    s = vigil_server(config=cfg)
    r = s.session.post(s.url + "/api/v1/receivers/hook/test")
    assert r.status_code == 200 and r.json()["delivered"] is True, r.text
    ingest_errors(s, ["/a", "/b"])

    def am_alerts():
        got = requests.get(alertmanager + "/api/v2/alerts", timeout=5).json()
        return {a["labels"].get("endpoint", a["labels"]["alertname"]): a for a in got}

    deadline = time.monotonic() + 20
    got = {}
    while time.monotonic() < deadline:
        got = am_alerts()
        if {"/a", "/b", "vigil_test"} <= set(got):
            break
        time.sleep(0.2)
    assert {"/a", "/b", "vigil_test"} <= set(got), got
    a = got["/a"]
    assert a["labels"] == {"alertname": "e2e_errors", "endpoint": "/a"}
    assert a["annotations"]["summary"] == "1 errors on /a"
    assert a["annotations"]["vigil_dedup_key"]
    assert "/api/v1/alarms/e2e_errors/query?start=" in a["generatorURL"], a["generatorURL"]
    assert a["status"]["state"] == "active"
    # The 5 s window passes: Vigil sends endsAt and Alertmanager drops the alerts as resolved.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ({"/a", "/b"} & set(am_alerts())):
        time.sleep(0.5)
    assert not ({"/a", "/b"} & set(am_alerts())), am_alerts()
    sent = s.session.get(s.url + "/api/v1/notifications", params={"status": "sent"}).json()["notifications"]
    statuses = sorted((n["alerts"][0]["instance"], n["alerts"][0]["status"]) for n in sent if not n["test"])
    assert statuses == [("endpoint=/a", "firing"), ("endpoint=/a", "resolved"),
                        ("endpoint=/b", "firing"), ("endpoint=/b", "resolved")]


@pytest.fixture
def smtp_server():
    """A local SMTP server (Python's smtpd) that keeps every message it accepts."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import asyncore
        import smtpd

    messages = []

    class Server(smtpd.SMTPServer):
        def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
            messages.append({"from": mailfrom, "to": rcpttos, "data": data.decode()})

    port = free_port()
    server = Server(("127.0.0.1", port), None)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            asyncore.loop(timeout=0.1, count=1)

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield port, messages
    stop.set()
    t.join(5)
    server.close()


def test_email_over_smtp(vigil_server, smtp_server, tmp_path):
    port, messages = smtp_server
    receivers = f"""    - name: hook
      email: {{url: "smtp://127.0.0.1:{port}", from: "vigil@example.com", to: [a@example.com, b@example.com]}}"""
    cfg = write_config(tmp_path / "vigil.yaml", config(receivers, period="1m"))
    s = vigil_server(config=cfg)
    ingest_errors(s, ["/a"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not messages:
        time.sleep(0.1)
    assert len(messages) == 1, messages
    m = messages[0]
    assert m["from"] == "vigil@example.com" and m["to"] == ["a@example.com", "b@example.com"]
    assert "Subject: [FIRING:1] e2e_errors" in m["data"]
    assert "FIRING e2e_errors endpoint=/a value=1" in m["data"]
    sent = s.session.get(s.url + "/api/v1/notifications", params={"status": "sent"}).json()["notifications"]
    assert len(sent) == 1 and f"X-Vigil-Dedup-Key: {sent[0]['dedup_key']}" in m["data"]
    assert sent[0]["attempts"] == 1
