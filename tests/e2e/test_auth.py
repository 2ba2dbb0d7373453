"""API keys and roles; refusing to listen beyond loopback without keys."""
import json
import select
import subprocess
import time

import pytest
import requests

from conftest import ALL_TIME, run_vigil, vigil_bin, write_config

KEYS = {"ingest": "ik-2b7e151628aed2a6abf7158809cf4f3c",
        "read": "rk-3243f6a8885a308d313198a2e0370734",
        "admin": "ak-b7e151628aed2a6abf7158809cf4f3c7"}

CONFIG = f"""
api_keys:
  - key: {KEYS['ingest']}
    role: ingest
    name: shipper
  - key: {KEYS['read']}
    role: read
    name: grafana
  - key: {KEYS['admin']}
    role: admin
    name: ops
"""

LINE = json.dumps({"timestamp": 1767225600123, "request_id": "auth-rid-1", "message": "hi"})


@pytest.fixture
def server(vigil_server, tmp_path):
    return vigil_server(config=write_config(tmp_path / "auth.yaml", CONFIG))


def post_logs(srv, headers):
    h = {"Content-Type": "application/x-ndjson"}
    h.update(headers)
    return requests.post(srv.url + "/api/v1/logs", data=LINE + "\n", headers=h, timeout=30)


def post_query(srv, headers):
    return requests.post(srv.url + "/api/v1/query",
                         json={"query": 'filter request_id = "auth-rid-1"'}, headers=headers,
                         timeout=30)


def bearer(role):
    return {"Authorization": f"Bearer {KEYS[role]}"}


def message(r):
    return r.json()["error"]["message"]


def test_no_key_is_401(server):
    for r in (post_logs(server, {}), post_query(server, {})):
        assert r.status_code == 401, r.text
        assert "missing API key" in message(r)
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_wrong_key_is_401(server):
    for h in ({"Authorization": "Bearer nope"}, {"X-Api-Key": "nope"},
              {"Authorization": f"Bearer {KEYS['admin']}x"},
              {"Authorization": f"Bearer {KEYS['admin'][:-1]}"}):
        for r in (post_logs(server, h), post_query(server, h)):
            assert r.status_code == 401, (h, r.status_code, r.text)
    r = post_logs(server, {"Authorization": f"Basic {KEYS['admin']}"})
    assert r.status_code == 401, r.text


def test_roles(server):
    # ingest key: may write, may not read.
    r = post_logs(server, bearer("ingest"))
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1
    r = post_query(server, bearer("ingest"))
    assert r.status_code == 403, r.text
    assert "shipper" in message(r) and "ingest" in message(r)
    # read key: may read, may not write.
    r = post_query(server, bearer("read"))
    assert r.status_code == 200, r.text
    assert len(r.json()["rows"]) == 1
    r = post_logs(server, bearer("read"))
    assert r.status_code == 403, r.text
    assert "grafana" in message(r)
    # admin: both.
    r = post_logs(server, bearer("admin"))
    assert r.status_code == 200, r.text
    r = post_query(server, bearer("admin"))
    assert r.status_code == 200, r.text
    assert len(r.json()["rows"]) == 2  # the ingest key's line and the admin's
    # The rejected writes stored nothing.
    r = requests.post(server.url + "/api/v1/query",
                      json={"query": "fields message", **ALL_TIME}, headers=bearer("read"),
                      timeout=30)
    assert r.status_code == 200 and len(r.json()["rows"]) == 2, r.text


def test_x_api_key_header(server):
    r = post_logs(server, {"X-Api-Key": KEYS["ingest"]})
    assert r.status_code == 200, r.text
    r = post_query(server, {"X-Api-Key": KEYS["read"]})
    assert r.status_code == 200 and len(r.json()["rows"]) == 1, r.text
    r = post_query(server, {"X-Api-Key": KEYS["ingest"]})
    assert r.status_code == 403, r.text
    r = post_logs(server, {"X-Api-Key": KEYS["read"]})
    assert r.status_code == 403, r.text


