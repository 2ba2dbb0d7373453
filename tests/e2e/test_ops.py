"""Operations: /metrics, `vigil import`, the directory lock, SIGTERM flush, compaction,
query error messages."""
import json
import re
import signal
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import (ALL_TIME, canon, chunk_lines, iso_ms, load_jsonl, parse_prometheus,
                      run_vigil, vigil_bin, write_config)

T0 = 1767225600000  # 2026-01-01T00:00:00Z
DAY = 86_400_000


def day_name(ms):
    return iso_ms(ms)[:10]


def sample(m, name, **labels):
    return m.get((name, frozenset(labels.items())))


def all_events(srv):
    rows = srv.rows_as_dicts("fields @message | limit 1000000", **ALL_TIME)
    return sorted(canon(json.loads(r["@message"])) for r in rows)


def all_events_cli(data):
    p = run_vigil("query", "--data", data, "-f", "json", "-q", "--start", "0", "--end",
                  "2100-01-01T00:00:00Z", "--limit", "1000000", "fields @message | limit 1000000",
                  check=0)
    return sorted(canon(json.loads(json.loads(line)["@message"])) for line in p.stdout.splitlines())


def part_dirs(data):
    """{partition: [part dir names]} of live parts (no tmp-/del- leftovers)."""
    out = {}
    for pdir in sorted((Path(data) / "parts").iterdir()):
        if pdir.is_dir() and not pdir.name.startswith(("tmp-", "del-")):
            out[pdir.name] = sorted(p.name for p in pdir.iterdir()
                                    if p.is_dir() and not p.name.startswith(("tmp-", "del-")))
    return out


def wal_records(data):
    """[(lsn, payload length)] of every intact record in data/wal (format: wal.h)."""
    out = []
    for seg in sorted((Path(data) / "wal").glob("wal-*.log")):
        buf = seg.read_bytes()
        off = 0
        while off + 16 <= len(buf):
            length, _crc, lsn = struct.unpack_from("<IIQ", buf, off)
            if length == 0 or off + 16 + length > len(buf):
                break
            out.append((lsn, length))
            off += 16 + length
    return out


# --------------------------------------------------------------------------- /metrics


def test_metrics(vigil_server, gen_logs):
    srv = vigil_server()
    raw = gen_logs(5000, 5).read_bytes().splitlines()
    for body, n in chunk_lines(raw, 256 * 1024):
        srv.ingest_ok(body, expect_accepted=n)
    # A batch with 3 rejected lines among 2 good ones; a batch with only rejected lines.
    r = srv.ingest(b'{"a":1}\n{bad\n[1]\n"s"\n{"b":2}\n')
    assert r.status_code == 200 and r.json()["accepted"] == 2, r.text
    r = srv.ingest(b'{bad\n{worse\n')
    assert r.status_code == 400, r.text
    queries = 7
    for i in range(queries - 1):
        srv.query_ok(f'filter status = {200 + i}', **ALL_TIME)
    assert srv.query("filter status >=").status_code == 400  # failed queries count too

    res = srv.metrics()
    assert res.headers["Content-Type"].startswith("text/plain"), res.headers
    assert "version=0.0.4" in res.headers["Content-Type"]
    text = res.text
    m = parse_prometheus(text)
    assert "# TYPE vigil_ingested_lines_total counter" in text
    assert sample(m, "vigil_ingested_lines_total") == 5002
    assert sample(m, "vigil_rejected_lines_total") == 5
    assert sample(m, "vigil_query_total") == queries
    assert sample(m, "vigil_query_duration_seconds_count") == queries
    assert sample(m, "vigil_http_requests_total", route="/api/v1/logs", code="200") >= 1
    assert sample(m, "vigil_http_requests_total", route="/api/v1/logs", code="400") == 1
    assert sample(m, "vigil_http_requests_total", route="/api/v1/query", code="400") == 1
    # WAL fsync latency histogram: cumulative buckets ending in +Inf == count.
    assert "# TYPE vigil_wal_fsync_seconds histogram" in text
    buckets = []
    for (name, labels), v in m.items():
        if name == "vigil_wal_fsync_seconds_bucket":
            le = dict(labels)["le"]
            buckets.append((float("inf") if le == "+Inf" else float(le), v))
    buckets.sort()
    assert len(buckets) >= 5 and buckets[-1][0] == float("inf"), buckets
    counts = [v for _, v in buckets]
    assert counts == sorted(counts), f"buckets not cumulative: {buckets}"
    fsyncs = sample(m, "vigil_wal_fsync_seconds_count")
    assert fsyncs >= 1 and buckets[-1][1] == fsyncs
    assert sample(m, "vigil_wal_fsync_seconds_sum") > 0
    assert sample(m, "vigil_memtable_rows") == 5002
    # Parts per partition appear once data is in parts.
    rc = srv.stop()
    assert rc == 0
    srv2 = vigil_server(data_dir=srv.data_dir)
    m2 = parse_prometheus(srv2.metrics().text)
    parts = {dict(l)["partition"]: v for (n, l), v in m2.items() if n == "vigil_parts"}
    rows = {dict(l)["partition"]: v for (n, l), v in m2.items() if n == "vigil_partition_rows"}
    on_disk = part_dirs(srv.data_dir)
    assert parts == {k: len(v) for k, v in on_disk.items()}, (parts, on_disk)
    days = {day_name(json.loads(line)["timestamp"]) for line in raw}
    assert days <= set(parts), (days, parts)  # (+ today's, for the lines without timestamp)
    assert all(v >= 1 for v in parts.values())
    assert sum(rows.values()) == 5002
    assert rows.keys() == parts.keys()
    # Counters are per process: a restart starts them again.
    assert sample(m2, "vigil_ingested_lines_total") == 0


