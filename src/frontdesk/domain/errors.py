"""Business errors with stable codes; the API layer maps them to problem details or speech."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


class DomainError(Exception):
    """A request the business rules refuse. ``code`` is stable and part of the API contract."""

    code: str = "domain_error"
    status: int = 400
    title: str = "Request refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class UnknownService(NotFound):
    code = "unknown_service"
    title = "Unknown service"


class UnknownStaff(NotFound):
    code = "unknown_staff"
    title = "Unknown staff member"


class AppointmentNotFound(NotFound):
    code = "appointment_not_found"
    title = "Appointment not found"


class InvalidPhone(DomainError):
    code = "invalid_phone"
    status = 422
    title = "Invalid phone number"


class InvalidRequest(DomainError):
    code = "validation_error"
    status = 422
    title = "Invalid request"


class InvalidEmail(InvalidRequest):
    code = "invalid_email"
    title = "Invalid e-mail address"


@dataclass(frozen=True, slots=True)
class Alternative:
    """A free slot offered instead of the one asked for."""

    start: datetime
    end: datetime
    staff_id: uuid.UUID


class SlotUnavailable(DomainError):
    """The requested time cannot be booked; ``code`` is the engine's reason or ``slot_taken``."""

    def __init__(
        self,
        reason: str,
        detail: str,
        alternatives: Sequence[Alternative] = (),
        holiday: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = reason
        self.status = 409 if reason == "slot_taken" else 422
        self.title = _TITLES.get(reason, "Time not available")
        self.alternatives = tuple(alternatives)
        self.holiday = holiday


_TITLES = {
    "slot_taken": "Slot already taken",
    "outside_hours": "Outside opening hours",
    "too_soon": "Too short notice",
    "beyond_horizon": "Too far in the future",
    "in_past": "Time in the past",
    "staff_cannot_perform": "Staff member does not offer this service",
}


class AlreadyCancelled(DomainError):
    code = "already_cancelled"
    status = 409
    title = "Appointment already cancelled"


class NotChangeable(DomainError):
    code = "not_changeable"
    status = 409
    title = "Appointment can no longer be changed"


class TooLateToCancel(DomainError):
    code = "too_late_to_cancel"
    status = 409
    title = "Too late to cancel"


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"
    status = 409
    title = "Changed by someone else"
