"""POST /api/v1/logs with bad input: per-line rejections, bad bodies, limits.

After every bad request the server must still answer and the data stored before it
must be intact (checked against what this module sent).
"""
import gzip
import json
import re
import socket
import subprocess
import uuid
import zlib

import pytest
import requests

from conftest import ALL_TIME, canon, write_config

T0 = 1767225600000  # 2026-01-01T00:00:00Z


def good_line(batch, i, **extra):
    rec = {"timestamp": T0 + i, "batch": batch, "i": i, "request_id": f"{batch}-{i}",
           "message": f"good line {i}"}
    rec.update(extra)
    return rec


def ndjson(records):
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def batch_rows(srv, batch, fields="i"):
    """Rows of one batch (by the `batch` field), as dicts, over all time."""
    return srv.rows_as_dicts(f'fields {fields} | filter batch = "{batch}" | sort i asc',
                             **ALL_TIME)


def batch_events(srv, batch):
    rows = srv.rows_as_dicts(f'filter batch = "{batch}"', **ALL_TIME)
    return sorted(canon(json.loads(r["@message"])) for r in rows)


@pytest.fixture
def server(vigil_server):
    """A server holding a baseline batch; `check()` asserts it is alive and intact."""
    srv = vigil_server()
    base = "baseline-" + uuid.uuid4().hex
    recs = [good_line(base, i, payload="x" * (i % 50)) for i in range(500)]
    srv.ingest_ok(ndjson(recs), expect_accepted=500)
    want = sorted(canon(r) for r in recs)

    def check():
        r = srv.session.get(srv.url + "/healthz", timeout=10)
        assert r.status_code == 200
        assert batch_events(srv, base) == want, "baseline data changed after a bad request"

    srv.check = check
    check()
    return srv


def error_of(r):
    j = r.json()
    assert "error" in j and "message" in j["error"], j
    return j["error"]["message"]


def test_mixed_batch_rejects_bad_lines_keeps_good(server):
    b = "mixed-" + uuid.uuid4().hex
    lines = [
        json.dumps(good_line(b, 0)).encode(),                              # 0 good
        b'{"batch": "' + b.encode() + b'", "i": 101, "oops": ',             # 1 malformed
        json.dumps(good_line(b, 2)).encode(),                              # 2 good
        b'[1, 2, 3]',                                                      # 3 not an object
        b'{"batch": "' + b.encode() + b'", "i": 104, "s": "\xff\xfe\xfd"}',  # 4 invalid UTF-8
        json.dumps({"timestamp": "yesterday-ish", "batch": b, "i": 105}).encode(),  # 5 bad ts
        json.dumps(good_line(b, 6)).encode(),                              # 6 good
        b'',                                                               # 7 blank: skipped
        b'"just a string"',                                                # 8 not an object
        json.dumps(good_line(b, 9, nested={"a": {"b": [1, 2]}})).encode(),  # 9 good
        b'{"batch": "' + b.encode() + b'", "i": 110} trailing',             # 10 malformed
        json.dumps(good_line(b, 11)).encode(),                             # 11 good (last, no \n)
    ]
    body = b"\n".join(lines)
    r = server.ingest(body)
    assert r.status_code == 200, r.text
    j = r.json()
    good = [0, 2, 6, 9, 11]
    assert j["accepted"] == len(good), j
    assert j["rejected_count"] == 6, j
    by_index = {x["index"]: x["reason"] for x in j["rejected"]}
    assert sorted(by_index) == [1, 3, 4, 5, 8, 10], j
    assert "json" in by_index[1].lower(), by_index[1]
    assert "not a json object" in by_index[3].lower(), by_index[3]
    assert "utf-8" in by_index[4].lower() or "utf8" in by_index[4].lower(), by_index[4]
    assert "timestamp" in by_index[5], by_index[5]
    assert "not a json object" in by_index[8].lower(), by_index[8]
    assert "json" in by_index[10].lower(), by_index[10]
    rows = batch_rows(server, b)
    assert [r["i"] for r in rows] == good, rows
    # The accepted events are stored as sent.
    events = batch_events(server, b)
    want = sorted(canon(json.loads(lines[i])) for i in good)
    assert events == want
    server.check()


def test_crlf_lines_and_indexes(server):
    b = "crlf-" + uuid.uuid4().hex
    body = (json.dumps(good_line(b, 0)).encode() + b"\r\n" + b"{bad}\r\n" + b"\r\n" +
            json.dumps(good_line(b, 3)).encode() + b"\r\n")
    j = server.ingest_ok(body, expect_accepted=2)
    assert [x["index"] for x in j["rejected"]] == [1], j
    assert [r["i"] for r in batch_rows(server, b)] == [0, 3]