# --------------------------------------------------------------------------- import


def test_import_over_http(vigil_server, gen_logs, tmp_path):
    srv = vigil_server()
    path = gen_logs(20000, 7)
    # Small batches and parallel requests, so line numbers cross many chunks.
    p = run_vigil("import", "--server", srv.url, "--batch-bytes", "65536", "--parallel", "2",
                  path, check=0)
    assert "import: 20000 accepted, 0 rejected" in p.stderr, p.stderr
    want = sorted(canon(r) for r in load_jsonl(path))
    assert all_events(srv) == want


def test_import_bad_line_reports_file_and_line(vigil_server, gen_logs, tmp_path):
    srv = vigil_server()
    lines = gen_logs(3000, 8).read_bytes().splitlines()
    bad_at = [1234, 2999]  # 0-based positions of the bad lines in the new file
    out = list(lines)
    for i in bad_at:
        out.insert(i, b'{"request_id": "broken", "oops": ')
    path = tmp_path / "with-bad.jsonl"
    path.write_bytes(b"\n".join(out) + b"\n")
    p = run_vigil("import", "--server", srv.url, "--no-progress", "--batch-bytes", "32768", path)
    assert p.returncode == 1, (p.returncode, p.stderr)
    for i in bad_at:
        assert f"{path}:{i + 1}: rejected:" in p.stderr, p.stderr
    assert p.stderr.count(": rejected:") == len(bad_at), p.stderr
    assert all_events(srv) == sorted(canon(json.loads(x)) for x in lines)


def test_import_data_dir_locked_by_server(vigil_server, gen_logs):
    srv = vigil_server()
    srv.ingest_ok(b'{"timestamp": 1767225600000, "k": "before"}\n', expect_accepted=1)
    p = run_vigil("import", "--data", srv.data_dir, "--no-progress", gen_logs(1000, 9))
    assert p.returncode not in (0, 1), (p.returncode, p.stderr)
    assert "in use by another Vigil process" in p.stderr, p.stderr
    assert str(srv.data_dir) in p.stderr
    # The server is unharmed and nothing was imported.
    assert [json.loads(e) for e in all_events(srv)] == [{"timestamp": 1767225600000,
                                                         "k": "before"}]
    srv.ingest_ok(b'{"timestamp": 1767225600001, "k": "after"}\n', expect_accepted=1)


def test_import_data_dir_direct(vigil_server, gen_logs, tmp_path):
    data = tmp_path / "direct"
    path = gen_logs(4000, 10)
    run_vigil("import", "--data", data, "--no-progress", path, check=0)
    want = sorted(canon(r) for r in load_jsonl(path))
    assert all_events_cli(data) == want
    srv = vigil_server(data_dir=data)
    assert all_events(srv) == want


