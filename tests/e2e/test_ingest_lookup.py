"""Ingest 50k gen_logs lines, then look requests up by request_id.

Expected rows are computed from the JSONL file in Python: a lookup returns exactly the
request's lines (as a multiset of parsed JSON objects, since @message is the event
rendered back as JSON), with @timestamp equal to the `timestamp` ms field, oldest first.
The same lookups run over HTTP, through `vigil query` (table, json, csv), through
`vigil query --data` while the server runs and after it stopped, from the memtable
(before any flush) and from parts (after a restart).

The tests in this module run in order and share one data directory.
"""
import collections
import csv
import io
import json
import random

import pytest

from conftest import ALL_TIME, canon, chunk_lines, iso_ms, parse_prometheus, run_vigil, write_config

LINES = 50_000
SEED = 11
LOOKUPS = 20

# Extra lines for one request id, sent newest first and spread over three UTC days, so
# that "oldest first" is something the server has to do (gen_logs gives all lines of a
# request the same timestamp).
ORDER_RID = "e2e-order-3f1c2a9e-5b7d-4c11-9a0e-000000000001"
ORDER_TS = [1767398400000 + 5000, 1767312000000 + 7, 1767312000000 + 3, 1767225600000 + 999,
            1767225600000 + 1]


# Request ids that stress quoting, case, tokenization and bloom filters.
SPECIAL_IDS = ['quote"inside', "back\\slash", "Mixed-Case-ID", "mixed-case-id", "MIXED-CASE-ID",
               "ünïcødé-ид-🚀", "with space", "tab\there", "x" * 2000, "a.b:c/d?e=f&g",
               "-leading-dash", "1234567890", "'single'"]


def special_lines():
    return [{"timestamp": 1767225600000 + 17 * i, "request_id": v, "special": i,
             "message": f"special id {i}"} for i, v in enumerate(SPECIAL_IDS)]


def literal(s):
    """A query string literal for s."""
    return json.dumps(s, ensure_ascii=False)


def check_special_ids(srv, where):
    lines = special_lines()
    for i, v in enumerate(SPECIAL_IDS):
        j = srv.query_ok(f"filter request_id = {literal(v)}")
        got = [json.loads(r[1]) for r in j["rows"]]
        assert got == [lines[i]], f"{where}: lookup of request_id {v[:40]!r} returned {got}"


def order_lines():
    return [{"timestamp": ts, "request_id": ORDER_RID, "message": f"order probe {i}", "i": i}
            for i, ts in enumerate(ORDER_TS)]


