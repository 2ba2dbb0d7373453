"""The Python SDK (sdk/python) in a Flask app, against the real `vigil serve`.

Uses Debian's python3-flask (installed by scripts/install-deps --test); the SDK itself is
standard library only and is imported from the repository (as `pip install ./sdk/python`
would install it).
"""
import io
import json
import logging
import subprocess
import sys
import time
import types
import uuid

import pytest

from conftest import ALL_TIME, REPO

sys.path.insert(0, str(REPO / "sdk" / "python"))
import vigil_sdk  # noqa: E402
from vigil_sdk import (VigilHandler, VigilMiddleware, cron_job, external_call,  # noqa: E402
                       init_flask, query_timer, set_fields)

flask = pytest.importorskip("flask", reason="python3-flask is installed by scripts/install-deps --test")

FAST = dict(flush_interval=0.1, timeout=2.0, retry_delay=0.1)


def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def logger():
    """A fresh logger per test, with handlers removed and closed afterwards."""
    log = logging.getLogger("sdk-test-" + uuid.uuid4().hex[:8])
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()


def make_app(log):
    app = flask.Flask("runbook_app")

    @app.route("/users/<int:user_id>")
    def user(user_id):
        set_fields(agency_db="agency_contoso_db", user_type="staff")
        for _ in range(2):
            with query_timer():
                time.sleep(0.001)
        log.info("loaded user", extra={"user_id": user_id})
        return {"id": user_id, "outgoing": vigil_sdk.outgoing_headers()}

    @app.route("/boom")
    def boom():
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("report failed for agency")
        return "failed", 500

    @app.route("/crash")
    def crash():
        raise RuntimeError("unhandled")

    init_flask(app, logger=log)
    return app


def get(client, path, **kw):
    """GET through the test client, then read and close the body as a WSGI server does
    (the request line is logged when the body is done)."""
    r = client.get(path, **kw)
    r.get_data()
    r.close()
    return r


def rows(server, q):
    return server.rows_as_dicts(q, **ALL_TIME)


# --------------------------------------------------------------------------- Flask app


def test_request_id_round_trip_and_request_line(tmp_path, vigil_server, logger):
    server = vigil_server()
    h = VigilHandler(server.url, group="web", spool_dir=tmp_path / "spool", **FAST)
    logger.addHandler(h)
    client = make_app(logger).test_client()

    r = get(client, "/users/42", headers={"X-Request-ID": "req-abc-123"})
    assert r.status_code == 200
    assert r.headers["X-Request-ID"] == "req-abc-123"
    r2 = get(client, "/users/7")
    generated = r2.headers["X-Request-ID"]
    assert uuid.UUID(generated).version == 4
    # An incoming id that does not look like one is replaced.
    r3 = get(client, "/users/8", headers={"X-Request-ID": "bad id with spaces"})
    assert r3.headers["X-Request-ID"] != "bad id with spaces"
    h.flush()

    found = wait_for(lambda: rows(server, 'fields @message, kind, endpoint, status, duration_ms, '
                                          'query_count, query_total_ms, agency_db, user_type, '
                                          'user_id, method, @group, @tenant '
                                          '| filter request_id = "req-abc-123"'),
                     what="request lines in Vigil")
    wait_for(lambda: len(rows(server, 'fields kind | filter request_id = "req-abc-123"')) == 2)
    by_kind = {r["kind"]: r for r in rows(server, 'fields kind, endpoint, status, duration_ms, '
                                                  'query_count, query_total_ms, agency_db, '
                                                  'user_type, user_id, method, @group, @tenant '
                                                  '| filter request_id = "req-abc-123"')}
    assert found
    req, app_line = by_kind["request"], by_kind[None]
    assert req["endpoint"] == "/users/<int:user_id>" and req["status"] == 200
    assert req["method"] == "GET" and req["duration_ms"] > 0
    assert req["query_count"] == 2 and req["query_total_ms"] > 0
    assert req["agency_db"] == "agency_contoso_db" and req["user_type"] == "staff"
    assert req["@group"] == "web" and req["@tenant"] == "agency_contoso_db"
    assert app_line["user_id"] == 42 and app_line["agency_db"] == "agency_contoso_db"
    assert rows(server, f'fields status | filter request_id = "{generated}" and kind = "request"')
    assert h.status()["breaker"] == "closed"


