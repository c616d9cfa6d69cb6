"""How the schedule's actions report a refusal: the use case's ``DomainError`` as a message
key of ``messages.py`` (German first) and the status of the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain.errors import DomainError, SlotUnavailable

# The domain's stable codes that have a sentence of their own; anything else is "refused".
_KNOWN = frozenset(
    {
        "slot_taken",
        "outside_hours",
        "closed",
        "too_soon",
        "beyond_horizon",
        "in_past",
        "staff_cannot_perform",
        "calendar_unknown",
        "already_cancelled",
        "not_changeable",
        "not_begun",
        "too_late_to_cancel",
        "concurrent_update",
        "invalid_phone",
        "invalid_email",
        "validation_error",
        "unknown_service",
        "unknown_staff",
        "customer_not_found",
        "customer_erased",
    }
)


@dataclass(frozen=True, slots=True)
class Refusal:
    key: str
    status: int
    holiday: str | None = None


def refusal(exc: DomainError) -> Refusal:
    """The message key (``action.error.<code>``) and status: 409 for conflicts, 503 while an
    outside calendar is unread, else 422."""
    key = f"action.error.{exc.code}" if exc.code in _KNOWN else "action.error.refused"
    status = exc.status if exc.status in (409, 503) else 422
    holiday = exc.holiday if isinstance(exc, SlotUnavailable) else None
    if holiday:
        key = "action.error.holiday"
    return Refusal(key, status, holiday)
