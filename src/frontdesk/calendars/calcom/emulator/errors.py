"""Cal.com's error answers: the envelope every API v2 exception filter writes
(``{status:"error", timestamp, path, error:{code, message, details}}``, calcom.md §1.5) and
the messages of the refusals the emulator reproduces."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse

# apps/api/v2 …/bookings/2024-08-13/services/errors.service.ts (team event types).
HOSTS_UNAVAILABLE = "One of the hosts either already has booking at this time or is not available"
OUT_OF_BOUNDS = (
    "The event type can't be booked at the \"start\" time provided. This could be because it's "
    "too soon (violating the minimum booking notice) or too far in the future (outside the "
    "event's scheduling window). Try fetching available slots first using the GET /v2/slots "
    'endpoint and then make a booking with "start" time set to one of the returned slots.'
)
IN_THE_PAST = "Attempting to book a meeting in the past."
# packages/features/bookings/lib/handleCancelBooking.ts (HttpError 400).
ALREADY_CANCELLED = "This booking has already been cancelled."
THROTTLED = "CustomThrottlerGuard - Too many requests. Please try again later."
SERVER_ERROR = "Internal server error"

_CODES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    422: "UnprocessableEntityException",
    429: "ThrottlerException",
    500: "InternalServerErrorException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class CalcomError(Exception):
    """A refusal the API answers with Cal.com's envelope."""

    def __init__(self, status: int, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def code_for(status: int) -> str:
    return _CODES.get(status, "HttpException" if status < 500 else "InternalServerErrorException")


def envelope(
    status: int, message: str, path: str, now: datetime, details: Any = None
) -> dict[str, Any]:
    """The body; ``details`` defaults to Nest's own error response, as the filter passes it."""
    if details is None:
        details = {"message": message, "error": _REASONS.get(status, ""), "statusCode": status}
    return {
        "status": "error",
        "timestamp": now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "path": path,
        "error": {"code": code_for(status), "message": message, "details": details},
    }


def error_response(
    status: int,
    message: str,
    path: str,
    now: datetime,
    *,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(envelope(status, message, path, now, details), status, headers=headers)
