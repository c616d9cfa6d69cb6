"""What the voice endpoints answer while the database is down (ADR 0016): the apology for a
function, and what each answer tells the process's outage tracker."""

from __future__ import annotations

from frontdesk.booking.outage import DatabaseOutage
from frontdesk.failures import speech
from frontdesk.failures.vocabulary import INTEGRATION, INTERNAL_ERROR
from frontdesk.voice.functions import Reply

# Replies that say nothing about the database either way: the work ran out of time, failed
# before it reached the database, another dependency failed, or a bug ended it.
_INCONCLUSIVE = frozenset({"setup_failed", INTERNAL_ERROR, *INTEGRATION}) - {"database_unavailable"}


class DatabaseDown(Exception):
    """The dialled number could not be looked up: the database is unreachable and the number
    is not in the directory's cache. Nobody can be verified; the answer is degraded."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def apology(reason: str) -> Reply:
    """The answer when the call's context could not be loaded in time, or at all. German:
    without the catalogue the tenant's language is unknown, and German is the default.
    ``reason`` is a code of the vocabulary, or ``setup_failed`` (the context was not loaded
    in time: spoken like a timeout)."""
    code = "timeout" if reason == "setup_failed" else reason
    return Reply("error", speech(code, "de"), {"reason": reason})


def judge(outage: DatabaseOutage, reply: Reply) -> None:
    """Tell the outage tracker what a function's answer says about the database."""
    reason = reply.data.get("reason") if reply.status == "error" else None
    if reason == "database_unavailable":
        outage.failed()
    elif reason not in _INCONCLUSIVE:
        outage.succeeded()
