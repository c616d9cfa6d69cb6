"""What a calendar provider's refusal or failure means to the booking use cases.

Provider adapters raise only these, so a use case decides by meaning, never by HTTP status:
a taken time gets alternatives, an unavailable provider gets ``pending_sync`` (and, when the
write may have happened, a look-up before any retry), a bad key gets the business told.
Messages are the provider's own and safe to log; they never contain the API key.
"""

from __future__ import annotations


class CalendarError(Exception):
    """Base of every provider failure. ``status``/``code``/``request_id`` when the provider
    answered (for logs and support tickets)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id


class SlotTaken(CalendarError):
    """The provider refused the time: booked meanwhile, or no host free then."""


class CalendarAuthFailed(CalendarError):
    """The key is wrong, expired or lacks the rights (e.g. not an admin of the team)."""


class CalendarNotFound(CalendarError):
    """The booking, event type or team does not exist (for this key)."""


class CalendarRejected(CalendarError):
    """Any other refusal of the request as sent (validation, out of bounds): do not retry."""


class CalendarUnavailable(CalendarError):
    """The provider could not be asked or did not answer usefully: try again later.

    ``maybe_applied`` is true when a write may have taken effect although no success was seen
    (a timeout after sending, a 5xx): the caller must look the booking up before writing again.
    ``reason`` names the cause: ``timeout``, ``connect``, ``server_error``, ``breaker_open``,
    ``rate_budget``, ``rate_limited``, ``deadline``.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        maybe_applied: bool,
        retry_in: float | None = None,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, request_id=request_id)
        self.reason = reason
        self.maybe_applied = maybe_applied
        self.retry_in = retry_in


class RateLimited(CalendarUnavailable):
    """The provider answered 429: the key is blocked for ``retry_in`` seconds.

    The provider's throttler refuses before handling the request, so nothing was applied.
    """

    def __init__(self, message: str, *, retry_in: float, request_id: str | None = None) -> None:
        super().__init__(
            message,
            reason="rate_limited",
            maybe_applied=False,
            retry_in=retry_in,
            status=429,
            code="rate_limited",
            request_id=request_id,
        )
