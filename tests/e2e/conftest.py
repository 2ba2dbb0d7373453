"""End-to-end fixtures: real `vigil` processes on loopback, real HTTP clients.

Run with Debian's Python (only Debian packages: python3-pytest, python3-requests):

    VIGIL_BIN=$PWD/build/vigil /usr/bin/python3 -m pytest -q tests/e2e

VIGIL_BIN defaults to <repo>/build/vigil.  VIGIL_CRASH_ROUNDS sets the crash-test rounds
(default 20); VIGIL_SOAK=1 also runs the tests marked `soak`.
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
GEN_LOGS = REPO.parent / "shared" / "bench" / "gen_logs.py"
PY = "/usr/bin/python3"

# Wide enough for every timestamp the tests use (epoch ms).
ALL_TIME = {"start": 0, "end": 4102444800000}  # 1970 .. 2100

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 60.0


def vigil_bin() -> str:
    return os.environ.get("VIGIL_BIN") or str(REPO / "build" / "vigil")


def pytest_configure(config):
    # pytest.ini registers it too; this covers runs that use another ini file.
    if not any(m.startswith("soak:") for m in config.getini("markers")):
        config.addinivalue_line("markers",
                                "soak: long crash-safety soak; runs only with VIGIL_SOAK=1")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("VIGIL_SOAK") == "1":
        return
    skip = pytest.mark.skip(reason="soak test: set VIGIL_SOAK=1 to run it")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _check_binary():
    path = vigil_bin()
    if not os.access(path, os.X_OK):
        pytest.exit(f"vigil binary not found or not executable at {path} "
                    f"(set VIGIL_BIN, e.g. VIGIL_BIN=$PWD/build/vigil)", returncode=4)


# --------------------------------------------------------------------------- helpers


def iso_ms(ms: int) -> str:
    """Epoch ms -> the ISO 8601 form the API uses (2026-01-01T00:00:02.699Z)."""
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def canon(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def load_jsonl(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_vigil(*args, timeout=120, check=None, input=None, env=None):
    """Runs the vigil CLI; returns CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    e.pop("VIGIL_API_KEY", None)
    if env:
        e.update(env)
    p = subprocess.run([vigil_bin(), *map(str, args)], capture_output=True, timeout=timeout,
                       input=input, env=e)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    p = subprocess.CompletedProcess(p.args, p.returncode, out, err)
    if check is not None:
        assert p.returncode == check, (
            f"{' '.join(p.args)} exited {p.returncode}, expected {check}\n"
            f"stdout: {out[-2000:]}\nstderr: {err[-2000:]}")
    return p


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def chunk_lines(lines, max_bytes=1 << 20):
    """Groups byte lines (without newline) into NDJSON bodies of about max_bytes."""
    body, size, n = [], 0, 0
    for line in lines:
        if body and size + len(line) + 1 > max_bytes:
            yield b"\n".join(body) + b"\n", n
            body, size, n = [], 0, 0
        body.append(line)
        size += len(line) + 1
        n += 1
    if body:
        yield b"\n".join(body) + b"\n", n


