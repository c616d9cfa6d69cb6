"""Input rules every channel applies alike: REST, voice, and both databases.

One place decides how long a name may be, what an e-mail address is, which instants a booking
can name and how long a Retell call id can be. The API layer and the voice gateway call these
functions; the database columns are at least as wide as the limits here, so nothing valid is
refused by one database and stored by the other (ADR 0013).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from frontdesk.domain.errors import InvalidEmail, InvalidRequest

MAX_CUSTOMER_NAME = 200  # customer.name
MAX_EMAIL = 254  # customer.email (RFC 5321 path limit)
MAX_NOTES = 2000
MAX_REASON = 200
MAX_SEARCH_TEXT = 100
MAX_CALL_ID = 128  # call.retell_call_id; Retell's ids are 32 hex characters

# The instants a booking, a filter or a call event may name. Wide enough for any real use,
# narrow enough that every zone offset and every day arithmetic stays inside what datetime
# and both databases represent (year 0001 and 9999 are not).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
FIRST_DAY = EARLIEST.date()
LAST_DAY = (LATEST - timedelta(days=1)).date()
# A call's duration is stored as a 32-bit integer of milliseconds (about 24 days).
MAX_DURATION_MS = 2**31 - 1

# C0 controls except tab, newline and carriage return: never part of a name or a note, and
# PostgreSQL refuses NUL in text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str, max_length: int, *, single_line: bool = False) -> str | None:
    """Why ``value`` is not acceptable as stored text, or ``None``."""
    if len(value) > max_length:
        return f"at most {max_length} characters"
    if _CONTROL.search(value) or (single_line and ("\n" in value or "\r" in value)):
        return "control characters are not allowed"
    if _SURROGATE.search(value):
        return "not valid Unicode (lone surrogate)"
    return None


def checked_text(value: str, what: str, max_length: int, *, single_line: bool = False) -> str:
    """``value`` when acceptable, else ``InvalidRequest`` naming ``what``."""
    problem = text_problem(value, max_length, single_line=single_line)
    if problem is not None:
        raise InvalidRequest(f"{what}: {problem}")
    return value


def customer_name(value: str) -> str:
    """A customer's name: stripped, one line, at most ``MAX_CUSTOMER_NAME`` characters."""
    return checked_text(value.strip(), "name", MAX_CUSTOMER_NAME, single_line=True)


def email(value: str | None) -> str | None:
    """A syntactically valid e-mail address (no DNS lookup), normalised; ``None`` stays."""
    if value is None or not value.strip():
        return None
    problem = text_problem(value, MAX_EMAIL, single_line=True)
    if problem is not None:
        raise InvalidEmail(f"email: {problem}")
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(f"email: {exc}") from None


def instant(value: datetime, what: str = "time") -> datetime:
    """``value`` in UTC when it carries an offset and lies in [``EARLIEST``, ``LATEST``)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRequest(f"{what} must carry a UTC offset")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        years = f"{EARLIEST.year} and {LATEST.year - 1}"
        raise InvalidRequest(f"{what} must lie between {years}, got {value.isoformat()}")
    return utc


def bookable_start(value: datetime) -> datetime:
    """A booking's start: an ``instant`` in whole minutes.

    Starts off the service's slot step (10:10 with a 15-minute step) stay bookable on every
    channel, see ``availability.check_start``; seconds are refused on every channel: no caller
    can say them and no calendar shows them.
    """
    utc = instant(value, "start")
    if utc.second or utc.microsecond:
        raise InvalidRequest("start must be a whole minute (no seconds)")
    return utc


def day(value: date, what: str = "date") -> date:
    """A local day in [``FIRST_DAY``, ``LAST_DAY``]."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidRequest(f"{what} must lie between {FIRST_DAY} and {LAST_DAY}")
    return value


def epoch_millis(value: object) -> datetime | None:
    """A Retell timestamp (milliseconds since 1970) as UTC, or ``None`` when it is not a number
    inside [``EARLIEST``, ``LATEST``) — a value Retell never sends is ignored, not stored."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    lo, hi = EARLIEST.timestamp() * 1000, LATEST.timestamp() * 1000
    if not lo <= value < hi:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def duration_millis(value: object) -> int | None:
    """A call's duration in milliseconds, or ``None`` when out of range."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_DURATION_MS else None


def call_id(value: object) -> str | None:
    """A Retell call id as stored, or ``None`` when it cannot be one (empty, too long)."""
    if not isinstance(value, str) or not value:
        return None
    if text_problem(value, MAX_CALL_ID, single_line=True) is not None:
        return None
    return value
