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

    def __init__(self, detail: str, message: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # The same refusal as a German sentence for a person (the web app's settings pages);
        # None where the channel words it itself (voice replies, problem details).
        self.message = message


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


class CallNotFound(NotFound):
    code = "call_not_found"
    title = "Call not found"


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    title = "Customer not found"


class CustomerErased(DomainError):
    """The customer's data was erased on request: nothing left to change or merge."""

    code = "customer_erased"
    status = 409
    title = "Customer data erased"


class SettingNotFound(NotFound):
    """An owner's setting (absence, closure, phone number, branch) that is not this tenant's."""

    code = "setting_not_found"
    title = "Setting not found"


class InvalidPhone(DomainError):
    code = "invalid_phone"
    status = 422
    title = "Invalid phone number"


class InvalidRequest(DomainError):
    code = "validation_error"
    status = 422
    title = "Invalid request"


class InvalidSetting(InvalidRequest):
    """A settings change the rules refuse (overlapping hours, a break outside its window, a
    negative duration, …); ``message`` says why in German. Nothing was written."""

    code = "invalid_setting"
    title = "Invalid setting"

    def __init__(self, detail: str, message: str, field: str | None = None) -> None:
        super().__init__(detail, message)
        self.field = field


class PhoneNumberTaken(InvalidSetting):
    """The number already routes calls (of this tenant or another): numbers are unique."""

    code = "phone_number_taken"
    status = 409
    title = "Phone number already in use"


class InvalidEmail(InvalidRequest):
    code = "invalid_email"
    title = "Invalid e-mail address"


@dataclass(frozen=True, slots=True)
class Alternative:
    """A free slot offered instead of the one asked for."""

    start: datetime
    end: datetime
    staff_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Reason:
    """How one reason a time cannot be booked is reported (HTTP status, title, detail)."""

    status: int
    title: str
    detail: str


# The one table of why a requested time is not bookable: the engine's reasons, ``slot_taken``
# (the database refused a concurrent booking) and ``closed`` (nobody works that whole day).
UNAVAILABLE = {
    "slot_taken": Reason(409, "Slot already taken", "The requested time is already booked."),
    "taken": Reason(409, "Slot already taken", "The requested time is already booked."),
    "outside_hours": Reason(
        422, "Outside opening hours", "Nobody who offers this service works at that time."
    ),
    "closed": Reason(422, "Closed that day", "Nobody who offers this service works that day."),
    "too_soon": Reason(
        422, "Too short notice", "The requested time is inside the service's minimum notice."
    ),
    "beyond_horizon": Reason(
        422, "Too far in the future", "The requested time is beyond the booking horizon."
    ),
    "in_past": Reason(422, "Time in the past", "The requested time is in the past."),
    "staff_cannot_perform": Reason(
        422,
        "Staff member does not offer this service",
        "The requested staff member does not offer this service.",
    ),
    # An outside calendar (Cal.com) has not been read for that day yet: not a "no".
    "calendar_unknown": Reason(
        503,
        "Calendar not readable",
        "The business's calendar could not be read for that day yet; try again shortly.",
    ),
}
_OTHER = Reason(422, "Time not available", "The requested time is not available.")


class SlotUnavailable(DomainError):
    """The requested time cannot be booked; ``code`` is a key of ``UNAVAILABLE``."""

    def __init__(
        self, reason: str, alternatives: Sequence[Alternative] = (), holiday: str | None = None
    ) -> None:
        known = UNAVAILABLE.get(reason, _OTHER)
        detail = f"The branch is closed on that day ({holiday})." if holiday else known.detail
        super().__init__(detail)
        self.code = reason
        self.status = known.status
        self.title = known.title
        self.alternatives = tuple(alternatives)
        self.holiday = holiday


class AlreadyCancelled(DomainError):
    code = "already_cancelled"
    status = 409
    title = "Appointment already cancelled"


class NotChangeable(DomainError):
    code = "not_changeable"
    status = 409
    title = "Appointment can no longer be changed"


class NotBegunYet(NotChangeable):
    """Completed or no-show can be said only once the appointment has begun."""

    code = "not_begun"
    title = "Appointment has not begun yet"


class TooLateToCancel(DomainError):
    code = "too_late_to_cancel"
    status = 409
    title = "Too late to cancel"


class FeeNotAccepted(DomainError):
    """A cancellation that costs a fee the caller has not agreed to yet; nothing was changed."""

    code = "fee_applies"
    status = 409
    title = "Cancellation fee applies"

    def __init__(self, detail: str, fee_cents: int) -> None:
        super().__init__(detail)
        self.fee_cents = fee_cents


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"
    status = 409
    title = "Changed by someone else"
