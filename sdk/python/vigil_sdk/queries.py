"""Database query counting: a SQLAlchemy hook when SQLAlchemy is importable, a manual
timer otherwise. Both count into the current request/job (query_count, query_total_ms)."""
import time

from . import context


def instrument_sqlalchemy(engine=None):
    """Counts every query of `engine` (default: every Engine). Returns False when
    SQLAlchemy is not importable (use query_timer() then)."""
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:
        return False
    target = engine if engine is not None else Engine

    def before(conn, cursor, statement, parameters, ctx, executemany):
        conn.info.setdefault("vigil_query_start", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, ctx, executemany):
        starts = conn.info.get("vigil_query_start")
        if starts:
            context.record_query((time.perf_counter() - starts.pop()) * 1000.0)

    event.listen(target, "before_cursor_execute", before)
    event.listen(target, "after_cursor_execute", after)
    return True


class query_timer:
    """Counts one query by hand:  with query_timer(): cursor.execute(sql)"""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        context.record_query((time.perf_counter() - self._start) * 1000.0)
        return False