# --------------------------------------------------------------------------- shutdown


def test_sigterm_flushes_into_parts(vigil_server, gen_logs):
    srv = vigil_server()
    path = gen_logs(6000, 12)
    for body, n in chunk_lines(path.read_bytes().splitlines(), 200 * 1024):
        srv.ingest_ok(body, expect_accepted=n)
    assert part_dirs(srv.data_dir) in ({}, {"2026-01-01": []}), "no flush expected yet"
    rc = srv.stop()
    assert rc == 0, srv.stderr()
    assert "stopped cleanly" in srv.stderr()
    parts = part_dirs(srv.data_dir)
    assert parts and all(len(v) >= 1 for v in parts.values()), parts
    for pname, dirs in parts.items():
        for d in dirs:
            assert any((srv.data_dir / "parts" / pname / d).iterdir())
    # Everything in the WAL is covered by FLUSHED: a restart replays nothing.
    flushed = int((srv.data_dir / "FLUSHED").read_text())
    recs = wal_records(srv.data_dir)
    assert all(lsn <= flushed for lsn, _ in recs), (flushed, recs[-3:])
    # And the data is there, from parts only.
    want = sorted(canon(r) for r in load_jsonl(path))
    assert all_events_cli(srv.data_dir) == want
    srv2 = vigil_server(data_dir=srv.data_dir)
    m = parse_prometheus(srv2.metrics().text)
    assert sample(m, "vigil_memtable_rows") == 0
    assert all_events(srv2) == want


def test_sigterm_trims_wal(vigil_server, gen_logs):
    srv = vigil_server()
    path = gen_logs(6000, 12)
    for body, n in chunk_lines(path.read_bytes().splitlines(), 200 * 1024):
        srv.ingest_ok(body, expect_accepted=n)
    assert srv.stop() == 0
    flushed = int((srv.data_dir / "FLUSHED").read_text())
    recs = wal_records(srv.data_dir)
    size = sum(p.stat().st_size for p in (srv.data_dir / "wal").glob("*"))
    assert not [lsn for lsn, _ in recs if lsn <= flushed], (
        f"after a clean shutdown the WAL still holds {len(recs)} records ({size} bytes) that "
        f"are all flushed (FLUSHED={flushed})")


# --------------------------------------------------------------------------- compact


def test_compact_leaves_one_part_per_partition(vigil_server, gen_logs, tmp_path):
    data = tmp_path / "compact"
    want = []
    # Three server runs, each flushing its own parts at SIGTERM, over three UTC days.
    for run in range(3):
        srv = vigil_server(data_dir=data)
        recs = load_jsonl(gen_logs(3000, 20 + run))
        for i, r in enumerate(recs):
            r["timestamp"] += (i % 3) * DAY  # spread over 2026-01-01 .. 2026-01-03/04
            r["run"] = run
        body = b"".join(json.dumps(r).encode() + b"\n" for r in recs)
        srv.ingest_ok(body, expect_accepted=len(recs))
        want += recs
        assert srv.stop() == 0
    before = part_dirs(data)
    assert len(before) >= 3 and all(len(v) >= 2 for v in before.values()), before
    p = run_vigil("compact", "--data", data, check=0)
    after = part_dirs(data)
    assert set(after) == set(before)
    assert all(len(v) == 1 for v in after.values()), after
    # The report names each partition with its single part and row count.
    total = 0
    for pname in after:
        m = re.search(rf"^{pname}: 1 parts, (\d+) rows", p.stdout, re.M)
        assert m, p.stdout
        total += int(m.group(1))
    assert total == len(want)
    want = sorted(canon(r) for r in want)
    assert all_events_cli(data) == want
    srv = vigil_server(data_dir=data)
    assert all_events(srv) == want
    m = parse_prometheus(srv.metrics().text)
    assert {dict(l)["partition"]: v for (n, l), v in m.items() if n == "vigil_parts"} == \
        {k: 1 for k in after}


def test_compact_refuses_while_server_runs(vigil_server):
    srv = vigil_server()
    srv.ingest_ok(b'{"timestamp": 1767225600000, "k": 1}\n', expect_accepted=1)
    p = run_vigil("compact", "--data", srv.data_dir)
    assert p.returncode != 0 and "in use" in p.stderr, (p.returncode, p.stderr)
    srv.query_ok("fields k", **ALL_TIME)