@pytest.fixture(scope="module")
def dataset(gen_logs):
    path = gen_logs(LINES, SEED)
    raw = path.read_bytes().splitlines()
    records = [json.loads(line) for line in raw]
    assert len(records) == LINES
    by_rid = collections.defaultdict(list)
    for rec in records:
        if "request_id" in rec:
            by_rid[rec["request_id"]].append(rec)
    rng = random.Random(SEED)
    multi = sorted(r for r, v in by_rid.items() if len(v) > 1)
    single = sorted(r for r, v in by_rid.items() if len(v) == 1)
    assert len(multi) >= LOOKUPS // 2, "gen_logs should produce requests with several lines"
    rids = rng.sample(multi, LOOKUPS // 2) + rng.sample(single, LOOKUPS - LOOKUPS // 2)
    for rec in order_lines():
        by_rid[ORDER_RID].append(rec)
    rids.append(ORDER_RID)
    return {"path": path, "raw": raw, "records": records, "by_rid": by_rid, "rids": rids}


@pytest.fixture(scope="module")
def state(vigil_server_module, dataset):
    """The loaded server (replaced by the restart test)."""
    srv = vigil_server_module()
    total = 0
    for body, n in chunk_lines(dataset["raw"], 1 << 20):
        assert len(body) <= (1 << 20) + 64 * 1024
        j = srv.ingest_ok(body, expect_accepted=n)
        assert j["rejected"] == [] and j["rejected_count"] == 0, j
        total += j["accepted"]
    assert total == LINES
    # The order probe, newest first, one request per line.
    for rec in order_lines():
        srv.ingest_ok(json.dumps(rec).encode() + b"\n", expect_accepted=1)
    srv.ingest_ok(b"".join(json.dumps(r).encode() + b"\n" for r in special_lines()),
                  expect_accepted=len(special_lines()))
    return {"server": srv, "factory": vigil_server_module}


def expected_rows(dataset, rid):
    """Sorted canonical (iso timestamp, event) pairs for a request id."""
    return sorted(canon([iso_ms(r["timestamp"]), r]) for r in dataset["by_rid"][rid])


def check_rows(dataset, rid, ts_and_messages, where):
    """ts_and_messages: [(iso string, @message JSON text)] in the order returned."""
    got = sorted(canon([ts, json.loads(msg)]) for ts, msg in ts_and_messages)
    want = expected_rows(dataset, rid)
    assert got == want, (f"{where}: lookup of {rid} returned {len(got)} rows, expected "
                         f"{len(want)}\n got: {got[:5]}\nwant: {want[:5]}")
    stamps = [ts for ts, _ in ts_and_messages]
    assert stamps == sorted(stamps), f"{where}: rows of {rid} not oldest first: {stamps}"


def lookup_query(rid):
    return f'filter request_id = "{rid}"'


def http_lookups(srv, dataset, where):
    for rid in dataset["rids"]:
        j = srv.query_ok(lookup_query(rid))  # no start/end: an id lookup searches all time
        assert j["columns"][:2] == ["@timestamp", "@message"], j["columns"]
        rows = [(row[0], row[1]) for row in j["rows"]]
        check_rows(dataset, rid, rows, where)


def test_lookup_http_from_memtable(state, dataset):
    srv = state["server"]
    m = parse_prometheus(srv.metrics().text)
    # 50k lines stay in the memtable (no flush yet): this checks the memtable path.
    assert m[("vigil_memtable_rows", frozenset())] == LINES + len(ORDER_TS) + len(SPECIAL_IDS)
    http_lookups(srv, dataset, "HTTP, memtable")


def test_special_ids_memtable(state):
    check_special_ids(state["server"], "memtable")
    srv = state["server"]
    p = run_vigil("query", "--server", srv.url, "-f", "json",
                  f"filter request_id = {literal(SPECIAL_IDS[0])}", check=0)
    assert [json.loads(json.loads(x)["@message"]) for x in p.stdout.splitlines()] == \
        [special_lines()[0]]


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def filter_cases(dataset):
    """(query, python predicate) pairs over the gen_logs records, each selective."""
    recs = dataset["records"]
    errors = [r for r in recs if r.get("logger") == "flaskapp.errors"]
    endpoints = collections.Counter(r.get("endpoint") for r in recs if "endpoint" in r)
    ep = sorted(endpoints.items(), key=lambda kv: (kv[1], kv[0]))[len(endpoints) // 2][0]
    msg = errors[len(errors) // 2]["message"]
    traced = [r for r in recs if "trace_id" in r]
    tid = traced[len(traced) // 3]["trace_id"]
    rid2 = traced[2 * len(traced) // 3]["request_id"]
    return [
        ("filter status = 500",
         lambda r: is_num(r.get("status")) and r["status"] == 500),
        ('filter status >= 500 and agency_db = "agency_contoso_db"',
         lambda r: is_num(r.get("status")) and r["status"] >= 500
         and r.get("agency_db") == "agency_contoso_db"),
        (f"filter endpoint = {literal(ep)}", lambda r: r.get("endpoint") == ep),
        (f"filter message = {literal(msg)}", lambda r: r.get("message") == msg),
        ("filter duration_ms > 20000",
         lambda r: is_num(r.get("duration_ms")) and r["duration_ms"] > 20000),
        ('filter job_name = "nightly_billing" and status = "failure"',
         lambda r: r.get("job_name") == "nightly_billing" and r.get("status") == "failure"),
        (f"filter trace_id = {literal(tid)} or request_id = {literal(rid2)}",
         lambda r: r.get("trace_id") == tid or r.get("request_id") == rid2),
        ('filter query_count >= 300 and user_type = "admin"',
         lambda r: is_num(r.get("query_count")) and r["query_count"] >= 300
         and r.get("user_type") == "admin"),
    ]


def check_filters(srv, dataset, where):
    gen = [r for r in dataset["records"]]
    for q, pred in filter_cases(dataset):
        want = sorted(canon(r) for r in gen if pred(r))
        assert 0 < len(want) < 5000, (q, len(want))
        j = srv.query_ok(q, **ALL_TIME)
        got = sorted(canon(json.loads(row[j["columns"].index("@message")])) for row in j["rows"])
        assert got == want, f"{where}: {q!r} returned {len(got)} rows, expected {len(want)}"
    # Sorted and limited: the 50 oldest ERROR lines.
    errs = sorted(r["timestamp"] for r in gen if r.get("level") == "ERROR")
    j = srv.query_ok('filter level = "ERROR" | sort @timestamp asc | limit 50', **ALL_TIME)
    assert [r[0] for r in j["rows"]] == [iso_ms(t) for t in errs[:50]], where
    assert all(json.loads(r[1])["level"] == "ERROR" for r in j["rows"])
    j = srv.query_ok('filter level = "ERROR" | sort @timestamp desc | limit 7', **ALL_TIME)
    assert [r[0] for r in j["rows"]] == [iso_ms(t) for t in errs[::-1][:7]], where


def test_filters_match_python_memtable(state, dataset):
    check_filters(state["server"], dataset, "memtable")


def test_lookup_unknown_request_id_is_empty(state):
    j = state["server"].query_ok(lookup_query("00000000-0000-4000-8000-000000000000"))
    assert j["rows"] == []


def parse_table(stdout):
    lines = stdout.splitlines()
    assert lines, "no output"
    header = lines[0].split()
    assert header == ["@timestamp", "@message"], lines[0]
    out = []
    for line in lines[1:]:
        ts, msg = line.split("  ", 1)
        out.append((ts, msg.strip()))
    return out


def parse_json_lines(stdout):
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)
        assert set(obj) == {"@timestamp", "@message"}, obj
        out.append((obj["@timestamp"], obj["@message"]))
    return out


def parse_csv(stdout):
    rows = list(csv.reader(io.StringIO(stdout, newline="")))
    assert rows and rows[0] == ["@timestamp", "@message"], rows[:1]
    return [(r[0], r[1]) for r in rows[1:]]


FORMATS = {"table": parse_table, "json": parse_json_lines, "csv": parse_csv}


def cli_lookups(dataset, target_args, where, rids=None):
    for i, rid in enumerate(rids or dataset["rids"]):
        fmt = list(FORMATS)[i % 3] if rids is None else None
        for f in ([fmt] if fmt else FORMATS):
            p = run_vigil("query", *target_args, "-f", f, lookup_query(rid), check=0)
            check_rows(dataset, rid, FORMATS[f](p.stdout), f"{where}, -f {f}")
            n = len(dataset["by_rid"][rid])
            assert f"{n} rows" in p.stderr, p.stderr  # the summary line


def test_lookup_cli_server_all_formats(state, dataset):
    srv = state["server"]
    # Every format for a few ids, then one format per id for the rest.
    some = dataset["rids"][:2] + [ORDER_RID]
    cli_lookups(dataset, ["--server", srv.url], "vigil query --server", rids=some)
    cli_lookups(dataset, ["--server", srv.url], "vigil query --server")


def test_lookup_cli_data_dir_while_server_runs(state, dataset):
    srv = state["server"]
    assert srv.running()
    cli_lookups(dataset, ["--data", srv.data_dir], "vigil query --data (server running)",
                rids=dataset["rids"][:3] + [ORDER_RID])
    cli_lookups(dataset, ["--data", srv.data_dir], "vigil query --data (server running)")
    # Read-only access must not disturb the server.
    assert srv.running()
    http_lookups(srv, dataset, "HTTP after read-only access")


def test_lookup_after_stop_and_restart(state, dataset):
    srv = state["server"]
    rc = srv.stop()
    assert rc == 0, f"SIGTERM exit code {rc}; stderr:\n{srv.stderr()}"
    # Server down: emergency read-only access to the data directory.
    cli_lookups(dataset, ["--data", srv.data_dir], "vigil query --data (server stopped)")
    # Restart on the same directory: the data now comes from parts, not the memtable.
    srv2 = state["factory"](data_dir=srv.data_dir)
    state["server"] = srv2
    m = parse_prometheus(srv2.metrics().text)
    assert m[("vigil_memtable_rows", frozenset())] == 0, "restart should serve from parts"
    part_rows = sum(v for (name, _), v in m.items() if name == "vigil_partition_rows")
    assert part_rows == LINES + len(ORDER_TS) + len(SPECIAL_IDS)
    http_lookups(srv2, dataset, "HTTP after restart (parts)")
    check_special_ids(srv2, "parts")
    check_filters(srv2, dataset, "parts")
    cli_lookups(dataset, ["--server", srv2.url], "vigil query --server after restart",
                rids=[ORDER_RID] + dataset["rids"][:1])


def test_lookup_parts_and_memtable_together(state, dataset):
    """A request whose lines are split between parts (old) and the memtable (new)."""
    srv = state["server"]
    rid = dataset["rids"][0]
    extra = [{"timestamp": 1767225600000 + 86_400_000 * 3, "request_id": rid,
              "message": "late line for an old request", "late": True},
             {"timestamp": 1767225600000 - 1, "request_id": rid,
              "message": "early line for an old request", "early": True}]
    body = b"".join(json.dumps(r).encode() + b"\n" for r in extra)
    srv.ingest_ok(body, expect_accepted=2)
    dataset["by_rid"][rid].extend(extra)
    j = srv.query_ok(lookup_query(rid))
    check_rows(dataset, rid, [(r[0], r[1]) for r in j["rows"]], "HTTP, parts + memtable")
    assert j["rows"][0][0] == iso_ms(1767225600000 - 1)
    assert j["rows"][-1][0] == iso_ms(1767225600000 + 86_400_000 * 3)


def test_configured_id_field_lookup_searches_all_time(vigil_server, tmp_path):
    cfg = write_config(tmp_path / "ids.yaml",
                       "id_fields: [request_id, trace_id, correlation_id]\n")
    srv = vigil_server(config=cfg)
    recs = [{"timestamp": 1767225600000 + i, "correlation_id": "corr-7f3a", "i": i}
            for i in range(3)]
    srv.ingest_ok(b"".join(json.dumps(r).encode() + b"\n" for r in recs), expect_accepted=3)
    # With an explicit range it is found (the data is there) ...
    assert len(srv.query_ok('filter correlation_id = "corr-7f3a"', **ALL_TIME)["rows"]) == 3
    # ... and as an id lookup (no start/end) it must be found too, oldest first.
    j = srv.query_ok('filter correlation_id = "corr-7f3a"')
    assert [json.loads(r[1])["i"] for r in j["rows"]] == [0, 1, 2], j["stats"]


ROUND_TRIP = [
    {"timestamp": 1767225600000, "request_id": "rt-1", "@foo": 1, "@timestamp": "user's own",
     "msg": "a\"b\\c\n\tü🚀\u0001\u007f"},
    {"timestamp": 1767225600001, "request_id": "rt-2",
     "nested": {"a": {"b": {"c": [1, {"d": 2}, None, "x", [[]]]}}}, "arr": [], "t": True,
     "f": False},
    {"timestamp": 1767225600002, "request_id": "rt-3", "big": 9007199254740993,
     "neg": -9223372036854775808, "max": 9223372036854775807, "fl": 1.5e300, "small": 5e-324,
     "frac": 0.1, "third": 1 / 3},
    {"timestamp": "2026-01-01T00:00:00.003Z", "request_id": "rt-4", "level": "warning"},
    {"timestamp": "2026-01-01T01:00:00.004+01:00", "request_id": "rt-5"},
    {"timestamp": 1767225600.005, "request_id": "rt-6"},
    {"@timestamp": "2026-01-01T00:00:00.006Z", "request_id": "rt-7"},
    {"time": 1767225600007000000, "request_id": "rt-8"},
    {"ts": 1767225600008000, "request_id": "rt-9"},
    {"timestamp": 1767225600009, "request_id": "rt-10", "s": "", "nul": None},
]


def test_events_round_trip_memtable_and_parts(vigil_server):
    """Each event's @message parses back to what was sent (null = absent), in the
    memtable and after a restart (parts, column codecs)."""
    srv = vigil_server()
    body = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in ROUND_TRIP)
    srv.ingest_ok(body, expect_accepted=len(ROUND_TRIP))

    def check(s, where):
        for i, sent in enumerate(ROUND_TRIP):
            j = s.query_ok(f'filter request_id = "{sent["request_id"]}"')
            assert len(j["rows"]) == 1, (where, sent)
            ts, msg = j["rows"][0][:2]
            want = {k: v for k, v in sent.items() if v is not None}
            assert json.loads(msg) == want, (where, msg)
            assert ts == iso_ms(1767225600000 + i), (where, sent, ts)

    check(srv, "memtable")
    assert srv.stop() == 0
    check(vigil_server(data_dir=srv.data_dir), "parts")
