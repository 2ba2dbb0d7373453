"""Queries while ingesting (and while the memtable is flushed into parts).

Writers send batches of tiny lines tagged with a batch id; readers query groups of
batches at the same time. Every answer must show each batch whole or not at all, and
must include every batch acknowledged before the query was sent. The volume (well over
the memtable's row limit) makes flushes happen during the queries.
"""
import collections
import json
import random
import threading
import time

from conftest import ALL_TIME, parse_prometheus, run_vigil, write_config

BASE_MS = 1775001600000  # 2026-04-01T00:00:00Z
GROUPS = 8
TARGET_ROWS = 600_000     # > 2 x the memtable's 256k-row limit: at least two flushes
WRITERS = 2


def http_query(srv, session, g):
    r = session.post(srv.url + "/api/v1/query", timeout=120,
                     json={"query": f"fields b | filter g = {g} | limit 5000000", **ALL_TIME})
    if r.status_code != 200:
        return None, f"query: {r.status_code} {r.text[:200]}"
    j = r.json()
    i = j["columns"].index("b")
    return [row[i] for row in j["rows"]], None


def cli_query(srv, session, g):
    """`vigil query --data` on the live server's directory (read-only access)."""
    p = run_vigil("query", "--data", srv.data_dir, "-f", "csv", "-q", "--start", "0", "--end",
                  "2100-01-01T00:00:00Z", "--limit", "5000000",
                  f"fields b | filter g = {g} | limit 5000000", timeout=120)
    if p.returncode != 0:
        return None, f"vigil query --data: exit {p.returncode}: {p.stderr[-500:]}"
    lines = p.stdout.splitlines()
    if not lines or lines[0].split(",")[-1] != "b":
        return None, f"vigil query --data: unexpected output {lines[:2]}"
    i = lines[0].split(",").index("b")
    return [int(x.split(",")[i]) for x in lines[1:]], None


def test_queries_see_whole_acknowledged_batches(vigil_server, tmp_path):
    run_concurrent(vigil_server, tmp_path, http_query, readers=2)


def test_read_only_cli_sees_whole_acknowledged_batches(vigil_server, tmp_path):
    run_concurrent(vigil_server, tmp_path, cli_query, readers=1)


def run_concurrent(vigil_server, tmp_path, query, readers):
    cfg = write_config(tmp_path / "c.yaml", "query:\n  max_rows: 5000000\n")
    srv = vigil_server(config=cfg)
    lock = threading.Lock()
    sizes = {}          # batch id -> lines
    acked = set()
    next_id = [0]
    stop = threading.Event()
    errors = []
    checks = collections.Counter()

    def writer(seed):
        import requests
        rng = random.Random(seed)
        s = requests.Session()
        while not stop.is_set():
            with lock:
                if sum(sizes.values()) >= TARGET_ROWS:
                    return
                b = next_id[0]
                next_id[0] += 1
                n = rng.randint(500, 4000)
                sizes[b] = n
            body = "".join(
                json.dumps({"timestamp": BASE_MS + (b * 4000 + i) * 30, "b": b, "g": b % GROUPS,
                            "k": i}, separators=(",", ":")) + "\n" for i in range(n)).encode()
            r = s.post(srv.url + "/api/v1/logs", data=body, timeout=120)
            if r.status_code != 200 or r.json()["accepted"] != n:
                errors.append(f"batch {b}: {r.status_code} {r.text[:200]}")
                return
            with lock:
                acked.add(b)

    def reader(seed):
        import requests
        rng = random.Random(seed)
        s = requests.Session()
        while not stop.is_set():
            g = rng.randrange(GROUPS)
            with lock:
                before = {b for b in acked if b % GROUPS == g}
            got, err = query(srv, s, g)
            if err:
                errors.append(err)
                return
            with lock:
                known = dict(sizes)  # every batch sent so far (a batch may be seen before its ack)
            counts = collections.Counter(got)
            for b, c in counts.items():
                if b not in known or b % GROUPS != g:
                    errors.append(f"group {g}: unexpected batch {b}")
                elif c != known[b]:
                    errors.append(f"group {g}: batch {b} partly visible: {c} of {known[b]} rows")
            for b in before:
                if counts.get(b, 0) != sizes[b]:
                    errors.append(f"group {g}: acknowledged batch {b} has {counts.get(b, 0)} "
                                  f"of {sizes[b]} rows")
            checks["queries"] += 1
            if errors:
                return

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(100 + i,)) for i in range(readers)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads[:WRITERS]:
        t.join(240)
    stop.set()
    for t in threads:
        t.join(120)
        assert not t.is_alive()
    assert not errors, errors[:10]
    assert checks["queries"] >= 5, checks
    # The flushes did happen while the readers ran.
    m = parse_prometheus(srv.metrics().text)
    in_parts = sum(v for (n, _), v in m.items() if n == "vigil_partition_rows")
    assert in_parts > 0, "no flush happened during the test; raise TARGET_ROWS"
    total = sum(sizes.values())
    j = srv.query_ok("fields b | limit 5000000", **ALL_TIME, timeout=300)
    assert len(j["rows"]) == total
    print(f"\n{checks['queries']} queries over {total} rows ({in_parts} in parts) in "
          f"{time.monotonic() - t0:.1f}s")