# --------------------------------------------------------------------------- query errors


def test_query_syntax_error_names_line_and_column(vigil_server):
    srv = vigil_server()
    r = srv.query("filter status >=")
    assert r.status_code == 400, r.text
    msg = r.json()["error"]["message"]
    assert msg.startswith("line 1, column 16:"), msg
    assert ">=" in msg
    r = srv.query("fields a, b\n| filter status >= 500 and\n| limit 5")
    assert r.status_code == 400, r.text
    msg = r.json()["error"]["message"]
    assert re.match(r"line [23], column \d+:", msg), msg
    r = srv.query("fields a\n  | bogus x")
    assert r.status_code == 400, r.text
    msg = r.json()["error"]["message"]
    assert msg.startswith("line 2, column 5:"), msg
    assert "bogus" in msg
    # The CLI shows the same message and exits 1.
    p = run_vigil("query", "--server", srv.url, "filter status >=")
    assert p.returncode == 1 and "line 1, column 16" in p.stderr, (p.returncode, p.stderr)
    p = run_vigil("query", "--data", srv.data_dir, "filter status >=")
    assert p.returncode == 1 and "line 1, column 16" in p.stderr, (p.returncode, p.stderr)


def test_query_request_errors(vigil_server):
    srv = vigil_server()
    post = lambda body: srv.session.post(srv.url + "/api/v1/query", data=body, timeout=30)
    for body, needle in [(b"not json", "JSON"), (b'{"nope": 1}', "query"),
                         (b'{"query": "  "}', "empty"),
                         (b'{"query": "fields a", "start": "yesterday"}', "start"),
                         (b'{"query": "fields a", "start": 2000, "end": 1000}', "after"),
                         (b'{"query": "fields a", "limit": 0}', "limit")]:
        r = post(body)
        assert r.status_code == 400, (body, r.status_code, r.text)
        assert needle in r.json()["error"]["message"], (body, r.text)


def test_import_reports_every_rejected_line(vigil_server, tmp_path):
    srv = vigil_server()
    lines = []
    for i in range(3000):
        lines.append(json.dumps({"timestamp": T0 + i, "i": i}) if i % 2 == 0 else '{"bad": ')
    path = tmp_path / "half-bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    p = run_vigil("import", "--server", srv.url, path)  # one 1 MiB batch holds all lines
    assert p.returncode == 1, p.stderr
    assert "import: 1500 accepted, 1500 rejected" in p.stderr, p.stderr.splitlines()[-1]
    reported = set(re.findall(rf"^{re.escape(str(path))}:(\d+): rejected:", p.stderr, re.M))
    bad = {str(i + 1) for i in range(1, 3000, 2)}
    assert reported and reported <= bad, len(reported)
    # The server lists a bounded number of rejections per answer; the rest are counted
    # and announced, never silently dropped.
    if len(reported) < len(bad):
        m = re.search(rf"^{re.escape(str(path))}:\d+-\d+: (\d+) more rejected lines", p.stderr, re.M)
        assert m and int(m.group(1)) == len(bad) - len(reported), p.stderr[-500:]


def test_import_data_dir_reports_every_rejected_line(tmp_path):
    lines = []
    for i in range(3000):
        lines.append(json.dumps({"timestamp": T0 + i, "i": i}) if i % 2 == 0 else '{"bad": ')
    path = tmp_path / "half-bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    p = run_vigil("import", "--data", tmp_path / "d", path)
    assert p.returncode == 1, p.stderr
    assert "import: 1500 accepted, 1500 rejected" in p.stderr, p.stderr.splitlines()[-1]
    reported = set(re.findall(rf"^{re.escape(str(path))}:(\d+): rejected:", p.stderr, re.M))
    bad = {str(i + 1) for i in range(1, 3000, 2)}
    assert reported and reported <= bad, len(reported)
    # The server lists a bounded number of rejections per answer; the rest are counted
    # and announced, never silently dropped.
    if len(reported) < len(bad):
        m = re.search(rf"^{re.escape(str(path))}:\d+-\d+: (\d+) more rejected lines", p.stderr, re.M)
        assert m and int(m.group(1)) == len(bad) - len(reported), p.stderr[-500:]