def test_cli_key(server):
    post_logs(server, bearer("admin"))
    q = 'filter request_id = "auth-rid-1"'
    p = run_vigil("query", "--server", server.url, q)
    assert p.returncode != 0 and "API key" in p.stderr, (p.returncode, p.stderr)
    p = run_vigil("query", "--server", server.url, "--key", KEYS["read"], "-f", "json", q,
                  check=0)
    assert len(p.stdout.splitlines()) == 1
    p = run_vigil("query", "--server", server.url, "-f", "json", q,
                  env={"VIGIL_API_KEY": KEYS["read"]}, check=0)
    assert len(p.stdout.splitlines()) == 1


def expect_refusal(args):
    """Runs `vigil serve ARGS`, expecting it to exit without listening; returns stderr."""
    proc = subprocess.Popen([vigil_bin(), "serve", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Should it start anyway, kill it the moment it says so: never leave an
    # unauthenticated server listening on every interface.
    deadline = time.monotonic() + 20
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.05)
        if ready:
            line = proc.stdout.readline()
            if line:  # it printed something (the listening line): it started
                proc.kill()
                out, err = proc.communicate()
                pytest.fail(f"vigil serve {args} started without api_keys: {line + out!r} "
                            f"{err!r}")
            proc.wait(20)  # EOF: it is exiting
    if proc.poll() is None:
        proc.kill()
        proc.communicate()
        pytest.fail(f"vigil serve {args} without api_keys neither listened nor exited")
    out, err = proc.communicate()
    out, err = out.decode(), err.decode()
    assert proc.returncode != 0, (out, err)
    assert "listening on" not in out, out
    return err


def test_no_keys_on_all_interfaces_refuses_to_start(tmp_path):
    """No api_keys and --listen 0.0.0.0:0: refuse to start (nothing ever listens)."""
    data = tmp_path / "data"
    err = expect_refusal(["--data", data, "--listen", "0.0.0.0:0"])
    assert "refusing to listen on 0.0.0.0:0" in err, err
    assert "api_keys" in err, err
    # The same with the address coming from the config file.
    cfg = write_config(tmp_path / "open.yaml", "listen: 0.0.0.0:0\n")
    err = expect_refusal(["--data", data, "--config", cfg])
    assert "refusing to listen" in err, err
    # The directory lock was released: a loopback server can use the directory now.
    p = subprocess.Popen([vigil_bin(), "serve", "--data", str(data), "--listen", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = p.stdout.readline().decode()
        assert line.startswith("vigil: listening on http://127.0.0.1:"), line
    finally:
        p.terminate()
        rc = p.wait(30)
        p.stdout.close()
        p.stderr.close()
    assert rc == 0


def test_bad_config_refuses_to_start(tmp_path):
    cfg = write_config(tmp_path / "bad.yaml", "api_keys:\n  - key: k1\n    role: superuser\n")
    p = subprocess.run([vigil_bin(), "serve", "--data", str(tmp_path / "d"), "--listen",
                        "127.0.0.1:0", "--config", str(cfg)], capture_output=True, timeout=20,
                       text=True)
    assert p.returncode != 0
    assert "superuser" in p.stderr and "role" in p.stderr, p.stderr


def test_import_with_keys(server, tmp_path):
    path = tmp_path / "few.jsonl"
    path.write_text("".join(json.dumps({"timestamp": 1767225600000 + i, "request_id": "imp-k",
                                        "i": i}) + "\n" for i in range(10)))
    p = run_vigil("import", "--server", server.url, "--no-progress", "--key", KEYS["read"], path)
    assert p.returncode == 2 and "403" in p.stderr, (p.returncode, p.stderr)
    p = run_vigil("import", "--server", server.url, "--no-progress", path)
    assert p.returncode == 2 and "401" in p.stderr, (p.returncode, p.stderr)
    run_vigil("import", "--server", server.url, "--no-progress", "--key", KEYS["ingest"], path,
              check=0)
    r = requests.post(server.url + "/api/v1/query", json={"query": 'filter request_id = "imp-k"'},
                      headers=bearer("read"), timeout=30)
    assert r.status_code == 200 and len(r.json()["rows"]) == 10, r.text
