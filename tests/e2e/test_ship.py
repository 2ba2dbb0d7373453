"""`vigil ship`: circuit breaker, spool, checkpoints, rotation, idempotent retries.

A fake ingest server on loopback (below) injects faults (down, slow, 500, 503, answers
lost after commit) and records every request; the real `vigil serve` is used for the
round trips (exactly once, across shipper crashes and restarts).
"""
import gzip
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from conftest import ALL_TIME, vigil_bin

FAST = ["--batch-seconds", "0.2", "--poll-interval", "0.05", "--retry-delay", "0.2",
        "--status-interval", "0", "--no-sync"]


# --------------------------------------------------------------------------- fake server


class FakeIngest:
    """A stand-in for POST /api/v1/logs whose behaviour the test switches at will.

    mode: "ok" (dedups by X-Vigil-Shipper/X-Vigil-Seq like Vigil), "500", "503",
    "slow" (answers after `slow_s`), "close" (drops the connection, no answer),
    "lost" (commits, then drops the connection: the answer is lost).
    """

    def __init__(self):
        self.mode = "ok"
        self.slow_s = 5.0
        self.lock = threading.Lock()
        self.requests = []  # (monotonic time, seq, mode, n lines)
        self.lines = []     # committed lines, in commit order
        self.last_seq = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                seq = int(self.headers.get("X-Vigil-Seq", "0"))
                shipper = self.headers.get("X-Vigil-Shipper", "")
                lines = body.decode().splitlines()
                with fake.lock:
                    mode = fake.mode
                    fake.requests.append((time.monotonic(), seq, mode, len(lines)))
                if mode == "slow":
                    time.sleep(fake.slow_s)
                if mode in ("500", "503"):
                    return self._answer(int(mode), {"error": {"code": "x", "message": mode}})
                if mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                with fake.lock:
                    dup = seq <= fake.last_seq.get(shipper, 0)
                    if not dup:
                        fake.last_seq[shipper] = seq
                        fake.lines.extend(lines)
                if mode == "lost":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                out = {"accepted": 0 if dup else len(lines), "rejected": [], "rejected_count": 0}
                if dup:
                    out["duplicate"] = True
                self._answer(200, out)

            def _answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def set(self, mode):
        with self.lock:
            self.mode = mode

    def attempts(self):
        with self.lock:
            return list(self.requests)

    def committed(self):
        with self.lock:
            return list(self.lines)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake():
    f = FakeIngest()
    yield f
    f.close()


# --------------------------------------------------------------------------- shipper


class Shipper:
    """One `vigil ship` process; stderr (status and console fallback) goes to a file."""

    def __init__(self, tmp_path, server_url, inputs, *extra, state=None, stdin=None):
        self.tmp = Path(tmp_path)
        self.state = Path(state or self.tmp / "ship-state")
        self.args = [vigil_bin(), "ship", "--server", server_url, "--state", str(self.state),
                     *map(str, extra), *map(str, inputs)]
        self.stdin = stdin
        self.proc = None
        self.err_path = None
        self.n = 0

    def start(self):
        self.n += 1
        self.err_path = self.tmp / f"ship-{self.n}-{time.time_ns()}.stderr"
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(self.args, stdin=self.stdin or subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self._err)
        return self

    def stderr(self):
        return self.err_path.read_text(errors="replace")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._err.close()

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        self._err.close()
        return rc

    def wait(self, timeout=60):
        rc = self.proc.wait(timeout)
        self._err.close()
        return rc

    def status(self, wait=10.0):
        """`vigil ship --status` (waiting up to `wait` s for a just-started shipper's first report)."""
        deadline = time.monotonic() + wait
        while True:
            p = subprocess.run([vigil_bin(), "ship", "--status", "--state", str(self.state)],
                               capture_output=True, timeout=30)
            if p.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)


@pytest.fixture
def shippers():
    started = []

    def make(*a, **kw):
        s = Shipper(*a, **kw)
        started.append(s)
        return s

    yield make
    for s in started:
        if s.proc is not None and s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait(10)


