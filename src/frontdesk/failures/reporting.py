"""Counting and logging a classified failure, the same way everywhere (ADR 0018).

* ``domain``: counted; nothing logged here (the refusal is the answer, and surfaces that
  want a line write their own).
* ``integration``: counted, and handed to ``resilience.outage.degraded`` — one warning per
  30 s per dependency and place, no traceback, ``frontdesk_degraded_total`` — because during
  an outage every request meets the same failure.
* ``bug``: counted and logged at error level with its traceback, every time.
"""

from __future__ import annotations

from frontdesk.failures.classifier import Failure
from frontdesk.failures.vocabulary import Kind
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import ERRORS
from frontdesk.resilience.outage import degraded

log = get_logger(__name__)


def count(failure: Failure, where: str) -> None:
    """Only count ``failure`` met at ``where`` (a bounded name): for the places that log it
    their own way (a timeout under overload is no outage to warn about)."""
    ERRORS.labels(kind=failure.kind, code=failure.code, where=where).inc()


def report(failure: Failure, where: str, **fields: object) -> None:
    """Count ``failure`` met at ``where`` (a bounded name) and log it as its kind asks."""
    count(failure, where)
    if failure.kind is Kind.INTEGRATION:
        degraded(failure.dependency or "unknown", where, failure.exc, **fields)
    elif failure.kind is Kind.BUG:
        log.error("unexpected error (a bug)", where=where, exc_info=failure.exc, **fields)