def test_truncated_gzip_is_400_and_stores_nothing(server):
    b = "gztrunc-" + uuid.uuid4().hex
    full = gzip.compress(ndjson([good_line(b, i) for i in range(2000)]))
    for cut in (len(full) - 8, len(full) // 2):
        r = server.ingest(full[:cut], headers={"Content-Encoding": "gzip"})
        assert r.status_code == 400, (cut, r.status_code, r.text)
        msg = error_of(r)
        assert "gzip" in msg and ("truncated" in msg or "corrupt" in msg), msg
        server.check()
    assert batch_rows(server, b) == []


def test_corrupt_zstd_is_400(server):
    b = "zcorrupt-" + uuid.uuid4().hex
    data = zstd_compress(ndjson([good_line(b, i) for i in range(100)]))
    r = server.ingest(data[: len(data) // 2], headers={"Content-Encoding": "zstd"})
    assert r.status_code == 400, r.text
    assert "zstd" in error_of(r)
    assert batch_rows(server, b) == []
    server.check()


def zstd_compress(data: bytes) -> bytes:
    return subprocess.run(["/usr/bin/zstd", "-q", "-c", "-3"], input=data, capture_output=True,
                          check=True).stdout


@pytest.mark.parametrize("encoding", ["gzip", "zstd", "deflate"])
def test_compressed_bodies_accepted(server, encoding):
    b = f"{encoding}-" + uuid.uuid4().hex
    recs = [good_line(b, i, text="lorem ipsum " * (i % 7)) for i in range(3000)]
    raw = ndjson(recs)
    data = {"gzip": gzip.compress, "zstd": zstd_compress, "deflate": zlib.compress}[encoding](raw)
    assert len(data) < len(raw)
    j = server.ingest_ok(data, expect_accepted=3000, headers={"Content-Encoding": encoding})
    assert j["rejected"] == []
    assert batch_events(server, b) == sorted(canon(r) for r in recs)


def test_unknown_content_encoding_is_415(server):
    r = server.ingest(b'{"a":1}\n', headers={"Content-Encoding": "br"})
    assert r.status_code == 415, r.text
    assert "br" in error_of(r)
    server.check()


def test_single_20mb_line_accepted_and_queryable(server):
    b = "big-" + uuid.uuid4().hex
    size = 20 * 1000 * 1000
    big = "abcdefghij" * (size // 10)
    rec = {"timestamp": T0 + 42, "batch": b, "i": 0, "request_id": b, "big": big}
    body = json.dumps(rec).encode() + b"\n"
    assert len(body) > size
    j = server.ingest_ok(body, expect_accepted=1)
    assert j["rejected"] == []
    rows = server.rows_as_dicts(f'fields big | filter request_id = "{b}"')
    assert len(rows) == 1
    assert len(rows[0]["big"]) == size
    assert rows[0]["big"] == big
    server.check()


def test_line_over_max_line_bytes_rejected_alone(server):
    b = "toolong-" + uuid.uuid4().hex
    huge = json.dumps({"batch": b, "i": 1, "big": "y" * (33 * 1024 * 1024)}).encode()
    body = json.dumps(good_line(b, 0)).encode() + b"\n" + huge + b"\n" + \
        json.dumps(good_line(b, 2)).encode() + b"\n"
    r = server.ingest(body)
    assert r.status_code == 200, r.text[:500]
    j = r.json()
    assert j["accepted"] == 2 and [x["index"] for x in j["rejected"]] == [1], j
    assert str(32 * 1024 * 1024) in j["rejected"][0]["reason"], j
    assert [x["i"] for x in batch_rows(server, b)] == [0, 2]
    server.check()


@pytest.fixture
def small_server(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "small.yaml", "max_body_bytes: 1048576\n")
    srv = vigil_server(config=cfg)
    base = "smallbase-" + uuid.uuid4().hex
    recs = [good_line(base, i) for i in range(100)]
    srv.ingest_ok(ndjson(recs), expect_accepted=100)
    srv.base = (base, sorted(canon(r) for r in recs))
    return srv


def test_body_over_max_body_bytes_is_413(small_server):
    srv = small_server
    b = "over-" + uuid.uuid4().hex
    body = ndjson([good_line(b, i, pad="p" * 1000) for i in range(1500)])
    assert len(body) > 1048576
    r = srv.ingest(body)
    assert r.status_code == 413, r.status_code
    msg = error_of(r)
    assert "max_body_bytes" in msg and "1048576" in msg, msg
    # A gzip body that is small on the wire but inflates past the limit: also 413.
    bomb = gzip.compress(ndjson([good_line(b, i, pad="p" * 5000) for i in range(1000)]))
    assert len(bomb) < 1048576
    r = srv.ingest(bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 413, r.text
    assert "max_body_bytes" in error_of(r)
    # Just under the limit is fine.
    ok = ndjson([good_line(b, i) for i in range(2000)])
    assert len(ok) < 1048576
    srv.ingest_ok(ok, expect_accepted=2000)
    assert len(batch_rows(srv, b)) == 2000
    assert batch_events(srv, srv.base[0]) == srv.base[1]
    assert srv.session.get(srv.url + "/healthz", timeout=10).status_code == 200


def test_content_type_html_is_415(server):
    r = server.ingest(ndjson([good_line("html", 0)]), headers={"Content-Type": "text/html"})
    assert r.status_code == 415, r.text
    assert "text/html" in error_of(r)
    assert batch_rows(server, "html") == []
    server.check()


def test_empty_body_is_400(server):
    r = server.ingest(b"")
    assert r.status_code == 400, r.text
    assert "empty body" in error_of(r)
    r = server.ingest(b"\n\n  \n")
    assert r.status_code == 400, r.text
    server.check()


def test_all_lines_rejected_is_400(server):
    body = b'{"a": \n[1]\n42\nnot json at all\n'
    r = server.ingest(body)
    assert r.status_code == 400, r.text
    j = r.json()
    assert j["accepted"] == 0, j
    assert [x["index"] for x in j["rejected"]] == [0, 1, 2, 3], j
    assert all(x["reason"] for x in j["rejected"])
    server.check()


def test_json_array_body(server):
    b = "array-" + uuid.uuid4().hex
    recs = [good_line(b, i) for i in range(5)]
    arr = [recs[0], recs[1], 7, recs[2], "str", recs[3], recs[4]]
    r = server.ingest(json.dumps(arr).encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["accepted"] == 5
    assert sorted(x["index"] for x in j["rejected"]) == [2, 4], j
    assert batch_events(server, b) == sorted(canon(x) for x in recs)
    # A broken array is a whole-body error.
    r = server.ingest(b'[{"batch": "' + b.encode() + b'", "i": 99}, ')
    assert r.status_code == 400, r.text
    assert len(batch_rows(server, b)) == 5
    server.check()


def test_not_found_and_wrong_method(server):
    r = server.session.get(server.url + "/api/v1/logs", timeout=10)
    assert r.status_code in (404, 405), r.status_code
    r = server.session.post(server.url + "/api/v1/nope", data=b"{}", timeout=10)
    assert r.status_code == 404, r.status_code
    server.check()


def test_content_type_with_charset_and_none(server):
    b = "ctype-" + uuid.uuid4().hex
    for i, ct in enumerate(["application/json; charset=utf-8", "application/x-ndjson",
                            "text/plain", "APPLICATION/JSONL"]):
        server.ingest_ok(ndjson([good_line(b, i)]), expect_accepted=1, headers={"Content-Type": ct})
    # requests sends no Content-Type for raw bytes unless told: accepted too.
    r = server.session.post(server.url + "/api/v1/logs", data=ndjson([good_line(b, 9)]),
                            timeout=30)
    assert r.status_code == 200, r.text
    assert [x["i"] for x in batch_rows(server, b)] == [0, 1, 2, 3, 9]


def test_gzip_with_several_members(server):
    b = "gzmulti-" + uuid.uuid4().hex
    parts = [ndjson([good_line(b, i) for i in range(k * 100, k * 100 + 100)]) for k in range(3)]
    body = b"".join(gzip.compress(p) for p in parts)
    server.ingest_ok(body, expect_accepted=300, headers={"Content-Encoding": "gzip"})
    assert [x["i"] for x in batch_rows(server, b)] == list(range(300))


def test_chunked_transfer_encoding(server, small_server):
    b = "chunked-" + uuid.uuid4().hex
    recs = [good_line(b, i) for i in range(1000)]

    def gen():
        for k in range(0, 1000, 37):
            yield ndjson(recs[k:k + 37])

    r = server.session.post(server.url + "/api/v1/logs", data=gen(), timeout=60,
                            headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1000
    assert batch_events(server, b) == sorted(canon(x) for x in recs)
    # Chunked and over max_body_bytes: no Content-Length to check up front, still 413.
    big = [good_line(b, i, pad="q" * 2000) for i in range(1000)]

    def gen_big():
        for k in range(0, 1000, 10):
            yield ndjson(big[k:k + 10])

    try:
        r = small_server.session.post(small_server.url + "/api/v1/logs", data=gen_big(),
                                      timeout=60)
        assert r.status_code == 413, r.text
        assert "max_body_bytes" in error_of(r)
    except requests.ConnectionError:
        pass  # the server may close while we still send; it must not store anything
    assert batch_rows(small_server, b) == []
    assert batch_events(small_server, small_server.base[0]) == small_server.base[1]
    server.check()


def test_expect_100_continue(server):
    b = "expect-" + uuid.uuid4().hex
    body = ndjson([good_line(b, i) for i in range(50)])
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        head = (f"POST /api/v1/logs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Content-Type: application/x-ndjson\r\nContent-Length: {len(body)}\r\n"
                f"Expect: 100-continue\r\n\r\n").encode()
        sock.sendall(head)
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100"), interim
        sock.sendall(body)
        resp = b""
        while b"\r\n\r\n" not in resp:
            resp += sock.recv(65536)
        head, _, rest = resp.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(rest) < length:
            rest += sock.recv(65536)
        assert json.loads(rest)["accepted"] == 50
    assert len(batch_rows(server, b)) == 50
    # Expect: 100-continue with a body over the limit: refused before it is sent.
    srv_limit = 64 << 20
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall((f"POST /api/v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: {srv_limit + 1}"
                      f"\r\nExpect: 100-continue\r\n\r\n").encode())
        resp = sock.recv(65536)
        assert resp.startswith(b"HTTP/1.1 413"), resp[:200]
    server.check()
