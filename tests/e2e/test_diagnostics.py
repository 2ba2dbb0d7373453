"""Runbook diagnostics end to end: error groups per tenant and slow-page diagnosis.

Expected values are computed here, from the generator's JSONL and its own knowledge of
which endpoints it made slow (shared/bench/gen_logs.py), never from Vigil's output.
"""
import collections
import importlib.util
import json
import re
import threading
import time

import pytest

from conftest import ALL_TIME, GEN_LOGS, chunk_lines, iso_ms, load_jsonl, run_vigil

LINES = 60000
SEED = 11


def gen_module():
    spec = importlib.util.spec_from_file_location("gen_logs", GEN_LOGS)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def template_regexes(templates):
    """One regex per generator template; the names that tell errors apart stay groups."""
    out = []
    holes = {"{n}": r"-?\d+", "{agency}": r"(?P<agency>\S+)", "{email}": r"\S+@\S+",
             "{ms}": r"\d+", "{api}": r"(?P<api>\w+)", "{uid}": r"\d+", "{f}": r"-?[\d.]+",
             "{hex}": r"[0-9a-f]{16}"}
    for t in templates:
        rx = re.escape(t)
        for hole, pat in holes.items():
            rx = rx.replace(re.escape(hole), pat, 1)
        out.append(re.compile("^" + rx + "$"))
    return out


def error_identity(rec, regexes):
    """(tenant, class, what) of an error-like record by the rules in docs/errors.md, or None."""
    level = rec.get("level")
    cls = rec.get("error_class")
    if not cls:
        if level not in ("ERROR", "CRITICAL", "FATAL"):
            return None
        status = rec.get("status")
        if "external_api" in rec:
            cls = "ErrAPI"
        elif isinstance(status, int) and 400 <= status < 500:
            cls = "Err400"
        else:
            cls = "Errors"
    tenant = rec.get("agency_db") or rec.get("db_name") or ""
    text = rec.get("error_message") or rec.get("message")
    for i, rx in enumerate(regexes):
        m = rx.match(text)
        if m:
            return (tenant, cls, ("template", i) + tuple(sorted(m.groupdict().items())))
    m = re.match(r"^(GET|POST) (/[a-z_/]+?)(/\d+)? (\d+)$", text)
    if m:
        return (tenant, cls, ("request", m.group(1), m.group(2), m.group(3) is not None))
    m = re.match(r"^external call (\w+) failed$", text)
    assert m, f"unexpected error text {text!r}"
    return (tenant, cls, ("external", m.group(1)))


def expected_groups(records, regexes):
    groups = {}
    for rec in records:
        key = error_identity(rec, regexes)
        if key is None:
            continue
        g = groups.setdefault(key, {"count": 0, "first": rec["timestamp"], "last": rec["timestamp"]})
        g["count"] += 1
        g["first"] = min(g["first"], rec["timestamp"])
        g["last"] = max(g["last"], rec["timestamp"])
    return groups


@pytest.fixture(scope="module")
def loaded(vigil_server_module, gen_logs):
    path = gen_logs(LINES, SEED)
    srv = vigil_server_module()
    for body, n in chunk_lines(open(path, "rb").read().splitlines()):
        srv.ingest_ok(body, expect_accepted=n)
    return srv, load_jsonl(path)


def group_key(g):
    return (g["tenant"], g["class"], g["count"], g["first_seen_at"], g["last_seen_at"])


