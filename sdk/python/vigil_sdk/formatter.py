"""JSON formatting of log records: one object per line, the runbook's key fields first."""
import datetime
import json
import logging
import traceback

from . import context

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

# The runbook's key fields, in the order they are written when present.
KEY_FIELDS = ("request_id", "endpoint", "status", "duration_ms", "query_count",
              "query_total_ms", "agency_db", "user_type")


def iso_utc(ts):
    t = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def _jsonable(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: timestamp, level, logger, message, the
    current request/job context (request_id, trace_id, set_fields()), every `extra=`
    field, and for exceptions error_type, error_message and the traceback."""

    def __init__(self, static_fields=None):
        super().__init__()
        self.static_fields = dict(static_fields or {})

    def format(self, record):
        out = {"timestamp": iso_utc(record.created), "level": record.levelname,
               "logger": record.name, "message": record.getMessage()}
        ctx = context.current()
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        fields = dict(self.static_fields)
        if ctx is not None:
            fields.update(ctx.log_fields())
        fields.update(extra)
        for k in KEY_FIELDS:
            if k in fields:
                out[k] = _jsonable(fields.pop(k))
        for k, v in fields.items():
            out.setdefault(k, _jsonable(v))
        if record.exc_info and record.exc_info[0] is not None:
            etype, evalue, tb = record.exc_info
            out.setdefault("error_type", etype.__name__)
            out.setdefault("error_message", str(evalue))
            out["exception"] = "".join(traceback.format_exception(etype, evalue, tb))
        elif record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)
