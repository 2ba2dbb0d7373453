"""Per-request (or per-job) context: ids, trace headers, counters and extra fields that
every log line written inside it carries. Backed by contextvars, so it follows threads
and asyncio tasks."""
import contextvars
import re
import uuid

_current = contextvars.ContextVar("vigil_context", default=None)

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:+/=-]{1,200}$")


class Context:
    def __init__(self, request_id=None, traceparent=None, amzn_trace_id=None):
        self.request_id = request_id or str(uuid.uuid4())
        self.traceparent = traceparent
        self.amzn_trace_id = amzn_trace_id
        self.trace_id = None
        self.parent_id = None
        if traceparent:
            m = _TRACEPARENT.match(traceparent.strip().lower())
            if m:
                self.trace_id, self.parent_id = m.group(1), m.group(2)
        if amzn_trace_id and not self.trace_id:
            for part in amzn_trace_id.split(";"):
                k, _, v = part.strip().partition("=")
                if k == "Root" and v:
                    self.trace_id = v
                elif k == "Parent" and v:
                    self.parent_id = v
        self.query_count = 0
        self.query_total_ms = 0.0
        self.external_count = 0
        self.external_total_ms = 0.0
        self.fields = {}
        self.endpoint = None  # route pattern, set by a framework hook (wsgi.init_flask)

    def log_fields(self):
        """Fields every log line in this context carries."""
        out = {"request_id": self.request_id}
        if self.trace_id:
            out["trace_id"] = self.trace_id
        if self.parent_id:
            out["parent_id"] = self.parent_id
        out.update(self.fields)
        return out

    def outgoing_headers(self):
        """Headers to put on outgoing HTTP calls so the next service joins the trace."""
        h = {"X-Request-ID": self.request_id}
        if self.traceparent:
            h["traceparent"] = self.traceparent
        if self.amzn_trace_id:
            h["X-Amzn-Trace-Id"] = self.amzn_trace_id
        return h


def valid_request_id(value):
    return bool(value) and bool(_REQUEST_ID.match(value))


def current():
    """The active Context, or None outside a request/job."""
    return _current.get()


def activate(ctx):
    """Makes ctx current; returns a token for deactivate()."""
    return _current.set(ctx)


def deactivate(token):
    _current.reset(token)


def set_fields(**fields):
    """Adds fields (e.g. agency_db, user_type) to every later log line of the current
    request or job, and to its request line. No-op outside one."""
    ctx = _current.get()
    if ctx is not None:
        ctx.fields.update(fields)


def outgoing_headers():
    ctx = _current.get()
    return ctx.outgoing_headers() if ctx is not None else {}


def record_query(duration_ms):
    """Counts one database query of the current request/job."""
    ctx = _current.get()
    if ctx is not None:
        ctx.query_count += 1
        ctx.query_total_ms += duration_ms


def record_external(duration_ms):
    ctx = _current.get()
    if ctx is not None:
        ctx.external_count += 1
        ctx.external_total_ms += duration_ms
