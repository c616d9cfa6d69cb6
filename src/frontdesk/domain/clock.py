"""The one clock of the system (DESIGN §1.8).

Every reading of "now" goes through a ``Clock`` that is created once at the edge of a process (the
app factory, ``frontdesk worker``, the CLI) and passed down to use cases, the job queue and worker,
the voice layer and — through the session factory — the repositories. ``system_clock`` is the only
place that reads the wall clock; tests inject a clock of their own and never depend on the date
the suite happens to run on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A function returning the current instant as an aware UTC datetime."""


def system_clock() -> datetime:
    """The wall clock as an aware UTC datetime: the production ``Clock``."""
    return datetime.now(UTC)
