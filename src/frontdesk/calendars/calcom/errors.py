"""Cal.com's answers mapped to the calendar port's errors.

Cal.com API v2 wraps every error as ``{status:"error", timestamp, path, error:{code, message,
details}}``. A taken time is **400** (not 409) with one of a few messages from
``errors.service.ts``; a full seated slot and the idempotency-key clash are 409. A 429 comes
from the throttler with ``X-RateLimit-*`` headers and no ``Retry-After``; the key is then
blocked for 60 s. 498 is Cal.com's "access token expired".
"""

from __future__ import annotations

import httpx

from frontdesk.calendars.errors import (
    CalendarAuthFailed,
    CalendarError,
    CalendarNotFound,
    CalendarRejected,
    CalendarUnavailable,
    RateLimited,
    SlotTaken,
)

# Fragments of the messages and codes Cal.com uses when the time cannot be booked
# (apps/api/v2 …/bookings/2024-08-13/services/errors.service.ts and handleNewBooking).
_TAKEN = (
    "already has booking at this time or is not available",
    "no_available_users_found_error",
    "hosts_unavailable_for_booking",
    "no more seats left",
    "booking_conflict",
)
# Cal.com blocks a key for 60 s after the limit (RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS).
BLOCK_SECONDS = 60.0


def _envelope(response: httpx.Response) -> tuple[str | None, str]:
    """The error code and message, from Cal.com's envelope or a bare Nest error body."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return None, str(body)[:200]
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        return (str(code) if code else None), str(message or code or response.reason_phrase)
    message = body.get("message")
    if isinstance(message, list):
        message = "; ".join(str(m) for m in message)
    return None, str(message or error or response.reason_phrase)


def rate_limit_reset(response: httpx.Response, block_seconds: float = BLOCK_SECONDS) -> float:
    """Seconds until the key may send again: the ``X-RateLimit-Reset-*`` header if it says
    more, never less than Cal.com's block duration (``block_seconds``)."""
    reset = 0.0
    for name, value in response.headers.items():
        if name.lower().startswith("x-ratelimit-reset"):
            try:
                seconds = float(value)
            except ValueError:
                continue
            # Seconds until reset per the throttler; anything implausible is ignored.
            if 0 < seconds <= 3600:
                reset = max(reset, seconds)
    return max(reset, block_seconds)


def error_from_response(
    response: httpx.Response, *, block_seconds: float = BLOCK_SECONDS
) -> CalendarError:
    """The port error for a non-2xx answer (a 429 waits at least ``block_seconds``)."""
    status = response.status_code
    code, message = _envelope(response)
    request_id = response.headers.get("x-request-id")
    meta = {"status": status, "code": code, "request_id": request_id}
    if status == 429:
        return RateLimited(
            message, retry_in=rate_limit_reset(response, block_seconds), request_id=request_id
        )
    if status >= 500:
        return CalendarUnavailable(message, reason="server_error", maybe_applied=True, **meta)
    if status in (401, 403, 498):
        return CalendarAuthFailed(message, **meta)
    if status == 404:
        return CalendarNotFound(message, **meta)
    text = f"{code or ''} {message}".lower()
    if status == 409 or (status in (400, 422) and any(t in text for t in _TAKEN)):
        return SlotTaken(message, **meta)
    return CalendarRejected(message, **meta)