def test_trace_headers_are_parsed_and_propagated(tmp_path, vigil_server, logger):
    server = vigil_server()
    h = VigilHandler(server.url, spool_dir=tmp_path / "spool", **FAST)
    logger.addHandler(h)
    client = make_app(logger).test_client()
    tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    r = get(client, "/users/1", headers={"traceparent": tp, "X-Request-ID": "r-trace-1"})
    assert r.json["outgoing"] == {"X-Request-ID": "r-trace-1", "traceparent": tp}
    amzn = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    r = get(client, "/users/2", headers={"X-Amzn-Trace-Id": amzn, "X-Request-ID": "r-trace-2"})
    assert r.json["outgoing"]["X-Amzn-Trace-Id"] == amzn
    h.flush()
    got = wait_for(lambda: rows(server, 'fields request_id, trace_id, parent_id '
                                        '| filter trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"'),
                   what="traceparent lines")
    assert {r["parent_id"] for r in got} == {"00f067aa0ba902b7"}
    got = wait_for(lambda: rows(server, 'fields request_id | filter '
                                        'trace_id = "1-5759e988-bd862e3fe1be46a994272793"'),
                   what="X-Amzn-Trace-Id lines")
    assert {r["request_id"] for r in got} == {"r-trace-2"}


def test_error_log_is_stored_as_an_error_with_its_class(tmp_path, vigil_server, logger):
    server = vigil_server()
    h = VigilHandler(server.url, spool_dir=tmp_path / "spool", **FAST)
    logger.addHandler(h)
    app = make_app(logger)
    app.logger.addHandler(h)  # Flask logs unhandled exceptions there (root, in the runbook)
    client = app.test_client()
    try:
        assert get(client, "/boom", headers={"X-Request-ID": "r-boom"}).status_code == 500
        assert get(client, "/crash", headers={"X-Request-ID": "r-crash"}).status_code == 500
        h.flush()
    finally:
        app.logger.removeHandler(h)
    got = wait_for(lambda: rows(server, 'fields @level, error_type, error_message, exception, '
                                        'kind, status | filter request_id = "r-boom"'),
                   what="error lines")
    wait_for(lambda: len(rows(server, 'fields kind | filter request_id = "r-boom"')) == 2)
    got = rows(server, 'fields @level, error_type, error_message, exception, kind, status '
                       '| filter request_id = "r-boom"')
    err = [r for r in got if r["kind"] is None][0]
    assert err["@level"] == "ERROR" and err["error_type"] == "ZeroDivisionError"
    assert "division by zero" in err["error_message"] and "Traceback" in err["exception"]
    req = [r for r in got if r["kind"] == "request"][0]
    assert req["@level"] == "ERROR" and req["status"] == 500
    crash = wait_for(lambda: (lambda r: r if len(r) == 2 else None)(
        rows(server, 'fields kind, error_type, status, @level | filter request_id = "r-crash"')),
        what="the unhandled exception's lines")
    by_kind = {r["kind"]: r for r in crash}
    assert by_kind[None]["error_type"] == "RuntimeError" and by_kind[None]["@level"] == "ERROR"
    assert by_kind["request"]["status"] == 500 and by_kind["request"]["@level"] == "ERROR"
    counts = rows(server, 'filter @level = "ERROR" | stats count(*) as n by error_type')
    assert {r["error_type"]: r["n"] for r in counts} == {"ZeroDivisionError": 1, None: 2,
                                                          "RuntimeError": 1}


def test_error_log_becomes_an_error_group(tmp_path, vigil_server, logger):
    server = vigil_server()
    h = VigilHandler(server.url, spool_dir=tmp_path / "spool", **FAST)
    logger.addHandler(h)
    client = make_app(logger).test_client()
    for _ in range(3):
        get(client, "/boom")
    h.flush()
    # The exception's group (by type and in-app frames) and the 500 request lines' group.
    got = wait_for(lambda: (lambda r: r if len(r) == 2 and all(g["count"] == 3 for g in r) else None)(
        rows(server, "source errors | fields class, count, message, sample | sort message")),
        what="two error groups of 3")
    exc = [g for g in got if g["message"].startswith("ZeroDivisionError < ")]
    assert len(exc) == 1 and exc[0]["class"] == "Errors", got
    assert "division by zero" in exc[0]["sample"]


# --------------------------------------------------------------------------- cron, external


def test_cron_wrapper_records_success_and_failure(tmp_path, vigil_server, logger):
    server = vigil_server()
    h = VigilHandler(server.url, group="cron", spool_dir=tmp_path / "spool", **FAST)
    logger.addHandler(h)

    @cron_job("sync_invoices", db_name="agency_fabrikam_db", logger=logger)
    def sync():
        with query_timer():
            pass
        logger.info("synced 3 invoices")

    sync()
    with pytest.raises(ValueError):
        with cron_job("nightly_report", db_name="agency_contoso_db", logger=logger):
            raise ValueError("no data for yesterday")
    h.flush()
    got = wait_for(lambda: len(rows(server, 'filter kind = "cron"')) == 2 and
                   rows(server, 'fields job_name, db_name, status, duration_ms, error_message, '
                                'query_count, @tenant, @level, request_id | filter kind = "cron"'),
                   what="cron records")
    by = {r["job_name"]: r for r in got}
    ok, bad = by["sync_invoices"], by["nightly_report"]
    assert ok["status"] == "success" and ok["error_message"] is None and ok["query_count"] == 1
    assert ok["@tenant"] == "agency_fabrikam_db" and ok["duration_ms"] >= 0
    assert bad["status"] == "failure" and bad["error_message"] == "no data for yesterday"
    assert bad["@level"] == "ERROR" and bad["@tenant"] == "agency_contoso_db"
    # Log lines written inside the run carry its run id.
    inner = rows(server, 'fields request_id | filter @message like "synced 3 invoices"')
    assert inner and inner[0]["request_id"] == ok["request_id"]


