#!/usr/bin/env python3
"""Generates the query golden files in this directory from first principles.

    python3 tests/queries/gen_expected.py      # rewrites events.jsonl and *.test

events.jsonl is a small event set (mixed types, missing fields, plain-text lines)
generated from a fixed seed. Each case below pairs a query with the expected result
computed here, in plain Python, from the rules in docs/query.md -- independently of
Vigil's C++ code. src/query/golden_jsonl_test.cc loads events.jsonl into a store, runs
every query and compares its output with these files line for line.

File format (see src/query/golden_test.cc): `query:` line(s), `----`, then the column
names and one line per row (`a | b`), or `error: <message>`. Floats print with a point,
strings as JSON, times as ISO 8601 with milliseconds.
"""

import datetime
import json
import math
import os
import random
from functools import cmp_to_key

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = int(datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc).timestamp())
NS = 1_000_000_000
MIN = 60 * NS

# ---------------------------------------------------------------------------------
# The event set


def make_events():
    rng = random.Random(7)
    events = []
    for i in range(60):
        ts = (T0 + i * 55) * NS
        if i % 12 == 5:  # a plain-text line: only its text
            events.append({"@timestamp": ts, "@message": f"plain text line {i} ERROR"})
            continue
        e = {"@timestamp": ts}
        pick = lambda xs: xs[rng.randrange(len(xs))]
        lv = pick(["INFO"] * 5 + ["WARN"] * 2 + ["ERROR"] * 2 + ["info", None])
        ep = pick(["/api/orders", "/api/users", "/health", None])
        r = rng.random()
        if r < 0.08:
            st = 500.0
        elif r < 0.14:
            st = "failure"
        elif r < 0.22:
            st = None
        else:
            st = pick([200, 200, 200, 201, 404, 500, 502])
        r = rng.random()
        if r < 0.15:
            dur = None
        elif r < 0.5:
            dur = rng.randrange(0, 8000) / 4  # exact binary fractions: sums are exact
        else:
            dur = rng.randrange(1, 2500)
        fields = {
            "level": lv,
            "endpoint": ep,
            "status": st,
            "duration_ms": dur,
            "agency_db": pick(["agency_contoso_db", "agency_fabrikam_db", "agency_tailspin_db"]),
            "request_id": "r-%03d" % (i // 2),
            "ip": pick(["10.0.0.5", "10.1.2.3", "192.168.1.20", "2001:db8::7", "not-an-ip", None]),
            "user": pick(["alice", "bob", "  carol ", "", None]),
            "ok": pick([True, False, None]),
        }
        n = rng.randrange(1, 60)
        fields["msg"] = pick([
            f"GET {ep or '/'} {st}",
            f"Timeout after {n}s calling billing",
            f"user={fields['user']} action=login",
            f"cache miss key=k{n}",
            None,
        ])
        if i % 9 == 4:
            fields["http"] = {"status": pick([502, 503])}
        for k, v in fields.items():
            if v is not None:
                e[k] = v
        events.append(e)
    return events


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        elif v is not None:
            out[prefix + k] = v
    return out


def iso(ns):
    ms = ns // 1_000_000
    dt = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


# ---------------------------------------------------------------------------------
# Value rules (docs/query.md): numbers are int, float and bool (as 0/1); strings are
# str; None is missing. A comparison needs two numbers or two strings.


def is_num(v):
    return isinstance(v, (int, float))  # bool is an int


def nv(v):
    return int(v) if isinstance(v, bool) else v


def cmp(op, a, b):
    if a is None or b is None:
        return False
    if is_num(a) and is_num(b):
        a, b = nv(a), nv(b)
    elif not (isinstance(a, str) and isinstance(b, str)):
        return False
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def like(v, sub):
    return isinstance(v, str) and sub in v


def arith(op, a, b):
    if not (is_num(a) and is_num(b)):
        return None
    a, b = nv(a), nv(b)
    both_int = isinstance(a, int) and isinstance(b, int)
    if op == "/":
        return None if b == 0 else float(a) / float(b)
    if op == "^":
        r = math.pow(float(a), float(b))
        return r if math.isfinite(r) else None
    if op == "%":
        if b == 0:
            return None
        if both_int:  # C: the sign of the dividend
            q = abs(a) // abs(b)
            return a - b * (q if (a >= 0) == (b > 0) else -q)
        return math.fmod(float(a), float(b))
    r = {"+": a + b, "-": a - b, "*": a * b}[op]
    if both_int and -(2**63) <= r < 2**63:
        return r
    return float(r)


def order_cmp(a, b):
    """Sort order of non-null values: numbers (numerically) before strings (bytewise)."""
    ka = (0, nv(a)) if is_num(a) else (1, a.encode())
    kb = (0, nv(b)) if is_num(b) else (1, b.encode())
    return (ka > kb) - (ka < kb)


def sort_rows(rows, keys):
    """keys: [(fn(row), desc)]; nulls last either way; ties keep their order."""

    def c(x, y):
        for fn, desc in keys:
            a, b = fn(x), fn(y)
            if a is None or b is None:
                if (a is None) != (b is None):
                    return 1 if a is None else -1
                continue
            r = order_cmp(a, b)
            if r:
                return -r if desc else r
        return 0

    return sorted(rows, key=cmp_to_key(c))


def newest_first(evs):
    return sorted(evs, key=lambda e: -e["@timestamp"])


def typed(v):
    """Group key: 500, 500.0, True and "500" are different keys."""
    return (type(v).__name__, v)


def group(evs, keyfns):
    groups = {}
    for e in evs:
        k = tuple(typed(f(e)) for f in keyfns)
        groups.setdefault(k, []).append(e)
    return groups


def sorted_groups(groups):
    items = list(groups.items())

    def c(x, y):
        for (_, a), (_, b) in zip(x[0], y[0]):
            if a is None or b is None:
                if (a is None) != (b is None):
                    return 1 if a is None else -1
                continue
            r = order_cmp(a, b)
            if r:
                return r
        return 0

    return sorted(items, key=cmp_to_key(c))


# Aggregates: fn(values, events) over the group's events.


def nums(vals):
    return [nv(v) for v in vals if is_num(v)]


def a_count(vals):
    return len([v for v in vals if v is not None])


def a_sum(vals):
    xs = nums(vals)
    if not xs:
        return None
    if all(isinstance(x, int) for x in xs):
        return sum(xs)
    return float(math.fsum(xs))


def a_avg(vals):
    xs = nums(vals)
    return math.fsum(xs) / len(xs) if xs else None


def a_min(vals):
    xs = nums(vals)
    return min(xs) if xs else None


def a_max(vals):
    xs = nums(vals)
    return max(xs) if xs else None


def a_stddev(vals):
    xs = [float(x) for x in nums(vals)]
    if len(xs) < 2:
        return None
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def a_pct(p):
    def f(vals):
        xs = sorted(float(x) for x in nums(vals))
        if not xs:
            return None
        rank = max(1, math.ceil(p / 100 * len(xs)))
        return xs[min(rank, len(xs)) - 1]

    return f


def a_count_distinct(vals):
    return len({typed(v) for v in vals if v is not None})


def a_sorts(last):
    def f(vals):
        xs = [v for v in vals if v is not None]
        if not xs:
            return None
        best = xs[0]
        for v in xs[1:]:
            r = order_cmp(v, best)
            if (r > 0) if last else (r < 0):
                best = v
        return best

    return f


def a_time(latest):
    def f(vals, evs):
        pairs = [(e["@timestamp"], v) for e, v in zip(evs, vals) if v is not None]
        if not pairs:
            return None
        return (max if latest else min)(pairs, key=lambda p: p[0])[1]

    f.needs_events = True
    return f


def run_agg(fn, vals, evs):
    if getattr(fn, "needs_events", False):
        return fn(vals, evs)
    return fn(vals)


def stats(evs, keys, aggs, post=None):
    """keys: [fn(e)]; aggs: [(fn(e) or None for count(*), agg)]; rows in key order."""
    rows = []
    groups = group(evs, keys) if keys else {(): evs}
    for k, g in sorted_groups(groups) if keys else groups.items():
        row = [v for _, v in k]
        for fn, agg in aggs:
            vals = [True] * len(g) if fn is None else [fn(e) for e in g]
            row.append(run_agg(agg, vals, g))
        rows.append(post(row) if post else row)
    return rows


def rnd(x, d=None):
    """round(): halves away from zero, like C's round."""
    if not is_num(x):
        return None
    x = float(nv(x))
    scale = 10.0 ** (d or 0)
    v = x * scale
    r = math.floor(abs(v))
    if abs(v) - r >= 0.5:
        r += 1
    r = math.copysign(r, v)
    return int(r) if d is None else r / scale


# ---------------------------------------------------------------------------------
# Rendering, as golden_test.cc prints results


def render_float(x):
    """std::to_chars shortest form (fixed or scientific, whichever is shorter; fixed on
    a tie), then ".0" when it has neither '.' nor 'e' (core/json_render.cc)."""
    if not math.isfinite(x):
        return "null"
    r = repr(x)
    mant, _, exp = r.partition("e")
    neg = mant.startswith("-")
    mant = mant.lstrip("-")
    intpart, _, frac = mant.partition(".")
    digits = (intpart + frac).lstrip("0") or "0"
    # decimal exponent of the first significant digit
    e10 = (int(exp) if exp else 0) + len(intpart) - 1
    if intpart == "0":
        e10 = (int(exp) if exp else 0) - (len(frac) - len(frac.lstrip("0"))) - 1
    digits = digits.rstrip("0") or "0"
    sci = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + ("-" if e10 < 0 else "+") + "%02d" % abs(e10)
    if e10 >= 0 and len(digits) <= e10 + 1:
        fixed = str(int(abs(x)))  # to_chars prints an integral value's exact digits
    elif e10 >= 0:
        whole = digits[: e10 + 1]
        rest = digits[e10 + 1 :]
        fixed = whole + ("." + rest if rest else "")
    else:
        fixed = "0." + "0" * (-e10 - 1) + digits
    if digits == "0":
        fixed, sci = "0", "0e+00"
    out = fixed if len(fixed) <= len(sci) else sci
    out = ("-" if neg else "") + out
    if "." not in out and "e" not in out:
        out += ".0"
    return out


def render(v, is_time=False):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return iso(v) if is_time else str(v)
    if isinstance(v, float):
        return render_float(v)
    return json.dumps(v, ensure_ascii=False)


FILES = {}


def case(file, query, columns, rows, times=(), note=None):
    lines = []
    if note:
        lines += ["# " + l for l in note.split("\n")]
    q = query.split("\n")
    lines.append("query: " + q[0])
    lines += q[1:]
    lines.append("----")
    lines.append(" | ".join(columns))
    for row in rows:
        assert len(row) == len(columns), (query, row)
        lines.append(" | ".join(render(v, c in times) for v, c in zip(row, columns)))
    FILES.setdefault(file, []).append("\n".join(lines))


def error(file, query, message):
    FILES.setdefault(file, []).append(f"query: {query}\n----\nerror: {message}")


def write_files(events):
    with open(os.path.join(HERE, "events.jsonl"), "w") as f:
        for e in events:
            out = dict(e)
            out["@timestamp"] = iso(e["@timestamp"])
            f.write(json.dumps(out, ensure_ascii=False) + "\n")
    for name, cases in FILES.items():
        with open(os.path.join(HERE, name), "w") as f:
            f.write("# Generated by gen_expected.py from events.jsonl; do not edit by hand.\n\n")
            f.write("\n\n".join(cases) + "\n")


# ---------------------------------------------------------------------------------
# Cases

import re  # noqa: E402  (the reference regex engine; RE2 agrees on these patterns)


def cols_of(e, cols, fns=None):
    fns = fns or {}
    return [fns[c](e) if c in fns else e.get(c) for c in cols]


def filter_cases(E):
    f = "filter.test"
    sel = lambda pred: newest_first([e for e in E if pred(e)])

    def fc(cond, pred, cols=("@timestamp", "status"), note=None):
        q = f"filter {cond} | fields {', '.join(cols)}"
        case(f, q, list(cols), [cols_of(e, cols) for e in sel(pred)], times={"@timestamp"}, note=note)

    st = lambda e: e.get("status")
    fc("status = 500", lambda e: cmp("=", st(e), 500),
       note="Type rules: numbers match numbers (Int or Float), strings match strings.")
    fc("status = 500.0", lambda e: cmp("=", st(e), 500.0))
    fc('status = "500"', lambda e: cmp("=", st(e), "500"))
    fc("status = 'failure'", lambda e: cmp("=", st(e), "failure"))
    fc("status != 500", lambda e: cmp("!=", st(e), 500),
       note="!= needs a value of a compatible type; `not` inverts everything.")
    fc("not status = 500", lambda e: not cmp("=", st(e), 500))
    fc("status >= 400 and status < 500", lambda e: cmp(">=", st(e), 400) and cmp("<", st(e), 500))
    fc('status > 100 or status = "failure"', lambda e: cmp(">", st(e), 100) or cmp("=", st(e), "failure"))
    fc("500 <= status", lambda e: cmp(">=", st(e), 500))
    fc("status < 'g'", lambda e: cmp("<", st(e), "g"))
    fc('level = "ERROR"', lambda e: cmp("=", e.get("level"), "ERROR"), cols=("@timestamp", "level"))
    fc('level = "info"', lambda e: cmp("=", e.get("level"), "info"), cols=("@timestamp", "level"))
    fc('level != "INFO"', lambda e: cmp("!=", e.get("level"), "INFO"), cols=("@timestamp", "level"))
    fc("ok", lambda e: e.get("ok") is True, cols=("@timestamp", "ok"),
       note="A bare field is true where it holds the Bool true.")
    fc("not ok", lambda e: e.get("ok") is not True, cols=("@timestamp", "ok"))
    fc("ok = false", lambda e: e.get("ok") is False, cols=("@timestamp", "ok"))
    fc("ok = 1", lambda e: cmp("=", e.get("ok"), 1), cols=("@timestamp", "ok"))
    fc('endpoint = "/health" and ok = true',
       lambda e: e.get("endpoint") == "/health" and e.get("ok") is True, cols=("@timestamp", "endpoint", "ok"))
    d = lambda e: e.get("duration_ms")
    fc("duration_ms > 2000", lambda e: cmp(">", d(e), 2000), cols=("@timestamp", "duration_ms"))
    fc("duration_ms <= 10.5", lambda e: cmp("<=", d(e), 10.5), cols=("@timestamp", "duration_ms"))
    fc("duration_ms * 2 > 3000", lambda e: cmp(">", arith("*", d(e), 2), 3000), cols=("@timestamp", "duration_ms"),
       note="Arithmetic in conditions.")
    fc("duration_ms / 4 < 10", lambda e: cmp("<", arith("/", d(e), 4), 10), cols=("@timestamp", "duration_ms"))
    fc("duration_ms % 2 = 1", lambda e: cmp("=", arith("%", d(e), 2), 1), cols=("@timestamp", "duration_ms"))
    fc("-duration_ms < -2200", lambda e: cmp("<", arith("-", 0, d(e)), -2200), cols=("@timestamp", "duration_ms"))
    fc("status - duration_ms > 0", lambda e: cmp(">", arith("-", st(e), d(e)), 0),
       cols=("@timestamp", "status", "duration_ms"))
    fc("status > duration_ms", lambda e: cmp(">", st(e), d(e)), cols=("@timestamp", "status", "duration_ms"))
    fc("status in [200, 201]", lambda e: cmp("=", st(e), 200) or cmp("=", st(e), 201),
       note="in / not in compare like =.")
    fc("status not in [200, 201, 404]", lambda e: not any(cmp("=", st(e), x) for x in (200, 201, 404)))
    fc('status in ["failure", 502]', lambda e: cmp("=", st(e), "failure") or cmp("=", st(e), 502))
    fc('level in ["WARN", "info"]', lambda e: e.get("level") in ("WARN", "info"), cols=("@timestamp", "level"))
    m = lambda e: e.get("msg")
    fc('msg like "Timeout"', lambda e: like(m(e), "Timeout"), cols=("@timestamp", "msg"),
       note="like: substring for a string, a search for a regex; only strings match.")
    fc(r"msg like /key=k\d+$/", lambda e: isinstance(m(e), str) and re.search(r"key=k\d+$", m(e)),
       cols=("@timestamp", "msg"))
    fc('msg not like "GET"', lambda e: not like(m(e), "GET"), cols=("@timestamp", "msg"))
    fc("msg =~ /(?i)timeout AFTER [0-9]+s/",
       lambda e: isinstance(m(e), str) and re.search(r"(?i)timeout AFTER [0-9]+s", m(e)), cols=("@timestamp", "msg"))
    fc("msg =~ /^user=(alice|bob) /", lambda e: isinstance(m(e), str) and re.search(r"^user=(alice|bob) ", m(e)),
       cols=("@timestamp", "msg"))
    fc('status like "50"', lambda e: like(st(e), "50"))
    fc('user like "carol"', lambda e: like(e.get("user"), "carol"), cols=("@timestamp", "user"))
    fc("ispresent(duration_ms) and not ispresent(status)", lambda e: "duration_ms" in e and "status" not in e,
       cols=("@timestamp", "duration_ms", "status"))
    fc("status = null", lambda e: "status" not in e, note="= null / != null test presence.")
    fc("endpoint != null and level = 'WARN'", lambda e: "endpoint" in e and e.get("level") == "WARN",
       cols=("@timestamp", "endpoint", "level"))
    fc("http.status = 503", lambda e: cmp("=", e.get("http.status"), 503), cols=("@timestamp", "http.status"),
       note="Nested JSON keys are dotted names.")
    lo, hi = (T0 + 30 * 60) * NS, (T0 + 40 * 60) * NS
    fc('@timestamp >= "2024-05-01T12:30:00Z" and @timestamp < "2024-05-01T12:40:00Z"',
       lambda e: lo <= e["@timestamp"] < hi, cols=("@timestamp", "level"), note="Time literals.")
    fc('agency_db = "agency_contoso_db" and duration_ms > 1000',
       lambda e: e.get("agency_db") == "agency_contoso_db" and cmp(">", d(e), 1000),
       cols=("@timestamp", "endpoint", "duration_ms"))
    fc("(status >= 500) = true", lambda e: cmp(">=", st(e), 500))
    fc("1 = 1 and level = 'WARN'", lambda e: e.get("level") == "WARN", cols=("@timestamp", "level"))
    fc('@message like "plain text"', lambda e: like(e.get("@message"), "plain text"),
       cols=("@timestamp", "@message"), note="A plain-text line's @message is its text.")
    rows = sorted([e for e in E if e.get("request_id") == "r-010"], key=lambda e: e["@timestamp"])
    case(f, 'filter request_id = "r-010" | fields @timestamp, request_id, level', ["@timestamp", "request_id", "level"],
         [cols_of(e, ["@timestamp", "request_id", "level"]) for e in rows], times={"@timestamp"},
         note="An id lookup lists oldest first.")
    fc("nope = 1", lambda e: False, note="A missing field never matches.")
    fc("not nope = 1 and status = 404", lambda e: cmp("=", st(e), 404))


def fields_cases(E):
    f = "fields.test"
    ts = {"@timestamp"}
    d = lambda e: e.get("duration_ms")
    st = lambda e: e.get("status")
    asc = sorted(E, key=lambda e: e["@timestamp"])

    def fq(q, cols, fns, evs, times=ts, note=None):
        case(f, q, cols, [cols_of(e, cols, fns) for e in evs], times=times, note=note)

    fq("fields @timestamp, duration_ms * 2 as d2, duration_ms / 4 as q, duration_ms - 0.5 as m | sort @timestamp asc",
       ["@timestamp", "d2", "q", "m"],
       {"d2": lambda e: arith("*", d(e), 2), "q": lambda e: arith("/", d(e), 4), "m": lambda e: arith("-", d(e), 0.5)},
       asc, note="Arithmetic: Int op Int stays Int (but / and ^ give Float); a missing or\nstring operand gives null.")
    fq("fields @timestamp, status + 1 as s1, status % 7 as m7, ok + 1 as okn, (status >= 500) * 10 as err | sort @timestamp asc",
       ["@timestamp", "s1", "m7", "okn", "err"],
       {"s1": lambda e: arith("+", st(e), 1), "m7": lambda e: arith("%", st(e), 7),
        "okn": lambda e: arith("+", e.get("ok"), 1), "err": lambda e: 10 if cmp(">=", st(e), 500) else 0}, asc)
    fq("fields 2 ^ 10 as p, 7 % 3 as m, -7 % 3 as mn, 7.5 % 2 as mf, 1 / 0 as z, 10 / 4 as q, 9223372036854775807 + 1 as big | limit 1",
       ["p", "m", "mn", "mf", "z", "q", "big"],
       {"p": lambda e: 1024.0, "m": lambda e: 1, "mn": lambda e: -1, "mf": lambda e: 1.5, "z": lambda e: None,
        "q": lambda e: 2.5, "big": lambda e: 9223372036854775808.0}, E[:1], times=())
    by_d = sort_rows(E, [(d, True), (lambda e: e["@timestamp"], False)])
    fq("sort duration_ms desc, @timestamp asc | fields @timestamp, duration_ms | limit 7",
       ["@timestamp", "duration_ms"], {}, by_d[:7], note="Sorting: numbers before strings, nulls last either way.")
    by_s = sort_rows(E, [(st, False), (lambda e: e["@timestamp"], True)])
    fq("sort status asc, @timestamp desc | fields @timestamp, status", ["@timestamp", "status"], {}, by_s)
    by_s = sort_rows(E, [(st, True), (lambda e: e["@timestamp"], True)])
    fq("sort status desc, @timestamp desc | fields @timestamp, status | limit 12", ["@timestamp", "status"], {}, by_s[:12])
    lv = lambda e: e.get("level")
    by_l = sort_rows(E, [(lv, False), (lambda e: e.get("endpoint"), True), (lambda e: e["@timestamp"], False)])
    fq("sort level, endpoint desc, @timestamp | fields level, endpoint, @timestamp | limit 20",
       ["level", "endpoint", "@timestamp"], {}, by_l[:20])
    fq("fields @timestamp, level | limit 5", ["@timestamp", "level"], {}, newest_first(E)[:5],
       note="Without a sort, newest first; limit takes the first rows.")
    fq("limit 3 | fields @timestamp, endpoint", ["@timestamp", "endpoint"], {}, newest_first(E)[:3])
    fq("fields @timestamp, level, endpoint | display endpoint, level | limit 6", ["endpoint", "level"], {},
       newest_first(E)[:6], times=(), note="The last display decides the columns.")
    fq("fields duration_ms as d | fields d * 1 as d1 | display d1 | sort d1 desc | limit 4", ["d1"], {"d1": d},
       sort_rows(E, [(d, True)])[:4], times=())
    fq("fields status >= 500 as err | filter err | fields @timestamp, status", ["err", "@timestamp", "status"],
       {"err": lambda e: True}, newest_first([e for e in E if cmp(">=", st(e), 500)]),
       note="A computed name is usable by later commands.")
    fq("filter ispresent(level) | limit 10 | filter level = 'INFO' | fields @timestamp, level", ["@timestamp", "level"],
       {}, [e for e in newest_first([e for e in E if "level" in e])[:10] if e["level"] == "INFO"],
       note="A filter after a limit filters only those rows.")

    def dedup(evs, keys):
        seen, out = set(), []
        for e in evs:
            vals = [e.get(k) for k in keys]
            if any(v is None for v in vals):
                out.append(e)
                continue
            k = tuple(typed(v) for v in vals)
            if k not in seen:
                seen.add(k)
                out.append(e)
        return out

    fq("dedup endpoint | fields @timestamp, endpoint", ["@timestamp", "endpoint"], {},
       dedup(newest_first(E), ["endpoint"]), note="dedup: first row per value in the current order; nulls always stay.")
    fq("dedup level, agency_db | fields @timestamp, level, agency_db", ["@timestamp", "level", "agency_db"], {},
       dedup(newest_first(E), ["level", "agency_db"]))
    fq("sort @timestamp asc | dedup user | fields @timestamp, user", ["@timestamp", "user"], {}, dedup(asc, ["user"]))
    fq("dedup status | fields @timestamp, status | limit 4", ["@timestamp", "status"], {},
       dedup(newest_first(E), ["status"])[:4])

    def glob_user(e):
        mm = re.search(r"user=(.*?) action=(.*)", e.get("msg", "")) if isinstance(e.get("msg"), str) else None
        return mm

    evs = [e for e in newest_first(E) if glob_user(e)]
    fq('parse msg "user=* action=*" as u, a | filter ispresent(u) | fields @timestamp, u, a', ["@timestamp", "u", "a"],
       {"u": lambda e: glob_user(e).group(1), "a": lambda e: glob_user(e).group(2)}, evs,
       note="parse: a glob's `*` capture text; a regex's named groups do.")
    rx = re.compile(r"Timeout after (?P<secs>\d+)s calling (?P<svc>\w+)")
    evs = [e for e in newest_first(E) if isinstance(e.get("msg"), str) and rx.search(e["msg"])]
    fq(r"parse msg /Timeout after (?<secs>\d+)s calling (?<svc>\w+)/ | filter ispresent(secs) | fields @timestamp, secs, svc",
       ["@timestamp", "secs", "svc"],
       {"secs": lambda e: rx.search(e["msg"]).group("secs"), "svc": lambda e: rx.search(e["msg"]).group("svc")}, evs)
    rg = re.compile(r"GET (.*?) (.*)")
    code = lambda e: rg.search(e["msg"]).group(2) if isinstance(e.get("msg"), str) and rg.search(e["msg"]) else None
    case(f, 'parse msg "GET * *" as path, code | stats count(*) as n by code', ["code", "n"],
         stats(E, [code], [(None, a_count)]))
    fq("parse msg /(?<word>[a-z]+) miss/ | filter ispresent(word) | fields @timestamp, word", ["@timestamp", "word"],
       {"word": lambda e: "cache"}, [e for e in newest_first(E) if like(e.get("msg"), "cache miss")])
    fq("fields `duration_ms` as `d ms` | filter `d ms` > 2300 | fields @timestamp, `d ms`", ["d ms", "@timestamp"],
       {"d ms": d}, newest_first([e for e in E if cmp(">", d(e), 2300)]), note="Backticked names; # comments.")
    fq("# leading comment\nfields @timestamp, level # trailing\n| filter level = 'WARN' # more", ["@timestamp", "level"], {},
       newest_first([e for e in E if e.get("level") == "WARN"]))
    fq("source events | filter status = 404 | fields @timestamp, status", ["@timestamp", "status"], {},
       newest_first([e for e in E if cmp("=", st(e), 404)]), note="source events is all events.")
    fq("fields @timestamp, nope, level | limit 3", ["@timestamp", "nope", "level"], {}, newest_first(E)[:3],
       note="A field no event has comes out as null.")
    fq("FIELDS @timestamp, status | SORT @timestamp ASC | LIMIT 2", ["@timestamp", "status"], {}, asc[:2],
       note="Keywords are case-insensitive.")


def ip_family(s):
    import ipaddress

    if not isinstance(s, str):
        return 0
    try:
        return ipaddress.ip_address(s).version
    except ValueError:
        return 0


def in_subnet(s, net, family=0):
    import ipaddress

    if ip_family(s) == 0 or (family and ip_family(s) != family):
        return False
    n = ipaddress.ip_network(net)
    a = ipaddress.ip_address(s)
    return a.version == n.version and a in n


def strv(v):
    return v if isinstance(v, str) else None


def text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return render_float(v)
    return str(v)


def function_cases(E):
    f = "functions.test"
    asc = sorted(E, key=lambda e: e["@timestamp"])
    d = lambda e: e.get("duration_ms")

    def fn(expr, py, field=None, times=(), note=None, evs=None):
        q = f"fields @timestamp, {expr} as x | sort @timestamp asc"
        case(f, q, ["@timestamp", "x"], [[e["@timestamp"], py(e)] for e in (evs or asc)],
             times={"@timestamp"} | set(times), note=note)

    u = lambda e: e.get("user")
    fn("ispresent(user)", lambda e: "user" in e)
    fn("isempty(user)", lambda e: u(e) is None or u(e) == "")
    fn("isblank(user)", lambda e: u(e) is None or (isinstance(u(e), str) and u(e).strip(" \t\r\n\f\v") == ""))
    fn('coalesce(user, level, "none")', lambda e: next((v for v in (u(e), e.get("level")) if v is not None), "none"))
    fn('concat(level, ":", status, "/", ok)',
       lambda e: text(e.get("level")) + ":" + text(e.get("status")) + "/" + text(e.get("ok")))
    fn("concat(user, level)", lambda e: None if u(e) is None and e.get("level") is None
       else text(u(e)) + text(e.get("level")), note="concat skips missing values; all missing gives null.")
    fn("strlen(user)", lambda e: len(u(e)) if isinstance(u(e), str) else None)
    fn("strlen(status)", lambda e: len(e["status"]) if isinstance(e.get("status"), str) else None,
       note="String functions give null on non-strings.")
    asc_up = lambda s: "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)
    asc_lo = lambda s: "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)
    fn("toupper(level)", lambda e: asc_up(e["level"]) if isinstance(e.get("level"), str) else None)
    fn("tolower(msg)", lambda e: asc_lo(e["msg"]) if isinstance(e.get("msg"), str) else None)
    ws = " \t\r\n\f\v"
    fn("trim(user)", lambda e: u(e).strip(ws) if isinstance(u(e), str) else None)
    fn("ltrim(user)", lambda e: u(e).lstrip(ws) if isinstance(u(e), str) else None)
    fn("rtrim(user)", lambda e: u(e).rstrip(ws) if isinstance(u(e), str) else None)
    fn('trim(agency_db, "agdb_")', lambda e: e["agency_db"].strip("agdb_") if "agency_db" in e else None)
    a = lambda e: e.get("agency_db")
    fn("substr(agency_db, 7, 5)", lambda e: a(e)[7:12] if a(e) else None)
    fn("substr(agency_db, -7)", lambda e: a(e)[-7:] if a(e) else None)
    fn("substr(agency_db, 7)", lambda e: a(e)[7:] if a(e) else None)
    fn('replace(agency_db, "_db", "")', lambda e: a(e).replace("_db", "") if a(e) else None)
    fn('strcontains(msg, "billing")', lambda e: "billing" in e["msg"] if isinstance(e.get("msg"), str) else None)
    fn("abs(duration_ms - 1000)", lambda e: abs(arith("-", d(e), 1000)) if d(e) is not None else None)
    fn("ceil(duration_ms / 3)", lambda e: math.ceil(d(e) / 3) if d(e) is not None else None)
    fn("floor(duration_ms / 3)", lambda e: math.floor(d(e) / 3) if d(e) is not None else None)
    fn("round(duration_ms / 3)", lambda e: rnd(d(e) / 3) if d(e) is not None else None)
    fn("round(duration_ms / 3, 2)", lambda e: rnd(d(e) / 3, 2) if d(e) is not None else None)
    fn("floor(duration_ms)", lambda e: int(math.floor(d(e))) if d(e) is not None else None,
       note="ceil, floor and round give Int; an Int stays as it is.")

    def ext(vals, greatest):
        xs = [v for v in vals if is_num(v)]
        if not xs:
            return None
        best = xs[0]
        for v in xs[1:]:
            r = order_cmp(v, best)
            if (r > 0) if greatest else (r < 0):
                best = v
        return best

    fn("greatest(duration_ms, status, 300)", lambda e: ext([d(e), e.get("status"), 300], True))
    fn("least(duration_ms, status)", lambda e: ext([d(e), e.get("status")], False))
    fn("log(duration_ms)", lambda e: math.log(d(e)) if d(e) is not None and d(e) > 0 else None)
    fn("sqrt(duration_ms)", lambda e: math.sqrt(d(e)) if d(e) is not None else None)
    floor_to = lambda t, p: t - t % p
    fn("bin(10m)", lambda e: floor_to(e["@timestamp"], 10 * MIN), times={"x"}, note="Time functions.")
    fn("datefloor(@timestamp, 15m)", lambda e: floor_to(e["@timestamp"], 15 * MIN), times={"x"})
    fn("dateceil(@timestamp, 7m)",
       lambda e: e["@timestamp"] if e["@timestamp"] % (7 * MIN) == 0 else floor_to(e["@timestamp"], 7 * MIN) + 7 * MIN,
       times={"x"})
    fn("toMillis(@timestamp)", lambda e: e["@timestamp"] // 1_000_000)
    fn("fromMillis(toMillis(@timestamp) + 1500)", lambda e: e["@timestamp"] + 1_500_000_000, times={"x"})
    fn("@timestamp - 1h", lambda e: e["@timestamp"] - 3600 * NS)
    ip = lambda e: e.get("ip")
    fn("isValidIp(ip)", lambda e: ip_family(ip(e)) != 0, note="IP functions.")
    fn("isValidIpV4(ip)", lambda e: ip_family(ip(e)) == 4)
    fn("isValidIpV6(ip)", lambda e: ip_family(ip(e)) == 6)
    fn('isIpInSubnet(ip, "10.0.0.0/8")', lambda e: in_subnet(ip(e), "10.0.0.0/8"))
    fn('isIpv4InSubnet(ip, "192.168.0.0/16")', lambda e: in_subnet(ip(e), "192.168.0.0/16", 4))
    fn('isIpv6InSubnet(ip, "2001:db8::/32")', lambda e: in_subnet(ip(e), "2001:db8::/32", 6))
    case(f, 'filter isIpInSubnet(ip, "10.0.0.0/15") and strcontains(agency_db, "contoso") | fields @timestamp, ip',
         ["@timestamp", "ip"],
         [[e["@timestamp"], ip(e)] for e in newest_first(E)
          if in_subnet(ip(e), "10.0.0.0/15") and "contoso" in (a(e) or "")],
         times={"@timestamp"}, note="Functions as conditions.")


def stats_cases(E):
    f = "stats.test"
    g = lambda k: (lambda e: e.get(k))
    d, st, lv, ep = g("duration_ms"), g("status"), g("level"), g("endpoint")
    ts = lambda e: e["@timestamp"]
    floor_to = lambda t, p: t - t % p

    def sc(q, cols, keys, aggs, times=(), post=None, rows_post=None, evs=None, note=None):
        rows = stats(evs if evs is not None else E, keys, aggs, post)
        if rows_post:
            rows = rows_post(rows)
        case(f, q, cols, rows, times=set(times), note=note)

    sc("stats count(*)", ["count(*)"], [], [(None, a_count)], note="Without by: one row.")
    sc("stats count(*), count(), count(status), count(duration_ms) as d, count(nope)",
       ["count(*)", "count()", "count(status)", "d", "count(nope)"], [],
       [(None, a_count), (None, a_count), (st, a_count), (d, a_count), (g("nope"), a_count)])
    sc("stats count(*) by level", ["level", "count(*)"], [lv], [(None, a_count)],
       note="With by: one row per key, in key order (nulls last).")
    sc("stats count(*) as n by endpoint", ["endpoint", "n"], [ep], [(None, a_count)])
    sc("stats sum(duration_ms), avg(duration_ms), min(duration_ms), max(duration_ms) by endpoint",
       ["endpoint", "sum(duration_ms)", "avg(duration_ms)", "min(duration_ms)", "max(duration_ms)"], [ep],
       [(d, a_sum), (d, a_avg), (d, a_min), (d, a_max)])
    share = lambda r: [r[0] / r[1]] if len(r) == 2 else r
    sc("stats sum(status >= 500) / count(*) as share", ["share"], [],
       [(lambda e: 1 if cmp(">=", st(e), 500) else 0, a_sum), (None, a_count)], post=share,
       note="Booleans count as 1/0: the 5xx share.")
    sc("stats sum(status >= 500) / count(*) as share by bin(10m)", ["bin(10m)", "share"],
       [lambda e: floor_to(ts(e), 10 * MIN)],
       [(lambda e: 1 if cmp(">=", st(e), 500) else 0, a_sum), (None, a_count)],
       post=lambda r: [r[0], r[1] / r[2]], times={"bin(10m)"})
    sc("stats count(*) by bin(15m)", ["bin(15m)", "count(*)"], [lambda e: floor_to(ts(e), 15 * MIN)],
       [(None, a_count)], times={"bin(15m)"})
    sc("filter status >= 500 | stats count(*) as errors by bin(1h)", ["bin(1h)", "errors"],
       [lambda e: floor_to(ts(e), 60 * MIN)], [(None, a_count)], times={"bin(1h)"},
       evs=[e for e in E if cmp(">=", st(e), 500)])
    sc("stats pct(duration_ms, 50) as p50, pct(duration_ms, 95) as p95, pct(duration_ms, 99) as p99 by agency_db",
       ["agency_db", "p50", "p95", "p99"], [g("agency_db")], [(d, a_pct(50)), (d, a_pct(95)), (d, a_pct(99))],
       note="pct is exact (nearest rank) for groups this small.")
    sc("stats pct(duration_ms, 0) as p0, pct(duration_ms, 100) as p100, pct(duration_ms, 33.3) as p33",
       ["p0", "p100", "p33"], [], [(d, a_pct(0)), (d, a_pct(100)), (d, a_pct(33.3))])
    sc("stats count_distinct(user), count_distinct(status), count_distinct(ip), count_distinct(ok)",
       ["count_distinct(user)", "count_distinct(status)", "count_distinct(ip)", "count_distinct(ok)"], [],
       [(g("user"), a_count_distinct), (st, a_count_distinct), (g("ip"), a_count_distinct), (g("ok"), a_count_distinct)],
       note="count_distinct is exact for groups this small; values are typed (500 and 500.0 differ).")
    sc("stats earliest(status), latest(status), sortsFirst(status), sortsLast(status) by endpoint",
       ["endpoint", "earliest(status)", "latest(status)", "sortsFirst(status)", "sortsLast(status)"], [ep],
       [(st, a_time(False)), (st, a_time(True)), (st, a_sorts(False)), (st, a_sorts(True))])
    sc("stats min(@timestamp), max(@timestamp) as last, earliest(user) by level",
       ["level", "min(@timestamp)", "last", "earliest(user)"], [lv],
       [(ts, a_min), (ts, a_max), (g("user"), a_time(False))], times={"min(@timestamp)", "last"})
    sc("stats round(stddev(duration_ms), 6) as sd, count(duration_ms) as n by agency_db", ["agency_db", "sd", "n"],
       [g("agency_db")], [(d, a_stddev), (d, a_count)], post=lambda r: [r[0], rnd(r[1], 6), r[2]],
       note="stddev is the sample standard deviation.")
    sc("stats stddev(duration_ms) as sd by request_id | filter request_id = 'r-000'", ["request_id", "sd"],
       [g("request_id")], [(d, a_stddev)], rows_post=lambda rows: [r for r in rows if r[0] == "r-000"])
    sc("stats count(*) as n by agency_db, endpoint | sort n desc, agency_db, endpoint | limit 5",
       ["agency_db", "endpoint", "n"], [g("agency_db"), ep], [(None, a_count)],
       rows_post=lambda rows: sort_rows(rows, [(lambda r: r[2], True), (lambda r: r[0], False),
                                               (lambda r: r[1], False)])[:5],
       note="Later commands see the stats columns.")
    sc("stats count(*) by ok", ["ok", "count(*)"], [g("ok")], [(None, a_count)])
    sc("stats avg(duration_ms) as a by level | filter a > 1000", ["level", "a"], [lv], [(d, a_avg)],
       rows_post=lambda rows: [r for r in rows if cmp(">", r[1], 1000)])
    sc("filter nope = 1 | stats count(*), sum(duration_ms), avg(duration_ms), pct(duration_ms, 50)",
       ["count(*)", "sum(duration_ms)", "avg(duration_ms)", "pct(duration_ms, 50)"], [],
       [(None, a_count), (d, a_sum), (d, a_avg), (d, a_pct(50))], evs=[],
       note="No rows: one row without by (count 0, others null), none with by.")
    sc("filter nope = 1 | stats count(*) by level", ["level", "count(*)"], [lv], [(None, a_count)], evs=[])
    groups = stats(E, [lv], [(None, a_count)])
    case(f, "stats count(*) as n by level | stats sum(n) as total, count(*) as levels, max(n) as most",
         ["total", "levels", "most"], [[sum(r[1] for r in groups), len(groups), max(r[1] for r in groups)]],
         note="A second stats aggregates the first one's rows.")
    sc("stats count(*) by http.status", ["http.status", "count(*)"], [g("http.status")], [(None, a_count)])
    sc("stats max(duration_ms) - min(duration_ms) as spread, count(*) * 100 as x by endpoint",
       ["endpoint", "spread", "x"], [ep], [(d, a_max), (d, a_min), (None, a_count)],
       post=lambda r: [r[0], arith("-", r[1], r[2]), r[3] * 100], note="Expressions over aggregates.")
    err = [e for e in E if e.get("level") == "ERROR"]
    sc('filter level = "ERROR" | stats count(*), max(@timestamp) by endpoint | sort count desc, endpoint',
       ["endpoint", "count(*)", "max(@timestamp)"], [ep], [(None, a_count), (ts, a_max)], evs=err,
       times={"max(@timestamp)"},
       rows_post=lambda rows: sort_rows(rows, [(lambda r: r[1], True), (lambda r: r[0], False)]),
       note="`sort count` names the count(*) column.")
    sc("stats count(*) by endpoint | sort count(*) desc, endpoint asc | limit 2", ["endpoint", "count(*)"], [ep],
       [(None, a_count)], rows_post=lambda rows: sort_rows(rows, [(lambda r: r[1], True), (lambda r: r[0], False)])[:2])
    sc("stats count(*) as n by bin(5m) | sort bin(5m) desc | limit 3", ["bin(5m)", "n"],
       [lambda e: floor_to(ts(e), 5 * MIN)], [(None, a_count)], times={"bin(5m)"},
       rows_post=lambda rows: list(reversed(rows))[:3])
    sc("stats count(*) by user", ["user", "count(*)"], [g("user")], [(None, a_count)])
    sc("stats avg(ok) as a, sum(ok) as s", ["a", "s"], [], [(g("ok"), a_avg), (g("ok"), a_sum)])
    sc("stats sum(status) as s, count(status) as n", ["s", "n"], [], [(st, a_sum), (st, a_count)],
       note="sum is Float once a Float is added; strings are skipped.")
    sc("stats median(duration_ms) as m by level", ["level", "m"], [lv], [(d, a_pct(50))])
    sc("stats count(*) as n by status >= 500 as err", ["err", "n"], [lambda e: cmp(">=", st(e), 500)],
       [(None, a_count)], note="Keys are expressions.")
    sc("stats count(*) as n by substr(agency_db, 7) as agency, ok", ["agency", "ok", "n"],
       [lambda e: e.get("agency_db", "")[7:] if "agency_db" in e else None, g("ok")], [(None, a_count)])
    sc("parse msg /Timeout after (?<secs>\\d+)s/ | filter ispresent(secs) | stats count(*) as n, sortsLast(secs) as worst",
       ["n", "worst"], [], [(None, a_count), (lambda e: re.search(r"Timeout after (\d+)s", e["msg"]).group(1), a_sorts(True))],
       evs=[e for e in E if isinstance(e.get("msg"), str) and re.search(r"Timeout after (\d+)s", e["msg"])])


def sql_cases(E):
    f = "sql.test"
    g = lambda k: (lambda e: e.get(k))
    st, d = g("status"), g("duration_ms")
    rows = sort_rows([e for e in E if cmp("=", st(e), 404)], [(lambda e: e["@timestamp"], False)])
    case(f, "SELECT @timestamp, status FROM events WHERE status = 404 ORDER BY @timestamp",
         ["@timestamp", "status"], [[e["@timestamp"], st(e)] for e in rows], times={"@timestamp"},
         note="The SQL front end compiles to the same plan as Logs Insights.")
    r = stats(E, [g("level")], [(None, a_count)])
    case(f, "select level, count(*) as n from events group by level order by n desc, level limit 3", ["level", "n"],
         sort_rows(r, [(lambda x: x[1], True), (lambda x: x[0], False)])[:3])
    evs = [e for e in E if e.get("endpoint") is not None]
    r = stats(evs, [g("endpoint")], [(None, a_count), (d, a_avg), (d, a_max)])
    case(f, "SELECT endpoint, count(*), avg(duration_ms) AS avg_ms, max(duration_ms) FROM events "
            "WHERE endpoint IS NOT NULL GROUP BY endpoint ORDER BY endpoint",
         ["endpoint", "count(*)", "avg_ms", "max(duration_ms)"], r)
    r = stats(E, [], [(None, a_count), (lambda e: 1 if cmp(">=", st(e), 500) else 0, a_sum),
                      (d, a_pct(50)), (g("level"), a_count_distinct)])[0]
    case(f, "SELECT count(*) AS n, sum(status >= 500) / count(*) AS share, quantile(duration_ms, 0.5) AS med, "
            "count(DISTINCT level) AS levels FROM events", ["n", "share", "med", "levels"],
         [[r[0], r[1] / r[0], r[2], r[3]]])
    r = [x for x in stats(E, [g("level")], [(None, a_count)]) if x[1] > 5]
    case(f, "SELECT level FROM events GROUP BY level HAVING count(*) > 5 ORDER BY level", ["level"],
         [[x[0]] for x in r])
    r = stats(E, [g("agency_db")], [(None, a_count), (d, a_max)])
    case(f, "SELECT agency_db, count(*) AS n FROM events GROUP BY agency_db HAVING n >= 2 "
            "ORDER BY max(duration_ms) DESC", ["agency_db", "n"],
         [[x[0], x[1]] for x in sort_rows([x for x in r if x[1] >= 2], [(lambda x: x[2], True)])])
    evs = [e for e in E if isinstance(e.get("endpoint"), str) and e["endpoint"].endswith("s")
           and cmp(">=", d(e), 5) and cmp("<=", d(e), 300)]
    evs = sort_rows(evs, [(lambda e: arith("*", d(e), 2), True), (lambda e: e["@timestamp"], False)])
    case(f, "SELECT endpoint, duration_ms * 2 AS d FROM events WHERE endpoint LIKE '%s' AND duration_ms "
            "BETWEEN 5 AND 300 ORDER BY d DESC, @timestamp", ["endpoint", "d"],
         [[e["endpoint"], arith("*", d(e), 2)] for e in evs], note="LIKE with % and _ matches the whole value.")
    evs = sort_rows([e for e in E if (cmp("=", st(e), 200) or cmp("=", st(e), 404)) and "endpoint" not in e],
                    [(lambda e: e["@timestamp"], False)])
    case(f, "SELECT upper(level) AS l, length(user) AS n FROM events WHERE status IN (200, 404) AND endpoint IS NULL "
            "ORDER BY @timestamp",
         ["l", "n"], [[e["level"].upper() if isinstance(e.get("level"), str) else None,
                       len(e["user"]) if isinstance(e.get("user"), str) else None] for e in evs])
    r = stats(E, [lambda e: e["@timestamp"] - e["@timestamp"] % (20 * MIN)], [(None, a_count)])
    case(f, "SELECT bin(20m) AS t, count(*) AS n FROM events GROUP BY bin(20m) ORDER BY t", ["t", "n"], r, times={"t"})
    evs = sort_rows([e for e in E if e.get("level") == "WARN"], [(lambda e: e["@timestamp"], True)])
    case(f, "SELECT @timestamp, level FROM events WHERE level = 'WARN' AND NOT ok = true ORDER BY @timestamp DESC",
         ["@timestamp", "level"], [[e["@timestamp"], "WARN"] for e in evs if e.get("ok") is not True],
         times={"@timestamp"})
    r = stats(E, [g("endpoint"), g("agency_db")], [(d, a_sum)])
    case(f, "SELECT agency_db, endpoint, sum(duration_ms) AS total FROM events GROUP BY endpoint, agency_db "
            "ORDER BY total DESC LIMIT 4", ["agency_db", "endpoint", "total"],
         [[x[1], x[0], x[2]] for x in sort_rows(r, [(lambda x: x[2], True)])[:4]])
    r = stats(E, [g("endpoint")], [(None, a_count)])
    case(f, "SELECT endpoint FROM events GROUP BY endpoint", ["endpoint"], [[x[0]] for x in r],
         note="GROUP BY alone lists the distinct keys (in key order).")
    r = stats(E, [g("agency_db")], [(None, a_count)])
    case(f, "SELECT agency_db, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1", ["agency_db", "count(*)"],
         sort_rows(r, [(lambda x: x[1], True), (lambda x: x[0], False)]), note="Positions in GROUP BY and ORDER BY.")
    evs = sort_rows([e for e in E if cmp(">", d(e), 2000)], [(lambda e: arith("/", d(e), 10), False)])
    case(f, "SELECT request_id, duration_ms / 10 AS t FROM events WHERE duration_ms > 2000 ORDER BY 2",
         ["request_id", "t"], [[e.get("request_id"), arith("/", d(e), 10)] for e in evs])
    error(f, "SELECT level FROM events ORDER BY 3", "line 1, column 35: position 3 is not in the select list (1 to 1)")
    error(f, "SELECT level, status FROM events GROUP BY level",
          "line 1, column 15: 'status' must appear in GROUP BY or be used in an aggregate function")
    error(f, "SELECT count(*) FROM nosuch", "line 1, column 22: unknown view 'nosuch'; views: events")
    error(f, "SELECT level FROM events WHERE", "line 1, column 30: expected a value after 'WHERE', found end of query")
    error(f, "SELECT level FROM events HAVING count(*) > 1",
          "line 1, column 26: HAVING needs GROUP BY or an aggregate in the select list")


def error_cases():
    f = "errors.test"
    for q, m in [
        ("filter status >=", "line 1, column 16: expected a value after '>=', found end of query"),
        ("stats", "line 1, column 5: expected an aggregate such as count(*) after 'stats', found end of query"),
        ("stats count(*) by", "line 1, column 17: expected a field or expression to group by after 'by', found end of query"),
        ("stats avg(duration_ms) + status", "line 1, column 26: expected an aggregate function in 'stats' "
         "(count, sum, avg, min, max, pct, ...), found 'status'" if False else None),
        ("stats level", "line 1, column 7: expected an aggregate function in 'stats' (count, sum, avg, min, max, pct, ...), found 'level'"),
        ("stats pct(duration_ms)", "line 1, column 7: pct() takes 2 arguments, found 1"),
        ("stats pct(duration_ms, 101)", "line 1, column 24: pct() needs a number from 0 to 100 as its second argument"),
        ("stats sum(count(*))", "line 1, column 11: aggregate functions cannot be nested"),
        ("stats count(*), count(*)", "line 1, column 17: duplicate column name 'count(*)' in 'stats' (use 'as' to rename)"),
        ("filter count(*) > 1", "line 1, column 8: aggregate function 'count' can only be used in 'stats'"),
        ("filter nosuch(x)", "line 1, column 8: unknown function 'nosuch'"),
        ("fields strlen(a, b) as n", "line 1, column 8: strlen() takes 1 argument, found 2"),
        ("fields bin(5) as b", "line 1, column 12: bin() expects a duration such as 5m or 1h"),
        ("filter msg like /(unclosed/", "line 1, column 17: invalid regular expression /(unclosed/: missing ): (unclosed"),
        ("filter msg =~ 5", "line 1, column 15: expected a /regex/ or string after '=~', found '5'"),
        ("filter status in [1, x]", "line 1, column 22: expected a number, string or boolean in the 'in' list"),
        ("filter duration_ms * \"2\" > 1", "line 1, column 20: arithmetic ('*') needs numbers, found \"2\""),
        ("parse msg \"* *\" as a", "line 1, column 11: the pattern has 2 '*' but 1 names follow 'as'"),
        ("parse msg /no groups/", "line 1, column 11: the regex names no fields: use (?<name>...) groups or 'as'"),
        ("fields a | source events", "line 1, column 12: 'source' must be the first command of a query"),
        ("source nope", "line 1, column 8: unknown view 'nope'; views: events"),
        ("pattern @message", "line 1, column 1: command 'pattern' is not supported; supported: dedup, display, fields, filter, limit, parse, sort, source, stats"),
        ("filter a = 5x", "line 1, column 12: invalid number '5x'"),
        ("filter a\n| sort", "line 2, column 6: expected a field to sort by after 'sort', found end of query"),
        ("fields isIpInSubnet(ip, net) as x", "line 1, column 25: isipinsubnet() expects a subnet literal such as \"10.0.0.0/8\""),
    ]:
        if m is not None:
            error(f, q, m)


def main():
    events = [flatten(e) for e in make_events()]
    filter_cases(events)
    fields_cases(events)
    function_cases(events)
    stats_cases(events)
    sql_cases(events)
    error_cases()
    write_files(make_events())
    total = sum(len(c) for c in FILES.values())
    print(f"{total} cases in {len(FILES)} files")


if __name__ == "__main__":
    main()
