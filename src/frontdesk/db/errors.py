"""Recognise database errors that carry domain meaning, on both dialects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

OVERLAP_CONSTRAINT = "appointment_no_overlap"
_PG_EXCLUSION_VIOLATION = "23P01"
_PG_DEADLOCK = "40P01"
# PostgreSQL checks an exclusion constraint after inserting the row: two transactions that insert
# overlapping rows at the same moment wait for each other there, and one is aborted as a deadlock
# whose CONTEXT names the check. That loser lost the race for the time, as with 23P01.
_EXCLUSION_CHECK = "while checking exclusion constraint"


def is_overlap_violation(exc: BaseException) -> bool:
    """True when ``exc`` is the database refusing two overlapping appointments of one staff.

    PostgreSQL raises an exclusion violation (SQLSTATE 23P01) from the ``EXCLUDE`` constraint,
    or a deadlock inside that check when the other row is not committed yet (an
    ``OperationalError``); SQLite raises an IntegrityError whose message is the trigger's
    ``RAISE(ABORT, …)`` text.
    """
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate == _PG_EXCLUSION_VIOLATION:
        return True
    if sqlstate == _PG_DEADLOCK and _EXCLUSION_CHECK in str(exc.orig):
        return True
    return isinstance(exc, IntegrityError) and OVERLAP_CONSTRAINT in str(exc.orig)


def is_refused_row(exc: BaseException) -> bool:
    """True when the database refused the data itself (a constraint, a value out of range),
    as opposed to being unreachable or slow: retrying the same rows cannot help."""
    return isinstance(exc, IntegrityError | DataError)


class WriteRefused(Exception):
    """The database refused a write for a reason the use cases decide on: ``overlap`` (two
    appointments of one staff member), ``unique`` (another unique key, e.g. an idempotency key
    written by a racing request) or ``stale`` (the row changed since it was read)."""

    def __init__(self, kind: Literal["overlap", "unique", "stale"]) -> None:
        super().__init__(f"write refused: {kind}")
        self.kind = kind


@asynccontextmanager
async def refusals() -> AsyncIterator[None]:
    """Translate SQLAlchemy's refusals inside the block into ``WriteRefused``."""
    try:
        yield
    except StaleDataError as exc:
        raise WriteRefused("stale") from exc
    except IntegrityError as exc:
        raise WriteRefused("overlap" if is_overlap_violation(exc) else "unique") from exc
    except OperationalError as exc:
        # Only the deadlock inside the exclusion check is a refusal (a lost race for the time);
        # anything else operational (a dropped connection) is an outage and passes unchanged.
        if is_overlap_violation(exc):
            raise WriteRefused("overlap") from exc
        raise


# The exception types an outage arrives as (for handler registration); ``is_unavailable``
# decides for one instance. A bare ``OSError`` is not among them: SQLAlchemy wraps the
# driver's socket errors, and an ``OSError`` from elsewhere (a file) is no database outage.
DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout)


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or an error it was raised from) says the database cannot be reached
    or cannot serve now — down, a dropped connection, no connection free in time — as opposed
    to a refusal of the data or a bug in our SQL (a ``ProgrammingError``, an
    ``IntegrityError``), which must surface as such (ADR 0016)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OperationalError | InterfaceError | PoolTimeout | OSError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        seen.add(id(current))
        current = current.__cause__
    return False