def test_external_call_timer(tmp_path, vigil_server, logger):
    server = vigil_server()
    h = VigilHandler(server.url, spool_dir=tmp_path / "spool", **FAST)
    logger.addHandler(h)
    with external_call("stripe", "create_charge", logger=logger) as call:
        time.sleep(0.01)
        call.status_code = 402
    with pytest.raises(TimeoutError):
        with external_call("quickbooks", "sync", logger=logger):
            raise TimeoutError("read timed out")
    h.flush()
    got = wait_for(lambda: len(rows(server, 'filter kind = "external"')) == 2 and
                   rows(server, 'fields service, operation, duration_ms, success, status_code, '
                                'error_message | filter kind = "external"'),
                   what="external records")
    by = {r["service"]: r for r in got}
    assert by["stripe"]["success"] is False and by["stripe"]["status_code"] == 402
    assert by["stripe"]["duration_ms"] >= 10
    assert by["quickbooks"]["error_message"] == "read timed out"


# --------------------------------------------------------------------------- breaker, spool


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_handler_breaker_console_and_spool_lose_nothing(tmp_path, vigil_server, logger):
    port = free_port()
    console = io.StringIO()
    h = VigilHandler(f"http://127.0.0.1:{port}", group="web", spool_dir=tmp_path / "spool",
                     breaker_cooldown=1.0, fallback=console, **FAST)
    logger.addHandler(h)
    logger.info("first", extra={"n": 0})
    wait_for(lambda: h.status()["breaker"] == "open", 20, "breaker open")
    assert h.status()["send_failures"] == 3, h.status()
    for i in range(1, 200):
        logger.info("during outage", extra={"n": i})
    wait_for(lambda: console.getvalue().count("\n") >= 200, 10, "console fallback")
    shown = [json.loads(l)["n"] for l in console.getvalue().splitlines()]
    assert shown == list(range(200))
    assert h.status()["spool_bytes"] > 0
    server = vigil_server(listen=f"127.0.0.1:{port}")
    for i in range(200, 250):
        logger.info("after", extra={"n": i})
    got = wait_for(lambda: (lambda r: r if len(r) >= 250 else None)(
        rows(server, "fields n | limit 1000")), 30, "all lines in Vigil")
    time.sleep(0.5)
    ns = [r["n"] for r in rows(server, "fields n | limit 1000")]
    assert sorted(ns) == list(range(250)), "every line exactly once"
    st = h.status()
    assert st["breaker"] == "closed" and st["spool_bytes"] == 0 and st["lines_dropped"] == 0
    assert got