def test_error_groups_match_the_generator_templates(loaded):
    srv, records = loaded
    gen = gen_module()
    want = expected_groups(records, template_regexes(gen.ERROR_TEMPLATES))
    got = srv.rows_as_dicts("source errors | fields tenant, class, count, first_seen_at, last_seen_at, message")
    assert len(got) == len(want), (len(got), len(want))
    want_keys = sorted((t, c, g["count"], iso_ms(g["first"]), iso_ms(g["last"]))
                       for (t, c, _), g in want.items())
    assert sorted(group_key(g) for g in got) == want_keys
    # Hashing raw messages gives one group per distinct text (at 2M lines ~39k vs ~1.4k:
    # bench/RESULTS.md); even this small sample has more.
    raw = {(r.get("agency_db") or r.get("db_name"), r.get("error_message") or r["message"])
           for r in records if error_identity(r, template_regexes(gen.ERROR_TEMPLATES))}
    assert len(raw) > len(got)
    # Templates show what was treated as variable.
    messages = {g["message"] for g in got}
    assert "Invalid email address: {email}" in messages
    assert "Session {hex} is no longer valid" in messages
    assert any(m.startswith("Timeout after {duration} calling ") for m in messages)


def test_runbook_sql_verbatim(loaded):
    srv, records = loaded
    gen = gen_module()
    want = expected_groups(records, template_regexes(gen.ERROR_TEMPLATES))
    api = sorted(((g["last"], g["count"]) for (t, c, _), g in want.items() if c == "ErrAPI"), reverse=True)[:20]
    j = srv.query_ok("SELECT message, count, last_seen_at, path FROM err_api ORDER BY last_seen_at DESC LIMIT 20")
    assert j["columns"] == ["message", "count", "last_seen_at", "path"]
    assert [(r[2], r[1]) for r in j["rows"]] == [(iso_ms(t), n) for t, n in api]
    for view, cls in (("err_400", "Err400"), ("errors_general", "Errors")):
        n = sum(1 for (t, c, _) in want if c == cls)
        j = srv.query_ok(f"source {view} | stats count(*) as groups, sum(count) as events")
        assert j["rows"][0][0] == n
        assert j["rows"][0][1] == sum(g["count"] for (t, c, _), g in want.items() if c == cls)


def test_events_carry_fingerprint_and_diagnosis(loaded):
    srv, records = loaded
    n_plus_one = sum(1 for r in records if isinstance(r.get("query_count"), int) and r["query_count"] >= 40)
    j = srv.query_ok('filter @diagnosis = "n_plus_one" | stats count(*)', **ALL_TIME)
    assert j["rows"][0][0] == n_plus_one
    # One group's fingerprint finds exactly its occurrences in the logs.
    g = srv.rows_as_dicts("source errors | sort count desc | limit 1")[0]
    j = srv.query_ok(f'filter @fingerprint = "{g["fingerprint"]}" | stats count(*)', **ALL_TIME)
    assert j["rows"][0][0] == g["count"]
    r = srv.session.get(srv.url + "/api/v1/errors/" + g["fingerprint"], timeout=30)
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["group"]["count"] == g["count"]
    assert len(shown["occurrences"]["rows"]) == min(20, g["count"])


def truth_labels(gen_mod):
    g = gen_mod.Generator(SEED, LINES)
    label = {}
    for ep in g.endpoints:
        if ep in g.n_plus_one:
            label[ep] = "n_plus_one"
        elif ep in g.slow_sql:
            label[ep] = "slow_queries"
        elif ep in g.python_slow:
            label[ep] = "python_bound"
        else:
            label[ep] = "ok"
    return label


def test_slow_endpoints_precision_and_recall(loaded):
    srv, records = loaded
    truth = truth_labels(gen_module())
    rows = srv.rows_as_dicts("source slow_endpoints", **ALL_TIME)
    seen = {r["endpoint"] for r in records if "query_count" in r}
    assert {r["endpoint"] for r in rows} == seen
    predicted = {r["endpoint"]: r["diagnosis"] for r in rows}
    for label in ("n_plus_one", "slow_queries", "python_bound"):
        pred = {e for e, l in predicted.items() if l == label}
        true = {e for e in seen if truth[e] == label}
        assert true, label
        precision = len(pred & true) / max(1, len(pred))
        recall = len(pred & true) / len(true)
        assert precision >= 0.9 and recall >= 0.9, (label, sorted(pred), sorted(true))
    # Worst first: every labeled endpoint comes before every ok one.
    labels = [r["diagnosis"] for r in rows]
    assert labels.index("ok") == sum(1 for l in labels if l != "ok")
    # Requests per endpoint are exact.
    counts = collections.Counter(r["endpoint"] for r in records if "query_count" in r)
    assert {r["endpoint"]: r["requests"] for r in rows} == dict(counts)