def wait_for(pred, timeout=30.0, what="condition", interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def json_lines(first, n, tag="l"):
    return "".join(json.dumps({"n": i, "tag": tag, "msg": f"line {i}"}) + "\n"
                   for i in range(first, first + n))


def append(path, text):
    with open(path, "a") as f:
        f.write(text)
        f.flush()


def numbers(server, tag=None, expect=None, timeout=30.0):
    """n of every stored event (optionally with `tag`), once `expect` of them arrived."""
    q = "fields n" + (f' | filter tag = "{tag}"' if tag else "") + " | limit 10000"

    def get():
        rows = server.rows_as_dicts(q, **ALL_TIME)
        ns = [r["n"] for r in rows if r.get("n") is not None]
        return ns if expect is None or len(ns) >= expect else None

    ns = wait_for(get, timeout, f"{expect} events in Vigil") if expect is not None else get()
    time.sleep(0.3)  # anything extra (a duplicate) would arrive right behind
    return get() or ns


def rows_of(server, q):
    return server.rows_as_dicts(q, **ALL_TIME)


def assert_exactly_once(ns, n):
    dup = sorted({x for x in ns if ns.count(x) > 1})
    missing = sorted(set(range(n)) - set(ns))
    assert not dup and not missing, f"duplicates {dup[:20]}, missing {missing[:20]}"
    assert len(ns) == n


# --------------------------------------------------------------------------- round trips


def test_ships_json_and_plain_text_with_group_and_stream(tmp_path, vigil_server, shippers):
    server = vigil_server()
    log = tmp_path / "app.log"
    append(log, json_lines(0, 50) + "plain text line, not JSON\n" + json_lines(50, 50) +
           "last line without a newline")
    s = shippers(tmp_path, server.url, [log], "--exit-at-eof", "--stream", "host-1", *FAST).start()
    assert s.wait(60) == 0, s.stderr()
    assert_exactly_once(numbers(server, expect=100), 100)
    assert rows_of(server, 'filter @message = "last line without a newline"')
    rows = server.rows_as_dicts('fields @message, @group, @stream | filter @message like "plain text"',
                                **ALL_TIME)
    assert rows == [{"@message": "plain text line, not JSON", "@group": "app", "@stream": "host-1"}]
    st = s.status()
    assert st["lines_shipped"] == 102 and st["breaker"] == "closed" and not st["running"], st


def test_stdin_with_zstd_and_gzip(tmp_path, vigil_server, shippers):
    server = vigil_server()
    for i, codec in enumerate(["zstd", "gzip", "none"]):
        data = json_lines(0, 300, tag=codec).encode()
        s = shippers(tmp_path, server.url, ["-"], "--compress", codec, "--batch-bytes", "4096",
                     *FAST, state=tmp_path / f"st-{codec}", stdin=subprocess.PIPE).start()
        s.proc.stdin.write(data)
        s.proc.stdin.close()
        assert s.wait(60) == 0, s.stderr()
        assert_exactly_once(numbers(server, tag=codec, expect=300), 300)


# --------------------------------------------------------------------------- breaker


def test_breaker_opens_after_exactly_3_failures_stays_open_probes_and_closes(tmp_path, fake,
                                                                              shippers):
    log = tmp_path / "app.log"
    fake.set("500")
    cooldown = 2.0
    s = shippers(tmp_path, fake.url, [log], "--compress", "gzip", "--breaker-cooldown", cooldown,
                 *FAST).start()
    append(log, json_lines(0, 10))
    wait_for(lambda: len(fake.attempts()) >= 3, 20, "3 attempts")
    time.sleep(cooldown * 0.8)
    att = fake.attempts()
    assert len(att) == 3, f"breaker did not open after exactly 3 failures: {att}"
    assert "CIRCUIT BREAKER OPEN after 3 consecutive failures" in s.stderr()
    assert s.status()["breaker"] == "open"
    # Lines written during the outage go to the console at once.
    append(log, json_lines(10, 5, tag="outage"))
    wait_for(lambda: '"n": 14' in s.stderr(), 10, "outage lines on the console")
    # The probe fails (still 500): open again for another cooldown, one request only.
    wait_for(lambda: len(fake.attempts()) >= 4, cooldown + 5, "the probe")
    t_open = att[2][0]
    assert fake.attempts()[3][0] - t_open >= cooldown * 0.95
    time.sleep(cooldown * 0.8)
    assert len(fake.attempts()) == 4
    assert "probe failed" in s.stderr()
    # Server back: the next probe succeeds, the breaker closes, the spool is replayed.
    fake.set("ok")
    wait_for(lambda: len(fake.committed()) >= 15, cooldown + 10, "replay after close")
    att = fake.attempts()
    assert att[4][0] - att[3][0] >= cooldown * 0.95, att
    assert [json.loads(l)["n"] for l in fake.committed()] == list(range(15))
    assert "circuit breaker closed" in s.stderr()
    wait_for(lambda: s.status()["breaker"] == "closed", 5, "status: closed")
    assert s.stop() == 0


@pytest.mark.parametrize("mode", ["503", "slow", "close"])
def test_slow_503_and_dropped_connections_count_as_failures(tmp_path, fake, shippers, mode):
    log = tmp_path / "app.log"
    fake.set(mode)
    fake.slow_s = 3.0
    s = shippers(tmp_path, fake.url, [log], "--compress", "gzip", "--timeout", "0.5",
                 "--breaker-cooldown", "60", *FAST).start()
    append(log, json_lines(0, 3))
    wait_for(lambda: "CIRCUIT BREAKER OPEN" in s.stderr(), 30, "breaker open")
    time.sleep(1.0)
    assert len(fake.attempts()) == 3, fake.attempts()
    assert s.stop() == 0
    assert "unshipped lines saved" in s.stderr()


def test_lost_answer_is_retried_with_the_same_seq_and_not_duplicated(tmp_path, fake, shippers):
    log = tmp_path / "app.log"
    fake.set("lost")
    s = shippers(tmp_path, fake.url, [log], "--compress", "gzip", *FAST).start()
    append(log, json_lines(0, 20))
    wait_for(lambda: len(fake.attempts()) >= 1, 10, "first attempt")
    fake.set("ok")
    wait_for(lambda: s.status()["batches_shipped"] >= 1, 10, "retry")
    seqs = [a[1] for a in fake.attempts()]
    assert len(seqs) >= 2 and len(set(seqs)) == 1, seqs
    assert [json.loads(l)["n"] for l in fake.committed()] == list(range(20))
    assert s.status()["duplicate_batches"] == 1
    assert s.stop() == 0


def test_outage_lines_reach_vigil_exactly_once_in_order_and_on_the_console(tmp_path, vigil_server,
                                                                             shippers):
    port = free_port()
    log, console = tmp_path / "app.log", tmp_path / "console.log"
    s = shippers(tmp_path, f"http://127.0.0.1:{port}", [log], "--breaker-cooldown", "1",
                 "--fallback-file", console, *FAST).start()
    # Server down from the start: every line written now is written during the outage.
    for i in range(0, 400, 40):
        append(log, json_lines(i, 40))
        time.sleep(0.05)
    wait_for(lambda: console.exists() and console.read_text().count("\n") >= 400, 20,
             "the outage lines on the fallback console")
    assert "CIRCUIT BREAKER OPEN" in s.stderr()
    got = [json.loads(l)["n"] for l in console.read_text().splitlines()]
    assert got == list(range(400)), "console shows every outage line once, in order"
    server = vigil_server(listen=f"127.0.0.1:{port}")
    append(log, json_lines(400, 100))
    assert_exactly_once(numbers(server, expect=500, timeout=30), 500)
    st = wait_for(lambda: (lambda x: x if x["spool_bytes"] == 0 else None)(s.status()), 10,
                  "empty spool")
    assert st["breaker"] == "closed" and st["lines_spooled"] > 0, st
    assert s.stop() == 0


def test_outage_order_is_kept_across_spool_and_live_lines(tmp_path, fake, shippers):
    log = tmp_path / "app.log"
    fake.set("503")
    s = shippers(tmp_path, fake.url, [log], "--compress", "gzip", "--breaker-cooldown", "0.5",
                 "--batch-bytes", "2000", *FAST).start()
    writer_done = threading.Event()

    def writer():
        for i in range(0, 3000, 30):
            append(log, json_lines(i, 30))
            time.sleep(0.01)
        writer_done.set()

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(1.0)
    fake.set("ok")
    time.sleep(0.5)
    fake.set("503")  # a second outage while the spool is being replayed
    time.sleep(1.0)
    fake.set("ok")
    t.join()
    wait_for(lambda: len(fake.committed()) >= 3000, 60, "all lines")
    assert [json.loads(l)["n"] for l in fake.committed()] == list(range(3000))
    assert s.stop() == 0


def test_spool_bound_drops_oldest_loudly_and_counts(tmp_path, fake, shippers):
    log = tmp_path / "app.log"
    fake.set("503")
    s = shippers(tmp_path, fake.url, [log], "--compress", "gzip", "--breaker-cooldown", "1",
                 "--spool-max", 256 * 1024, "--fallback-file", tmp_path / "console.log",
                 *FAST).start()
    append(log, json_lines(0, 1))
    wait_for(lambda: "CIRCUIT BREAKER OPEN" in s.stderr(), 20, "breaker open")
    n = 20000  # ~1 MB, 4x the bound
    for i in range(1, n, 2000):
        append(log, json_lines(i, min(2000, n - i)))
    wait_for(lambda: s.status()["lines_spooled"] >= n - 1, 20, "spooling")
    st = s.status()
    assert st["lines_dropped"] > 0 and st["spool_bytes"] <= 256 * 1024 + 64 * 1024, st
    assert "SPOOL FULL" in s.stderr()
    fake.set("ok")
    wait_for(lambda: s.status()["spool_bytes"] == 0 and s.status()["pending_lines"] == 0, 30,
             "replay")
    got = [json.loads(l)["n"] for l in fake.committed()]
    dropped = st["lines_dropped"]
    # Line 0 was in flight (never spooled); then the oldest spooled lines were dropped.
    assert got == [0] + list(range(1 + dropped, n)), (got[:5], dropped)
    assert s.stop() == 0


# --------------------------------------------------------------------------- crashes


def test_sigkill_mid_batch_and_restart_lose_and_duplicate_nothing(tmp_path, vigil_server,
                                                                    shippers):
    server = vigil_server()
    log = tmp_path / "app.log"
    total = 8000  # a query answers at most 10000 rows
    stop = threading.Event()

    def writer():
        for i in range(0, total, 100):
            append(log, json_lines(i, 100))
            time.sleep(0.02)
        stop.set()

    t = threading.Thread(target=writer)
    t.start()
    rnd = random.Random(5)
    s = shippers(tmp_path, server.url, [log], "--batch-bytes", "8192", *FAST[:-1])
    kills = 0
    while not stop.is_set() or kills < 6:
        s.start()
        time.sleep(rnd.uniform(0.05, 0.4))
        s.kill()
        kills += 1
    t.join()
    s.args.insert(2, "--exit-at-eof")
    s.start()
    assert s.wait(120) == 0, s.stderr()
    assert_exactly_once(numbers(server, expect=total, timeout=60), total)
    assert kills >= 6


def test_sigkill_during_outage_keeps_the_spool(tmp_path, vigil_server, shippers):
    port = free_port()
    log = tmp_path / "app.log"
    s = shippers(tmp_path, f"http://127.0.0.1:{port}", [log], "--breaker-cooldown", "0.5",
                 "--fallback-file", tmp_path / "console.log", *FAST[:-1]).start()
    append(log, json_lines(0, 100))
    wait_for(lambda: s.status()["lines_spooled"] + s.status()["pending_lines"] >= 100, 20,
             "spooled")
    append(log, json_lines(100, 100))
    time.sleep(0.3)
    s.kill()
    server = vigil_server(listen=f"127.0.0.1:{port}")
    s.start()
    append(log, json_lines(200, 100))
    assert_exactly_once(numbers(server, expect=300), 300)
    assert s.stop() == 0


# --------------------------------------------------------------------------- rotation


def test_rotation_by_rename_and_by_copy_truncate(tmp_path, vigil_server, shippers):
    server = vigil_server()
    log = tmp_path / "app.log"
    s = shippers(tmp_path, server.url, [log], *FAST).start()
    append(log, json_lines(0, 100))
    # Rename rotation with lines written to the old file right before the rename and a
    # partial last line that is never completed.
    wait_for(lambda: len(numbers(server)) >= 100, 20, "first lines")
    append(log, json_lines(100, 100))
    os.rename(log, tmp_path / "app.log.1")
    append(log, json_lines(200, 100))
    assert_exactly_once(numbers(server, expect=300), 300)
    # Copy-truncate (logrotate copytruncate): copy, then truncate in place.
    append(log, json_lines(300, 100))
    wait_for(lambda: len(numbers(server)) >= 400, 20, "lines before the copy")
    (tmp_path / "app.log.2").write_bytes(log.read_bytes())
    with open(log, "r+") as f:
        f.truncate(0)
    append(log, json_lines(400, 50))
    assert_exactly_once(numbers(server, expect=450), 450)
    # Rotated while the shipper is stopped: the rest of the old file is not lost.
    assert s.stop() == 0
    append(log, json_lines(450, 50))
    os.rename(log, tmp_path / "app.log.3")
    append(log, json_lines(500, 50))
    s.start()
    assert_exactly_once(numbers(server, expect=550), 550)
    assert "rotated while the shipper was stopped" in s.stderr()
    assert s.stop() == 0


def test_file_that_does_not_exist_yet(tmp_path, vigil_server, shippers):
    server = vigil_server()
    log = tmp_path / "later" / "app.log"
    s = shippers(tmp_path, server.url, [log], *FAST).start()
    time.sleep(0.5)
    log.parent.mkdir()
    append(log, json_lines(0, 10))
    assert_exactly_once(numbers(server, expect=10), 10)
    assert "waiting for" in s.stderr()
    assert s.stop() == 0


# --------------------------------------------------------------------------- server dedup


def test_server_ignores_a_batch_it_already_committed_even_after_restart(tmp_path, vigil_server):
    server = vigil_server()
    h = {"X-Vigil-Shipper": "e2e-shipper", "X-Vigil-Seq": "1"}
    body = json_lines(0, 5).encode()
    assert server.ingest_ok(body, headers=h)["accepted"] == 5
    j = server.ingest_ok(body, headers=h)
    assert j["accepted"] == 0 and j["duplicate"] is True
    data_dir = server.data_dir
    assert server.stop() == 0
    server = vigil_server(data_dir=data_dir)
    j = server.ingest_ok(body, headers=h)
    assert j.get("duplicate") is True, j
    assert server.ingest_ok(json_lines(5, 5).encode(),
                            headers={**h, "X-Vigil-Seq": "2"})["accepted"] == 5
    assert_exactly_once(numbers(server, expect=10), 10)
    r = server.ingest(body, headers={"X-Vigil-Shipper": "e2e", "X-Vigil-Seq": "zero"})
    assert r.status_code == 400


def test_status_flag_reports_a_running_shipper(tmp_path, vigil_server, shippers):
    server = vigil_server()
    log = tmp_path / "app.log"
    append(log, json_lines(0, 10))
    s = shippers(tmp_path, server.url, [log], *FAST).start()
    st = wait_for(lambda: (lambda x: x if x["lines_shipped"] == 10 else None)(s.status()), 20,
                  "status")
    assert st["running"] is True and st["breaker"] == "closed" and st["lag_bytes"] == 0, st
    assert s.stop() == 0
    assert s.status()["running"] is False
    # A second shipper on the same state directory is refused.
    s2 = shippers(tmp_path, server.url, [log], *FAST, state=s.state).start()
    s.start()
    time.sleep(0.5)
    assert (s2.proc.poll() is None) != (s.proc.poll() is None), "exactly one may run"


def test_breaker_numbers_from_the_config_file_and_flags_win(tmp_path, fake, shippers):
    log = tmp_path / "app.log"
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("listen: 127.0.0.1:7700\nship:\n  breaker_failures: 2\n"
                   "  breaker_cooldown: 30\n  compress: gzip\n  group: from-config\n")
    fake.set("503")
    s = shippers(tmp_path, fake.url, [log], "--config", cfg, "--group", "from-flag",
                 *FAST).start()
    append(log, json_lines(0, 3))
    wait_for(lambda: "CIRCUIT BREAKER OPEN after 2 consecutive failures" in s.stderr(), 20,
             "breaker open after 2")
    time.sleep(0.5)
    assert len(fake.attempts()) == 2
    assert "group 'from-flag'" in s.stderr()
    assert s.stop() == 0
    cfg.write_text("ship:\n  breaker_failurez: 2\n")
    bad = shippers(tmp_path, fake.url, [log], "--config", cfg, state=tmp_path / "st2").start()
    assert bad.wait(30) == 2
    assert "unknown setting 'breaker_failurez'" in bad.stderr()


def test_default_state_dir_is_found_again_by_status(tmp_path, vigil_server):
    from conftest import run_vigil
    server = vigil_server()
    log = tmp_path / "web.log"
    append(log, json_lines(0, 7))
    env = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    run_vigil("ship", "--server", server.url, "--exit-at-eof", "--status-interval", "0", log,
              env=env, check=0, timeout=60)
    assert list((tmp_path / "xdg" / "vigil" / "ship").iterdir()), "state under XDG_STATE_HOME"
    p = run_vigil("ship", "--status", "--server", server.url, log, env=env, check=0)
    st = json.loads(p.stdout)
    assert st["lines_shipped"] == 7 and st["running"] is False, st
    assert rows_of(server, "fields @group | limit 1") == [{"@group": "web"}]
