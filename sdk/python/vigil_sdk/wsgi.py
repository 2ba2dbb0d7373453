"""WSGI middleware (for Flask: vigil_sdk.init_flask(app), which also records route
patterns as endpoints; any WSGI app: app = VigilMiddleware(app)).

For every request: a request_id (the incoming X-Request-ID if it looks like an id, else a
UUID4), returned in the X-Request-ID response header and carried by every log line written
while handling it; traceparent / X-Amzn-Trace-Id are parsed into trace_id / parent_id and
kept for outgoing calls (vigil_sdk.outgoing_headers()); and one request line when the
response is done: method, path, endpoint, status, duration_ms, query_count,
query_total_ms, external_count, external_total_ms and any set_fields().
"""
import logging
import time

from . import context


def _endpoint(ctx, environ):
    # The route pattern ("/users/<int:id>") groups requests better than the path; a
    # framework hook (init_flask) records it in the context.
    return ctx.endpoint or environ.get("PATH_INFO") or "/"


def init_flask(app, logger=None, **kw):
    """Wraps a Flask app's wsgi_app in VigilMiddleware and records each request's route
    pattern as its endpoint. Returns the middleware."""
    from flask import request

    @app.before_request
    def _vigil_endpoint():
        ctx = context.current()
        if ctx is not None and request.url_rule is not None:
            ctx.endpoint = request.url_rule.rule

    mw = VigilMiddleware(app.wsgi_app, logger=logger, **kw)
    app.wsgi_app = mw
    return mw


class VigilMiddleware:
    def __init__(self, app, logger=None, header="X-Request-ID", slow_ms=None):
        self.app = app
        self.logger = logger or logging.getLogger("vigil.request")
        self.header = header
        self.environ_key = "HTTP_" + header.upper().replace("-", "_")
        self.slow_ms = slow_ms

    def __call__(self, environ, start_response):
        incoming = environ.get(self.environ_key)
        ctx = context.Context(
            request_id=incoming if context.valid_request_id(incoming) else None,
            traceparent=environ.get("HTTP_TRACEPARENT"),
            amzn_trace_id=environ.get("HTTP_X_AMZN_TRACE_ID"))
        environ["vigil.request_id"] = ctx.request_id
        start = time.perf_counter()
        state = {"status": None}

        def start_with_id(status, headers, exc_info=None):
            state["status"] = int(status.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() != self.header.lower()]
            headers.append((self.header, ctx.request_id))
            return start_response(status, headers, exc_info)

        # The context is active while the app runs and while its body is produced, and
        # never beyond: a server that does not close the body cannot leak it into the
        # thread's next request.
        token = context.activate(ctx)
        try:
            body = self.app(environ, start_with_id)
        except Exception:
            self._log(ctx, environ, 500, start, failed=True)
            raise
        finally:
            context.deactivate(token)
        return _Body(body, ctx, lambda: self._log(ctx, environ, state["status"] or 500, start))

    def _log(self, ctx, environ, status, start, failed=False):
        duration_ms = round((time.perf_counter() - start) * 1000.0, 3)
        fields = ctx.log_fields()
        fields.update({
            "kind": "request", "request_id": ctx.request_id,
            "method": environ.get("REQUEST_METHOD"), "path": environ.get("PATH_INFO"),
            "endpoint": _endpoint(ctx, environ), "status": status, "duration_ms": duration_ms,
            "query_count": ctx.query_count, "query_total_ms": round(ctx.query_total_ms, 3),
            "external_count": ctx.external_count,
            "external_total_ms": round(ctx.external_total_ms, 3),
        })
        if environ.get("QUERY_STRING"):
            fields["query_string"] = environ["QUERY_STRING"]
        if environ.get("REMOTE_ADDR"):
            fields["remote_addr"] = environ["REMOTE_ADDR"]
        level = logging.ERROR if status >= 500 or failed else logging.INFO
        if self.slow_ms is not None and duration_ms >= self.slow_ms and level < logging.WARNING:
            level = logging.WARNING
        self.logger.log(level, "%s %s %d %.1fms", fields["method"], fields["path"], status,
                        duration_ms, extra=fields, exc_info=failed)


class _Body:
    """Passes the response body through with the request's context active, and logs the
    request line once the body is exhausted or closed, whichever comes first (so the
    duration covers streaming, and a server that never closes still gets its line)."""

    def __init__(self, body, ctx, done):
        self._body = body
        self._ctx = ctx
        self._done = done
        self._logged = False

    def __iter__(self):
        it = iter(self._body)
        while True:
            token = context.activate(self._ctx)
            try:
                chunk = next(it)
            except StopIteration:
                break
            finally:
                context.deactivate(token)
            yield chunk
        self._finish()

    def _finish(self):
        if not self._logged:
            self._logged = True
            self._done()

    def close(self):
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            self._finish()
