"""Whether an error means "the database cannot serve now": the question the layers above the
database (voice, REST) ask without speaking SQLAlchemy (ADR 0016).

An outage — the server down, a dropped or refused connection, no pooled connection free in
time — is answered in a degraded way (an apology, a 503). Anything else the database raises
(a refused row, a bug in our SQL) is not an outage and must surface as what it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from frontdesk.db.errors import DATABASE_ERRORS, is_unavailable
from frontdesk.observability.logging import get_logger

__all__ = ["DATABASE_ERRORS", "DatabaseOutage", "database_down"]

log = get_logger(__name__)


def database_down(exc: BaseException) -> bool:
    """True when ``exc`` (or the error it was raised from) says the database is unreachable."""
    return is_unavailable(exc)


# While an outage is suspected, one request per this many seconds tries the database.
PROBE_EVERY_S = 1.0


class DatabaseOutage:
    """Per process: whether the database was just found unreachable, so that the voice path
    answers at once instead of waiting for it again (ADR 0016).

    A refused connection fails in milliseconds, but a database that hangs costs every request
    its whole deadline (the connect timeout is 2 s, a hung query only ends at the deadline).
    After one such failure (``failed``) an outage is suspected: ``admit`` lets one request per
    ``PROBE_EVERY_S`` through to the database and turns the others away, to be answered with
    the apology at once; the first request that gets through (``succeeded``) ends it.
    """

    def __init__(
        self, probe_every: float = PROBE_EVERY_S, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._probe_every = probe_every
        self._monotonic = monotonic
        self._next_probe: float | None = None

    @property
    def suspected(self) -> bool:
        return self._next_probe is not None

    def admit(self) -> bool:
        """Whether this request may use the database now (always, unless an outage is
        suspected; then one request per ``probe_every``)."""
        if self._next_probe is None:
            return True
        now = self._monotonic()
        if now < self._next_probe:
            return False
        self._next_probe = now + self._probe_every
        return True

    def failed(self) -> None:
        """The database was found unreachable (or a request's work hung past its deadline)."""
        if self._next_probe is None:
            log.warning("database outage suspected: voice answers at once until it answers")
            self._next_probe = self._monotonic() + self._probe_every

    def succeeded(self) -> None:
        """A request got its answer from the database."""
        if self._next_probe is not None:
            log.info("database answers again")
            self._next_probe = None