def test_slow_and_errors_cli(loaded):
    srv, records = loaded
    tenant = "agency_contoso_db"
    out = run_vigil("slow", "--server", srv.url, "--tenant", tenant, "--since", "0", "-q", "-f", "json", check=0)
    rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    counts = collections.Counter(r["endpoint"] for r in records
                                 if "query_count" in r and r["agency_db"] == tenant)
    assert {r["endpoint"]: r["requests"] for r in rows} == dict(counts)
    assert all(r["tenant"] == tenant for r in rows)
    out = run_vigil("errors", "--server", srv.url, "--tenant", tenant, "--class", "ErrAPI", "-q", "-f", "json", check=0)
    rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    assert rows and all(r["tenant"] == tenant and r["class"] == "ErrAPI" for r in rows)
    out = run_vigil("errors", "show", "0000000000000000", "--server", srv.url, check=1)
    assert out.returncode == 1 and "no error group" in out.stdout


def error_line(ts_ms, message, tenant="agency_t_db", **extra):
    rec = {"timestamp": ts_ms, "level": "ERROR", "message": message, "agency_db": tenant}
    rec.update(extra)
    return json.dumps(rec) + "\n"


def test_status_regression_merge_restart_and_exact_concurrent_counts(vigil_server):
    srv = vigil_server()
    now = int(time.time() * 1000)
    threads, per_thread, per_batch = 4, 25, 40

    def send(t):
        for b in range(per_thread):
            body = "".join(error_line(now - 60000 + b, f"Worker {t}-{b}-{i} lost lease 0x{i:x}")
                           for i in range(per_batch))
            srv.ingest_ok(body, expect_accepted=per_batch)

    ts = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    groups = srv.rows_as_dicts("source errors")
    assert len(groups) == 1
    g = groups[0]
    assert g["count"] == threads * per_thread * per_batch
    assert g["message"] == "Worker {n}-{n}-{n} lost lease {hex}"
    fp = g["fingerprint"]

    srv.ingest_ok(error_line(now, "Quota of 5 exceeded for 9"))
    other = [x for x in srv.rows_as_dicts("source errors") if x["fingerprint"] != fp][0]["fingerprint"]

    r = srv.session.post(f"{srv.url}/api/v1/errors/{fp}/resolve", timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "resolved", r.text
    assert srv.session.post(f"{srv.url}/api/v1/errors/{fp}/explode", timeout=30).status_code == 404
    assert srv.session.post(f"{srv.url}/api/v1/errors/merge", data="{", timeout=30).status_code == 400
    # Recurs after the resolution: regressed, and says so.
    srv.ingest_ok(error_line(int(time.time() * 1000) + 5000, "Worker 9-9-9 lost lease 0xff"))
    g = srv.session.get(f"{srv.url}/api/v1/errors/{fp}", timeout=30).json()["group"]
    assert g["status"] == "regressed" and g["regressed_at"] is not None

    r = srv.session.post(f"{srv.url}/api/v1/errors/merge", json={"into": fp, "from": other}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["count"] == threads * per_thread * per_batch + 2 and r.json()["merged"] == [other]

    before = srv.rows_as_dicts("source errors")
    assert srv.stop() == 0
    srv.start()
    assert srv.rows_as_dicts("source errors") == before
    # The read-only CLI sees the same groups with the server stopped.
    assert srv.stop() == 0
    out = run_vigil("errors", "--data", str(srv.data_dir), "-q", "-f", "json", check=0)
    rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    assert [r["count"] for r in rows] == [before[0]["count"]]
    srv.start()
