"""Crash safety: SIGKILL the server while clients ingest, restart, repeat; then check.

Every line carries a unique sequence number `seq` and its batch id. Clients record which
batches were acknowledged (200 with accepted == batch size). After all rounds:
  - every acknowledged seq is present exactly once;
  - no seq is present more than once, and none that was never sent;
  - a batch that was not acknowledged (in flight at the kill, or refused with an error)
    is either wholly present or wholly absent: nothing half-visible; a batch refused
    with an error status (the server said nothing was stored) is absent.
Restarts replay the WAL and immediately flush the replayed memtable, and parts pile up
and get merged in the background, so random kill delays (0.05-1.5 s) land in the middle
of appends, group commits, flushes and merges.

VIGIL_CRASH_ROUNDS (default 20) sets the number of rounds; the `soak` variant
(VIGIL_SOAK=1, VIGIL_SOAK_ROUNDS default 200) runs longer.
"""
import collections
import json
import os
import random
import threading
import time

import pytest
import requests

from conftest import ALL_TIME, run_vigil, write_config

BASE_MS = 1772323200000  # 2026-03-01T00:00:00Z
STEP_MS = 400            # seq -> timestamp: ~200k lines span two UTC days (partitions)
CLIENTS = 2


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.batches = {}  # id -> {"first": seq, "n": n, "state": ..., "round": r}
        self.next_seq = 0
        self.next_id = 0

    def new_batch(self, n, rnd):
        with self.lock:
            b = {"id": self.next_id, "first": self.next_seq, "n": n, "state": "in_flight",
                 "round": rnd}
            self.batches[b["id"]] = b
            self.next_id += 1
            self.next_seq += n
            return b


def client(url, ledger, rnd, seed, stop, errors):
    rng = random.Random(seed)
    session = requests.Session()
    try:
        while not stop.is_set():
            n = rng.randint(50, 500)
            b = ledger.new_batch(n, rnd)
            lines = []
            for seq in range(b["first"], b["first"] + n):
                rec = {"timestamp": BASE_MS + seq * STEP_MS, "seq": seq, "batch": b["id"],
                       "round": rnd, "message": f"crash test line {seq}",
                       "pad": "z" * rng.randint(0, 300)}
                lines.append(json.dumps(rec, separators=(",", ":")))
            body = ("\n".join(lines) + "\n").encode()
            try:
                r = session.post(url + "/api/v1/logs", data=body, timeout=(3, 60),
                                 headers={"Content-Type": "application/x-ndjson"})
            except requests.RequestException:
                b["state"] = "in_flight"  # no answer: the kill landed during the request
                return
            if r.status_code == 200 and r.json().get("accepted") == n:
                b["state"] = "acked"
            elif r.status_code in (500, 503):
                b["state"] = "refused"  # "events not stored"
            else:
                b["state"] = "odd"
                errors.append(f"batch {b['id']}: unexpected answer {r.status_code}: "
                              f"{r.text[:300]}")
                return
    finally:
        session.close()


