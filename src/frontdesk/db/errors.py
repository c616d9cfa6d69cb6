"""Recognise database errors that carry domain meaning, on both dialects."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

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
