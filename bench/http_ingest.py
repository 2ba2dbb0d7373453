#!/usr/bin/python3
"""Minimal HTTP bulk loader (stdlib only): POSTs a JSON-lines file in ~BATCH-byte batches
cut at line boundaries, over PARALLEL keep-alive connections.

Usage: http_ingest.py URL FILE [--batch-bytes 1048576] [--parallel 2]
Prints one line: "lines N batches B wall_s W lines_per_s R" (and exits 1 on any non-2xx).
URL is the full endpoint, e.g. http://127.0.0.1:7700/api/v1/logs.
"""
import argparse
import http.client
import queue
import sys
import threading
import time
import urllib.parse


def batches(path, size):
    with open(path, "rb") as f:
        rest = b""
        while True:
            chunk = f.read(size)
            if not chunk:
                if rest:
                    yield rest
                return
            buf = rest + chunk
            cut = buf.rfind(b"\n")
            if cut < 0:
                rest = buf
                continue
            yield buf[: cut + 1]
            rest = buf[cut + 1:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("file")
    ap.add_argument("--batch-bytes", type=int, default=1 << 20)
    ap.add_argument("--parallel", type=int, default=2)
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    target = u.path + ("?" + u.query if u.query else "")
    q: "queue.Queue[bytes | None]" = queue.Queue(maxsize=a.parallel * 2)
    errors = []
    counts = [0, 0]  # lines, batches
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        while True:
            body = q.get()
            if body is None:
                return
            conn.request("POST", target, body=body,
                         headers={"Content-Type": "application/x-ndjson"})
            r = conn.getresponse()
            data = r.read()
            if r.status // 100 != 2:
                errors.append(f"HTTP {r.status}: {data[:300]!r}")
            with lock:
                counts[0] += body.count(b"\n")
                counts[1] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.parallel)]
    for t in threads:
        t.start()
    for b in batches(a.file, a.batch_bytes):
        if errors:
            break
        q.put(b)
    for _ in threads:
        q.put(None)
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    for e in errors[:5]:
        print(e, file=sys.stderr)
    print(f"lines {counts[0]} batches {counts[1]} wall_s {wall:.3f} lines_per_s {counts[0] / wall:.0f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
