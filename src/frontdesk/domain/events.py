"""Domain events: facts the booking use cases record, published through the outbox."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Base of all events; ``kind`` is the job kind the outbox stores it under."""

    kind: ClassVar[str] = "event"
    tenant_id: uuid.UUID
    appointment_id: uuid.UUID

    def payload(self) -> dict[str, Any]:
        """JSON-ready payload (UUIDs and datetimes as strings)."""
        return {key: _jsonable(value) for key, value in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class AppointmentBooked(DomainEvent):
    kind: ClassVar[str] = "event.appointment_booked"
    starts_at: datetime
    ends_at: datetime
    staff_id: uuid.UUID
    service_id: uuid.UUID
    customer_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class AppointmentRescheduled(DomainEvent):
    kind: ClassVar[str] = "event.appointment_rescheduled"
    previous_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    staff_id: uuid.UUID
    version: int
    # Who asked, for the audit trail: None is the booking channels' default ("booking").
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class AppointmentCancelled(DomainEvent):
    kind: ClassVar[str] = "event.appointment_cancelled"
    starts_at: datetime
    fee_cents: int
    version: int
    actor: str | None = None


EVENT_KINDS = tuple(
    cls.kind for cls in (AppointmentBooked, AppointmentRescheduled, AppointmentCancelled)
)


def _jsonable(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
