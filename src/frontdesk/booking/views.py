"""What the booking use cases return: plain values, independent of HTTP and of the ORM."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from frontdesk.db.tables import Appointment
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, SyncState


@dataclass(frozen=True, slots=True)
class SlotView:
    start: datetime
    end: datetime
    staff_id: uuid.UUID
    staff_name: str
    service_id: uuid.UUID
    service_name: str


@dataclass(frozen=True, slots=True)
class SlotSearch:
    """Free slots of a search and the local days it covered (``first_day`` resolved in the
    branch's zone when the caller left it open)."""

    first_day: date
    days: int
    slots: list[SlotView]
    # Outside calendars: when the provider's free times used were fetched (the oldest), and
    # the days of which nothing is known yet (never fetched).
    as_of: datetime | None = None
    unknown_days: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class TimeCheck:
    """One asked-for start: ``slot`` when it is free; otherwise ``reason`` (``in_past``,
    ``too_soon``, ``beyond_horizon``, ``staff_cannot_perform``, ``outside_hours``, ``taken``,
    ``closed`` with ``holiday`` named when that is why, or ``calendar_unknown`` when the
    business's outside calendar has not been read for that day yet), up to three ``options``
    instead and ``last_day``, the last local day that can be booked now; ``as_of`` when the
    outside calendar's free times used were fetched."""

    requested: datetime
    slot: SlotView | None
    reason: str | None
    holiday: str | None
    options: list[SlotView]
    last_day: date | None = None
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class PeriodCheck:
    """Options for a period: ``inside`` it, else the nearest ones; ``closed`` (and the
    ``holiday``) when the period is one day on which nobody offering the service works."""

    inside: bool
    options: list[SlotView]
    closed: bool = False
    holiday: str | None = None
    # Outside calendar: none of the period's days has been read from it yet.
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class AppointmentView:
    id: uuid.UUID
    start: datetime
    end: datetime
    status: AppointmentStatus
    staff_id: uuid.UUID
    service_id: uuid.UUID
    customer_id: uuid.UUID
    branch_id: uuid.UUID
    source: AppointmentSource
    sync_state: SyncState
    external_uid: str | None
    version: int
    notes: str | None
    cancellation_fee_cents: int | None
    cancelled_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: Appointment) -> AppointmentView:
        return cls(
            id=row.id,
            start=row.starts_at,
            end=row.ends_at,
            status=row.status,
            staff_id=row.staff_id,
            service_id=row.service_id,
            customer_id=row.customer_id,
            branch_id=row.branch_id,
            source=row.source,
            sync_state=row.sync_state,
            external_uid=row.external_uid,
            version=row.version,
            notes=row.notes,
            cancellation_fee_cents=row.cancellation_fee_cents,
            cancelled_at=row.cancelled_at,
            created_at=row.created_at,
        )


@dataclass(frozen=True, slots=True)
class BookingOutcome:
    """A booked appointment; ``duplicate`` when it already existed (same customer, time, service
    or same idempotency key) and nothing new was written; ``replayed`` when that existing one
    carries this request's idempotency key (a retry of the same request, possibly cancelled
    since)."""

    appointment: AppointmentView
    duplicate: bool = False
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class CancellationOutcome:
    appointment: AppointmentView
    fee_cents: int


@dataclass(frozen=True, slots=True)
class KnownCaller:
    """A customer found by phone number, with their next active appointment if any."""

    customer_id: uuid.UUID
    name: str
    next_starts_at: datetime | None
    next_service_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class TenantOutline:
    """A tenant's name, language and zone with the names of its active services and staff
    (each once, in catalogue order): what the voice agent's configuration is built from."""

    slug: str
    name: str
    locale: str
    timezone: str
    services: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    retell_api_key: str | None = field(default=None, repr=False)
