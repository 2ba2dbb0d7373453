"""Vigil SDK for Python (standard library only). See docs/sdk-python.md."""
from .breaker import CircuitBreaker
from .context import current, outgoing_headers, record_query, set_fields
from .formatter import JsonFormatter
from .handler import VigilHandler
from .jobs import cron_job, external_call
from .queries import instrument_sqlalchemy, query_timer
from .wsgi import VigilMiddleware, init_flask

__all__ = ["CircuitBreaker", "JsonFormatter", "VigilHandler", "VigilMiddleware", "cron_job",
           "current", "external_call", "init_flask", "instrument_sqlalchemy", "outgoing_headers",
           "query_timer", "record_query", "set_fields"]
__version__ = "0.1.0"