def parse_prometheus(text):
    """{(name, frozenset(labels.items())): float} of every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, value = line.rsplit(" ", 1)
        labels = {}
        if "{" in name_labels:
            name, rest = name_labels.split("{", 1)
            rest = rest.rstrip("}")
            for part in _split_labels(rest):
                k, v = part.split("=", 1)
                labels[k] = json.loads(v)
        else:
            name = name_labels
        out[(name, frozenset(labels.items()))] = float(value)
    return out


def _split_labels(s):
    parts, cur, in_q, esc = [], "", False, False
    for ch in s:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            cur += ch
            esc = True
        elif ch == '"':
            cur += ch
            in_q = not in_q
        elif ch == "," and not in_q:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


# --------------------------------------------------------------------------- server


class VigilServer:
    """One `vigil serve` process."""

    def __init__(self, data_dir, config=None, listen="127.0.0.1:0", log_dir=None):
        self.data_dir = Path(data_dir)
        self.config = config
        self.listen = listen
        self.log_dir = Path(log_dir or self.data_dir.parent)
        self.proc = None
        self.url = None
        self.port = None
        self.stderr_path = None
        self.first_line = None
        self.session = requests.Session()

    # -- lifecycle
    def start(self):
        args = [vigil_bin(), "serve", "--data", str(self.data_dir), "--listen", self.listen]
        if self.config:
            args += ["--config", str(self.config)]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = self.log_dir / f"vigil-serve-{time.time_ns()}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL)
        line = self._read_first_line(STARTUP_TIMEOUT)
        if not line:
            rc = self._reap(5)
            raise AssertionError(f"vigil serve printed no listening line (exit {rc}); "
                                 f"stderr:\n{self.stderr()}")
        self.first_line = line
        prefix = "vigil: listening on http://"
        assert line.startswith(prefix), f"unexpected first stdout line: {line!r}"
        hostport = line[len(prefix):].split(" ", 1)[0]
        assert f"(data: {self.data_dir})" in line, line
        self.port = int(hostport.rsplit(":", 1)[1])
        assert hostport.rsplit(":", 1)[0] == "127.0.0.1", line
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_ready()
        return self

    def _read_first_line(self, timeout):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            return None
        return box[0].decode("utf-8", "replace").rstrip("\n")

    def _wait_ready(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"vigil serve exited {self.proc.returncode} during start; "
                                     f"stderr:\n{self.stderr()}")
            try:
                r = requests.get(self.url + "/healthz", timeout=2)
                if r.status_code == 200:
                    return
                last = r.status_code
            except requests.RequestException as e:  # not listening yet
                last = e
            time.sleep(0.05)
        raise AssertionError(f"vigil serve not ready after {STARTUP_TIMEOUT}s ({last})")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit code (kill -9 and fail after `timeout`)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            self._close()
            pytest.fail(f"vigil serve did not exit within {timeout}s of SIGTERM; killed it. "
                        f"stderr:\n{self.stderr()}")
        self._close()
        return rc

    def kill(self):
        """SIGKILL (a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        rc = self._reap(30)
        return rc

    def _reap(self, timeout):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(10)
        self._close()
        return rc

    def _close(self):
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None
        self.session.close()
        self.session = requests.Session()

    def stderr(self):
        try:
            return self.stderr_path.read_text(errors="replace")[-5000:]
        except (OSError, AttributeError):
            return ""

    # -- HTTP
    def ingest(self, body, headers=None, timeout=120, **kw):
        h = {"Content-Type": "application/x-ndjson"}
        h.update(headers or {})
        return self.session.post(self.url + "/api/v1/logs", data=body, headers=h,
                                 timeout=timeout, **kw)

    def ingest_ok(self, body, expect_accepted=None, headers=None):
        r = self.ingest(body, headers=headers)
        assert r.status_code == 200, f"ingest -> {r.status_code}: {r.text[:2000]}"
        j = r.json()
        if expect_accepted is not None:
            assert j["accepted"] == expect_accepted, j
        return j

    def query(self, q, start=None, end=None, limit=None, headers=None, timeout=120):
        body = {"query": q}
        if start is not None:
            body["start"] = start
        if end is not None:
            body["end"] = end
        if limit is not None:
            body["limit"] = limit
        return self.session.post(self.url + "/api/v1/query", json=body, headers=headers or {},
                                 timeout=timeout)

    def query_ok(self, q, **kw):
        r = self.query(q, **kw)
        assert r.status_code == 200, f"query {q!r} -> {r.status_code}: {r.text[:2000]}"
        j = r.json()
        assert set(j) >= {"columns", "rows", "stats"}, j.keys()
        return j

    def rows_as_dicts(self, q, **kw):
        j = self.query_ok(q, **kw)
        return [dict(zip(j["columns"], row)) for row in j["rows"]]

    def metrics(self):
        r = self.session.get(self.url + "/metrics", timeout=30)
        assert r.status_code == 200, r.text
        return r


class ServerFactory:
    """Starts servers; on close, SIGTERMs each still-running one and asserts exit 0."""

    def __init__(self, base_dir: Path):
        self.base_dir = Path(base_dir)
        self.servers = []
        self.n = 0

    def __call__(self, data_dir=None, config=None, listen="127.0.0.1:0"):
        self.n += 1
        if data_dir is None:
            data_dir = self.base_dir / f"data{self.n}"
        s = VigilServer(data_dir, config=config, listen=listen, log_dir=self.base_dir / "logs")
        self.servers.append(s)
        return s.start()

    def close(self):
        failures = []
        for s in self.servers:
            if s.running():
                rc = s.stop()
                if rc != 0:
                    failures.append(f"vigil serve on {s.data_dir} exited {rc} after SIGTERM; "
                                    f"stderr:\n{s.stderr()}")
        self.servers = []
        if failures:
            pytest.fail("\n".join(failures))


@pytest.fixture
def vigil_server(tmp_path):
    """Factory: vigil_server(data_dir=None, config=None) -> started VigilServer."""
    f = ServerFactory(tmp_path)
    yield f
    f.close()


@pytest.fixture(scope="module")
def vigil_server_module(tmp_path_factory):
    """Module-scoped variant of vigil_server, for tests that share one loaded server."""
    f = ServerFactory(tmp_path_factory.mktemp("vigil-module"))
    yield f
    f.close()


# --------------------------------------------------------------------------- gen_logs


@pytest.fixture(scope="session")
def gen_logs(tmp_path_factory):
    """gen_logs(lines, seed) -> Path of a cached JSONL file from shared/bench/gen_logs.py."""
    if not GEN_LOGS.is_file():
        pytest.skip(f"log generator not found at {GEN_LOGS} (expected the repo's sibling "
                    f"shared/bench/gen_logs.py)")
    cache = tmp_path_factory.mktemp("gen_logs")
    lock = threading.Lock()

    def make(lines: int, seed: int = 1) -> Path:
        out = cache / f"logs-{lines}-{seed}.jsonl"
        with lock:
            if not out.exists():
                tmp = out.with_suffix(".tmp")
                with open(tmp, "wb") as f:
                    subprocess.run([PY, str(GEN_LOGS), "--lines", str(lines), "--seed", str(seed)],
                                   stdout=f, check=True, timeout=300)
                tmp.rename(out)
        return out

    return make
