"""Whether an error means "the database cannot serve now": the question the layers above the
database (voice, REST) ask without speaking SQLAlchemy (ADR 0016).

An outage — the server down, a dropped or refused connection, no pooled connection free in
time — is answered in a degraded way (an apology, a 503). Anything else the database raises
(a refused row, a bug in our SQL) is not an outage and must surface as what it is.
"""

from __future__ import annotations

from frontdesk.db.errors import DATABASE_ERRORS, is_unavailable

__all__ = ["DATABASE_ERRORS", "database_down"]


def database_down(exc: BaseException) -> bool:
    """True when ``exc`` (or the error it was raised from) says the database is unreachable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if is_unavailable(current):
            return True
        seen.add(id(current))
        current = current.__cause__
    return False