def crash_loop(vigil_server, tmp_path, rounds, seed, graceful=False):
    data = tmp_path / "crashdata"
    cfg = write_config(tmp_path / "crash.yaml", "query:\n  max_rows: 10000000\n")
    rng = random.Random(seed)
    ledger = Ledger()
    errors = []
    stderr_logs = []
    kill_delays = []
    kills_mid_write = []
    for rnd in range(rounds):
        srv = vigil_server(data_dir=data, config=cfg)
        stop = threading.Event()
        threads = [threading.Thread(target=client, daemon=True,
                                    args=(srv.url, ledger, rnd, rng.random(), stop, errors))
                   for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        # Mostly spread over 0.05-1.5 s; a third of the rounds kill early, while the
        # replayed WAL of the previous crash is being flushed.
        delay = rng.uniform(0.05, 0.3) if rng.random() < 0.33 else rng.uniform(0.05, 1.5)
        kill_delays.append(delay)
        time.sleep(delay)
        if graceful:
            rc = srv.stop()  # SIGTERM while clients are mid-request
            assert rc == 0, f"round {rnd}: exit {rc} after SIGTERM; stderr:\n{srv.stderr()}"
        else:
            srv.kill()
        stop.set()
        # Evidence of where the kill landed: an unfinished part (flush or merge) on disk.
        if any(p.name.startswith("tmp-") for p in (data / "parts").glob("*/*")):
            kills_mid_write.append(rnd)
        for t in threads:
            t.join(90)
            assert not t.is_alive(), "client thread hung after the kill"
        stderr_logs.append(srv.stderr())
        assert not errors, errors
    return data, cfg, ledger, stderr_logs, kill_delays, kills_mid_write


def fetch_seqs_http(srv):
    j = srv.query_ok("fields seq, batch | limit 10000000", **ALL_TIME, timeout=600)
    cols = j["columns"]
    i_seq, i_batch = cols.index("seq"), cols.index("batch")
    return [(row[i_seq], row[i_batch]) for row in j["rows"]]


def fetch_seqs_cli(data):
    p = run_vigil("query", "--data", data, "-f", "json", "-q", "--start", "0", "--end",
                  "2100-01-01T00:00:00Z", "--limit", "10000000",
                  "fields seq, batch | limit 10000000", check=0, timeout=600)
    out = []
    for line in p.stdout.splitlines():
        o = json.loads(line)
        out.append((o["seq"], o["batch"]))
    return out


def check(ledger, found, where):
    counts = collections.Counter(seq for seq, _ in found)
    dup = {s: c for s, c in counts.items() if c > 1}
    assert not dup, f"{where}: {len(dup)} seqs present more than once, e.g. {list(dup.items())[:10]}"
    sent = ledger.next_seq
    unknown = [s for s in counts if not (isinstance(s, int) and 0 <= s < sent)]
    assert not unknown, f"{where}: seqs that were never sent: {unknown[:10]}"
    seq_batch = {}
    for seq, batch in found:
        seq_batch[seq] = batch
    problems = []
    stats = collections.Counter()
    for b in ledger.batches.values():
        present = [s for s in range(b["first"], b["first"] + b["n"]) if s in counts]
        wrong_batch = [s for s in present if seq_batch[s] != b["id"]]
        if wrong_batch:
            problems.append(f"batch {b['id']}: seqs with a wrong batch id {wrong_batch[:5]}")
        k = len(present)
        stats[(b["state"], "all" if k == b["n"] else "none" if k == 0 else "partial")] += 1
        if b["state"] == "acked" and k != b["n"]:
            missing = sorted(set(range(b["first"], b["first"] + b["n"])) - set(present))
            problems.append(f"acknowledged batch {b['id']} (round {b['round']}, {b['n']} lines) "
                            f"lost {len(missing)} lines, e.g. seq {missing[:5]}")
        elif b["state"] in ("in_flight", "odd") and k not in (0, b["n"]):
            problems.append(f"unacknowledged batch {b['id']} (round {b['round']}) is half "
                            f"visible: {k} of {b['n']} lines")
        elif b["state"] == "refused" and k != 0:
            problems.append(f"batch {b['id']} was refused with an error but {k} lines are "
                            f"stored")
    assert not problems, f"{where}: " + "\n".join(problems[:20]) + f"\n(batch outcomes: {dict(stats)})"
    return stats


def run_crash_test(vigil_server, tmp_path, rounds, seed):
    t0 = time.monotonic()
    data, cfg, ledger, logs, delays, mid = crash_loop(vigil_server, tmp_path, rounds, seed)
    acked = sum(1 for b in ledger.batches.values() if b["state"] == "acked")
    assert acked >= rounds, f"too few acknowledged batches ({acked}) to mean anything"
    # Recovery after the last crash, then check through the server...
    srv = vigil_server(data_dir=data, config=cfg)
    found = fetch_seqs_http(srv)
    stats = check(ledger, found, "after the last crash (HTTP)")
    rc = srv.stop()
    assert rc == 0, f"exit code {rc} after SIGTERM; stderr:\n{srv.stderr()}"
    logs.append(srv.stderr())
    # ... and read-only, from the cleanly flushed directory.
    found2 = fetch_seqs_cli(data)
    check(ledger, found2, "after a clean stop (vigil query --data)")
    assert sorted(found2) == sorted(found)
    # A crash must never leave a damaged part behind.
    quarantined = [line for log in logs for line in log.splitlines() if "quarantin" in line]
    assert not quarantined, quarantined
    assert not (data / "quarantine").exists() or not any((data / "quarantine").iterdir())
    print(f"\ncrash test: {rounds} rounds, {ledger.next_id} batches, {ledger.next_seq} lines sent, "
          f"{len(found)} stored; outcomes {dict(stats)}; kill delays "
          f"{min(delays):.2f}-{max(delays):.2f}s; kills during a part write in rounds {mid}; "
          f"{time.monotonic() - t0:.1f}s")


def test_crash_safety(vigil_server, tmp_path):
    rounds = int(os.environ.get("VIGIL_CRASH_ROUNDS", "20"))
    seed = int(os.environ.get("VIGIL_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
    print(f"VIGIL_CRASH_SEED={seed}")
    run_crash_test(vigil_server, tmp_path, rounds, seed)


def test_sigterm_under_load_loses_nothing(vigil_server, tmp_path):
    """SIGTERM while clients ingest: exit 0, acknowledged data kept, nothing half-visible."""
    seed = int(os.environ.get("VIGIL_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
    print(f"VIGIL_CRASH_SEED={seed}")
    data, cfg, ledger, logs, delays, mid = crash_loop(vigil_server, tmp_path, 4, seed,
                                                      graceful=True)
    assert not mid, "a clean stop left an unfinished part behind"
    srv = vigil_server(data_dir=data, config=cfg)
    check(ledger, fetch_seqs_http(srv), "after SIGTERM under load")
    m = srv.metrics().text
    assert "\nvigil_memtable_rows 0\n" in m, "a clean stop should leave nothing to replay"


@pytest.mark.soak
def test_crash_safety_soak(vigil_server, tmp_path):
    rounds = int(os.environ.get("VIGIL_SOAK_ROUNDS", "200"))
    seed = int(os.environ.get("VIGIL_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
    print(f"VIGIL_CRASH_SEED={seed}")
    run_crash_test(vigil_server, tmp_path, rounds, seed)