def test_spool_left_by_a_dead_process_is_shipped_by_the_next(tmp_path, vigil_server):
    port = free_port()
    spool = tmp_path / "spool"
    script = f"""
import logging, sys, time
sys.path.insert(0, {str(REPO / 'sdk' / 'python')!r})
from vigil_sdk import VigilHandler
h = VigilHandler("http://127.0.0.1:{port}", spool_dir={str(spool)!r}, breaker_cooldown=60,
                 flush_interval=0.1, timeout=1, retry_delay=0.1, fallback=open("/dev/null", "w"))
log = logging.getLogger("x"); log.addHandler(h); log.setLevel(logging.INFO)
for i in range(100):
    log.info("line", extra={{"n": i}})
while h.status()["lines_spooled"] < 100:
    time.sleep(0.05)
import os; os._exit(0)   # dies without closing the handler
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    server = vigil_server(listen=f"127.0.0.1:{port}")
    log = logging.getLogger("sdk-next-" + uuid.uuid4().hex[:6])
    h = VigilHandler(server.url, spool_dir=spool, **FAST)
    log.addHandler(h)
    try:
        # (Vigil's own alarm history events may be stored beside the shipped lines.)
        mine = 'filter @kind != "alarm_history" | fields n | limit 1000'
        wait_for(lambda: len(rows(server, mine)) >= 100, 30, "adopted spool")
        time.sleep(0.3)
        assert sorted(r["n"] for r in rows(server, mine)) == list(range(100))
    finally:
        log.removeHandler(h)
        h.close()


# --------------------------------------------------------------------------- units


def test_breaker_state_machine():
    t = [0.0]
    b = vigil_sdk.CircuitBreaker(3, 60, clock=lambda: t[0])
    assert not b.record_failure() and not b.record_failure() and b.record_failure()
    assert b.state == "open" and not b.allow()
    t[0] = 59.9
    assert not b.allow()
    t[0] = 60.0
    assert b.allow() and b.state == "half-open" and not b.allow()
    assert b.record_failure() and b.state == "open"
    t[0] = 120.0
    assert b.allow()
    b.record_success()
    assert b.state == "closed" and b.consecutive_failures == 0


def test_sqlalchemy_hook_counts_queries_or_reports_absence(monkeypatch):
    from vigil_sdk import context, instrument_sqlalchemy
    if "sqlalchemy" not in sys.modules:
        try:
            import sqlalchemy  # noqa: F401
        except ImportError:
            assert instrument_sqlalchemy() is False
    # A stand-in SQLAlchemy with the event API the hook uses.
    listeners = {}
    sa = types.ModuleType("sqlalchemy")
    sa.event = types.SimpleNamespace(listen=lambda target, name, fn: listeners.setdefault(name, fn))
    sa_engine = types.ModuleType("sqlalchemy.engine")
    sa_engine.Engine = object
    monkeypatch.setitem(sys.modules, "sqlalchemy", sa)
    monkeypatch.setitem(sys.modules, "sqlalchemy.engine", sa_engine)
    assert instrument_sqlalchemy() is True
    ctx = context.Context()
    token = context.activate(ctx)
    conn = types.SimpleNamespace(info={})
    for _ in range(3):
        listeners["before_cursor_execute"](conn, None, "SELECT 1", (), None, False)
        listeners["after_cursor_execute"](conn, None, "SELECT 1", (), None, False)
    context.deactivate(token)
    assert ctx.query_count == 3 and ctx.query_total_ms >= 0


def test_json_formatter_puts_the_runbook_fields_first():
    from vigil_sdk import JsonFormatter
    rec = logging.LogRecord("app", logging.WARNING, __file__, 1, "slow %s", ("page",), None)
    rec.duration_ms, rec.endpoint, rec.custom = 812.5, "/reports", {"a": [1, 2]}
    out = json.loads(JsonFormatter().format(rec))
    assert list(out)[:6] == ["timestamp", "level", "logger", "message", "endpoint", "duration_ms"]
    assert out["message"] == "slow page" and out["level"] == "WARNING"
    assert out["custom"] == {"a": [1, 2]} and out["timestamp"].endswith("Z")


def test_pip_installs_the_sdk(tmp_path):
    import shutil
    src = tmp_path / "sdk-src"  # pip builds in place: keep the repository clean
    shutil.copytree(REPO / "sdk" / "python", src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                        "--no-deps", "--no-index", "--target", str(target), str(src)],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0 and "No module named pip" in p.stderr:
        pytest.skip("pip is not installed")
    assert p.returncode == 0, p.stderr[-2000:]
    out = subprocess.run([sys.executable, "-c", "import vigil_sdk, sys; print(vigil_sdk.__file__)"],
                         capture_output=True, text=True, env={"PYTHONPATH": str(target)},
                         cwd=str(tmp_path), timeout=60)
    assert out.returncode == 0 and str(target) in out.stdout, out.stderr


def test_plain_wsgi_middleware_streams_and_does_not_leak_context():
    from vigil_sdk import JsonFormatter, context
    out = io.StringIO()
    sh = logging.StreamHandler(out)
    sh.setFormatter(JsonFormatter())
    log = logging.getLogger("sdk-wsgi-" + uuid.uuid4().hex[:6])
    log.addHandler(sh)
    log.setLevel(logging.INFO)
    log.propagate = False

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Request-ID", "stale")])
        set_fields(agency_db="agency_x_db")

        def body():
            log.info("streaming")  # logged while the body is produced: same request id
            yield b"a"
            yield b"b"
        return body()

    mw = VigilMiddleware(app, logger=log)
    seen = {}
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/stream", "HTTP_X_REQUEST_ID": "r-wsgi"}
    body = mw(env, lambda status, headers, exc_info=None: seen.update(headers=headers))
    assert context.current() is None, "context must not outlive the app call"
    assert b"".join(body) == b"ab"
    body.close()
    assert [v for k, v in seen["headers"] if k == "X-Request-ID"] == ["r-wsgi"]
    lines = [json.loads(l) for l in out.getvalue().splitlines()]
    assert [l["message"] for l in lines] == ["streaming", "GET /stream 200 " +
                                             lines[1]["message"].split()[-1]]
    assert all(l["request_id"] == "r-wsgi" for l in lines)
    assert lines[1]["endpoint"] == "/stream" and lines[1]["agency_db"] == "agency_x_db"
