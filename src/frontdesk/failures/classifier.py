"""Which kind of failure an exception is: the one classifier (ADR 0018).

A surface that must answer whatever happens (REST's last handler, a voice function, the job
worker, the call-log writer) catches broadly and asks ``classify``; everything else catches
only what it means. The order matters: a business refusal first, then each dependency by the
types its client raises, then a bare timeout; whatever is left is a bug and is reported as
one — never as an outage.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from frontdesk.calendars.errors import CalendarError, CalendarUnavailable
from frontdesk.db.errors import DATABASE_ERRORS, is_unavailable
from frontdesk.domain.errors import DomainError
from frontdesk.failures.vocabulary import INTERNAL_ERROR, Kind, domain_code
from frontdesk.resilience.breaker import BreakerOpen
from frontdesk.resilience.ratelimit import RateBudgetExhausted


@dataclass(frozen=True, slots=True)
class Failure:
    """One classified exception. ``code`` is a key of the vocabulary (bounded);
    ``dependency`` names what failed for integration errors (database, redis, calendar,
    retell), else ``None``."""

    kind: Kind
    code: str
    exc: BaseException
    dependency: str | None = None


_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
_CALENDAR_DOWN = (CalendarUnavailable, BreakerOpen, RateBudgetExhausted)


def classify(exc: BaseException, *, awaiting: str = "database") -> Failure:
    """The kind and code of ``exc``. ``awaiting`` names the dependency a bare
    ``TimeoutError`` was waiting for (outside calls arrive wrapped in their own types, so on
    the paths that ask this is the database unless the caller says otherwise)."""
    if isinstance(exc, DomainError):
        return Failure(Kind.DOMAIN, domain_code(exc), exc)
    if isinstance(exc, _REDIS_DOWN):
        return Failure(Kind.INTEGRATION, "redis_unavailable", exc, "redis")
    if isinstance(exc, _CALENDAR_DOWN):
        return Failure(Kind.INTEGRATION, "calendar_unavailable", exc, "calendar")
    if isinstance(exc, CalendarError):
        return Failure(Kind.INTEGRATION, "calendar_failed", exc, "calendar")
    if _retell_down(exc):
        return Failure(Kind.INTEGRATION, "retell_unavailable", exc, "retell")
    if _database_down(exc):
        return Failure(Kind.INTEGRATION, "database_unavailable", exc, "database")
    if isinstance(exc, TimeoutError):
        return Failure(Kind.INTEGRATION, "timeout", exc, awaiting)
    return Failure(Kind.BUG, INTERNAL_ERROR, exc)


def _database_down(exc: BaseException) -> bool:
    """The database's own errors saying it cannot serve (ADR 0016), also when raised from
    (``__cause__``) such an error. A bare ``OSError`` with no database error in its chain is
    not the database: a file or another socket failed, and that is no database outage."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DATABASE_ERRORS):
            return is_unavailable(current)
        seen.add(id(current))
        current = current.__cause__
    return False


def _retell_down(exc: BaseException) -> bool:
    """Retell's SDK could not be reached (also a timeout), answered 5xx or 429, or refused our
    key (401/403); any other 4xx means our request was wrong: a bug. The SDK is looked up, not
    imported: only the agent commands load it (it costs the server seconds of start-up), and
    without it loaded no Retell error can exist."""
    retell = sys.modules.get("retell")
    if retell is None:
        return False
    if isinstance(exc, retell.APIConnectionError | retell.InternalServerError):
        return True
    if isinstance(exc, retell.RateLimitError):
        return True
    return isinstance(exc, retell.APIStatusError) and exc.status_code in (401, 403)
