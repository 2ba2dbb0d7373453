#!/usr/bin/python3
"""Pick N random request_ids from a JSON-lines file (deterministic for a given seed).

Usage: pick_ids.py FILE [N=20] [SEED=7]  -> one request_id per line on stdout.
Lines are drawn uniformly by line number; lines without a request_id are skipped and
another line is drawn, so every id printed exists in the file.
"""
import json
import random
import sys


def main() -> None:
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    with open(path, "rb") as f:
        total = sum(1 for _ in f)
    rng = random.Random(seed)
    want = sorted(rng.sample(range(total), min(total, n * 4)))  # spares for lines without an id
    wanted = set(want)
    found = {}
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if i in wanted:
                rid = json.loads(line).get("request_id")
                if rid:
                    found[i] = rid
    order = want[:]
    rng.shuffle(order)
    ids = []
    for i in order:
        if i in found and found[i] not in ids:
            ids.append(found[i])
        if len(ids) == n:
            break
    print("\n".join(ids))


if __name__ == "__main__":
    main()
