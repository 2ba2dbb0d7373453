"""Cron run records and external (third-party API) call records."""
import functools
import logging
import time

from . import context


class cron_job:
    """Context manager and decorator for a cron job run. Emits one record when the run ends:
    kind "cron", job_name, db_name, status ("success" or "failure"), duration_ms,
    error_message (and error_type, the traceback), query_count, plus extra fields.
    Log lines written during the run carry its run id as request_id. Exceptions propagate.

        with cron_job("sync_invoices", db_name="agency_contoso_db"):
            ...

        @cron_job("nightly_report")
        def nightly_report(): ...
    """

    def __init__(self, job_name, db_name=None, logger=None, **fields):
        self.job_name = job_name
        self.db_name = db_name
        self.logger = logger or logging.getLogger("vigil.cron")
        self.fields = fields

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with cron_job(self.job_name, self.db_name, self.logger, **self.fields):
                return func(*args, **kwargs)
        return wrapper

    def __enter__(self):
        self.ctx = context.Context()
        if self.db_name:
            self.ctx.fields["db_name"] = self.db_name
        self._token = context.activate(self.ctx)
        self._start = time.perf_counter()
        return self

    def __exit__(self, etype, evalue, tb):
        duration_ms = round((time.perf_counter() - self._start) * 1000.0, 3)
        record = {"kind": "cron", "job_name": self.job_name, "db_name": self.db_name,
                  "status": "failure" if etype else "success", "duration_ms": duration_ms,
                  "error_message": str(evalue) if etype else None,
                  "query_count": self.ctx.query_count,
                  "query_total_ms": round(self.ctx.query_total_ms, 3)}
        record.update(self.fields)
        try:
            if etype:
                self.logger.error("cron %s failed after %.0f ms: %s", self.job_name, duration_ms,
                                  evalue, extra=record, exc_info=(etype, evalue, tb))
            else:
                self.logger.info("cron %s succeeded in %.0f ms", self.job_name, duration_ms,
                                 extra=record)
        finally:
            context.deactivate(self._token)
        return False


class external_call:
    """Times a third-party API call and emits one record: kind "external", service,
    operation, duration_ms, success, status_code (set it on the object), error_message.
    Counts towards the request's external_count / external_total_ms.

        with external_call("stripe", "create_charge") as call:
            r = requests.post(..., headers=vigil_sdk.outgoing_headers())
            call.status_code = r.status_code
    """

    def __init__(self, service, operation=None, logger=None, **fields):
        self.service = service
        self.operation = operation
        self.logger = logger or logging.getLogger("vigil.external")
        self.fields = fields
        self.status_code = None

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with external_call(self.service, self.operation or func.__name__, self.logger,
                               **self.fields):
                return func(*args, **kwargs)
        return wrapper

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, etype, evalue, tb):
        duration_ms = round((time.perf_counter() - self._start) * 1000.0, 3)
        context.record_external(duration_ms)
        ok = etype is None and (self.status_code is None or self.status_code < 400)
        record = {"kind": "external", "service": self.service, "operation": self.operation,
                  "duration_ms": duration_ms, "success": ok, "status_code": self.status_code,
                  "error_message": str(evalue) if etype else None}
        record.update(self.fields)
        level = logging.INFO if ok else logging.WARNING
        self.logger.log(level, "external %s %s %s in %.0f ms", self.service,
                        self.operation or "", "ok" if ok else "failed", duration_ms,
                        extra=record)
        return False
