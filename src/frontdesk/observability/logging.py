"""structlog configuration: readable console lines for people, JSON lines for machines.

Context bound with ``structlog.contextvars`` (request id, call id, tenant) appears on every line
logged while handling that request, including lines from the standard ``logging`` module
(uvicorn, SQLAlchemy), which are routed through the same processors. Inside a trace span
(tracing on, ADR 0023) each line also carries ``trace_id`` and ``span_id``; outside one, or with
tracing off, the two keys are absent rather than empty.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from frontdesk.observability.tracing import current_ids

# Keys whose values must never reach a log line, whatever a caller binds by mistake.
_SECRET_KEYS = frozenset(
    {"authorization", "api_key", "password", "retell_api_key", "secret", "signature", "token"}
)


def _redact(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in event.keys() & _SECRET_KEYS:
        event[key] = "[redacted]"
    return event


def _add_trace_ids(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    # One context-variable read per line: with tracing off there is never a valid span.
    ids = current_ids()
    if ids is not None:
        event["trace_id"], event["span_id"] = ids
    return event


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Configure structlog and the stdlib root logger once per process."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    # JSON needs the traceback as a string field; the console renderer formats it itself.
    # Rich tracebacks are for people at a terminal: rendering one costs tens of milliseconds of
    # CPU, so a server under load (many timeouts at once) would spend its time on them.
    tty = sys.stderr.isatty()
    rendering: list[Any] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if fmt == "json"
        else [
            structlog.dev.ConsoleRenderer(
                colors=tty,
                exception_formatter=(
                    structlog.dev.RichTracebackFormatter() if tty else structlog.dev.plain_traceback
                ),
            )
        ]
    )
    structlog.configure(
        processors=[
            # First: a line below the level costs one level check, not the whole chain.
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiosqlite's debug lines echo every statement with its parameters: sealed API keys (plain
    # without FRONTDESK_SECRET_KEY), webhook secrets, callers' phone numbers.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, root.level))
    # uvicorn's access log duplicates our own request line (which carries the request id).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