def test_import_from_stdin(vigil_server, gen_logs):
    srv = vigil_server()
    path = gen_logs(2000, 13)
    p = run_vigil("import", "--server", srv.url, "--no-progress", "-", input=path.read_bytes())
    assert p.returncode == 0, p.stderr
    assert all_events(srv) == sorted(canon(r) for r in load_jsonl(path))


# --------------------------------------------------------------------------- lifecycle


def test_sigint_stops_cleanly(vigil_server):
    srv = vigil_server()
    srv.ingest_ok(b'{"timestamp": 1767225600000, "k": "sigint"}\n', expect_accepted=1)
    srv.proc.send_signal(signal.SIGINT)
    assert srv.proc.wait(60) == 0, srv.stderr()
    assert "SIGINT received" in srv.stderr()
    assert [json.loads(e)["k"] for e in all_events_cli(srv.data_dir)] == ["sigint"]


def test_second_server_on_same_dir_refused(vigil_server):
    srv = vigil_server()
    p = subprocess.run([vigil_bin(), "serve", "--data", str(srv.data_dir), "--listen",
                        "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0, p.stdout
    assert "listening" not in p.stdout
    assert "in use by another Vigil process" in p.stderr, p.stderr
    srv.ingest_ok(b'{"k": 1}\n', expect_accepted=1)  # the first one is unaffected


def test_query_cli_errors(tmp_path):
    p = run_vigil("query", "--server", "http://127.0.0.1:1", "fields a")
    assert p.returncode == 2 and "127.0.0.1:1" in p.stderr, (p.returncode, p.stderr)
    p = run_vigil("query", "--data", tmp_path / "nope", "fields a")
    assert p.returncode == 2 and "no data directory" in p.stderr, (p.returncode, p.stderr)
    assert not (tmp_path / "nope").exists(), "read-only access must not create the directory"
    p = run_vigil("query", "-f", "xml", "fields a")
    assert p.returncode != 0


# --------------------------------------------------------------------------- retention


def now_ms():
    import time
    return int(time.time() * 1000)


def test_retention_drops_old_partitions(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "ret.yaml", "retention_days: 30\n")
    data = tmp_path / "ret"
    srv = vigil_server(data_dir=data, config=cfg)
    recent = now_ms() - 3_600_000
    recs = [{"timestamp": T0 + i * DAY, "request_id": f"old-{i}"} for i in range(3)]
    recs += [{"timestamp": recent + i, "request_id": f"new-{i}"} for i in range(3)]
    srv.ingest_ok(b"".join(json.dumps(r).encode() + b"\n" for r in recs), expect_accepted=6)
    assert srv.stop() == 0
    # Retention (at start, and in the background after flushes): the old days go, the
    # recent one stays.
    srv = vigil_server(data_dir=data, config=cfg)
    for i in range(3):
        assert srv.query_ok(f'filter request_id = "old-{i}"')["rows"] == []
        assert len(srv.query_ok(f'filter request_id = "new-{i}"')["rows"]) == 1
    assert set(part_dirs(data)) == {day_name(recent + i) for i in range(3)}
    assert not [p for p in (data / "parts").iterdir() if p.name.startswith("del-")]


def test_interrupted_partition_delete_is_finished_at_start(vigil_server, tmp_path):
    data = tmp_path / "d"
    srv = vigil_server(data_dir=data)
    srv.ingest_ok(b'{"timestamp": 1767225600000, "request_id": "gone-1"}\n'
                  b'{"timestamp": 1767312000000, "request_id": "kept-1"}\n', expect_accepted=2)
    assert srv.stop() == 0
    # The state a crash leaves in the middle of ApplyRetention: the partition directory
    # renamed to del-<day>, its removal unfinished.
    (data / "parts" / "2026-01-01").rename(data / "parts" / "del-2026-01-01")
    srv = vigil_server(data_dir=data)
    assert len(srv.query_ok('filter request_id = "kept-1"')["rows"]) == 1
    m = parse_prometheus(srv.metrics().text)
    partitions = {dict(l)["partition"] for (n, l), _ in m.items() if n == "vigil_parts"}
    assert partitions == {"2026-01-02"}, partitions
    assert srv.query_ok('filter request_id = "gone-1"')["rows"] == []
    assert not (data / "parts" / "del-2026-01-01").exists()
