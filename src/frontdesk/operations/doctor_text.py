"""How ``frontdesk doctor`` words a failure: one short line, without the SQL, a URL's password
or a traceback."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

MAX_ERROR_TEXT = 200


class CheckTimedOut(Exception):
    """A check gave no answer within its time."""


def describe(exc: BaseException) -> str:
    """One short line about a failure, without the SQL or a URL's password: the driver's own
    message for database errors, else the exception's."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    line = f"{name}: {text}" if text and not isinstance(exc, CheckTimedOut) else text or name
    return line[:MAX_ERROR_TEXT]
