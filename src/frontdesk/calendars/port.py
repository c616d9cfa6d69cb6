"""The calendar port: what the booking use cases need from the business's calendar.

Implementations: the built-in calendar (our own database is the calendar) and outside
providers (Cal.com now; CalDAV or Google later, each a new module implementing this Protocol
and nothing else). The use cases keep their own database as the system of record and call a
provider only through this interface, with a deadline, and react to the errors of
``frontdesk.calendars.errors`` by meaning:

- ``SlotTaken`` → release the local hold, offer alternatives;
- ``CalendarUnavailable`` → keep the booking ``pending_sync`` and let the outbox finish it;
  if ``maybe_applied``, call ``find`` before writing again (no provider idempotency keys);
- ``CalendarAuthFailed`` / ``CalendarRejected`` / ``CalendarNotFound`` → ``sync_failed`` or
  ``conflict``, shown to the business.

Provider ids (event types, hosts, bookings) are opaque strings here; mapping them to our
services and staff is the connecting step's job, not the port's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from frontdesk.domain.model import CalendarProvider
from frontdesk.resilience.deadline import Deadline


@dataclass(frozen=True, slots=True)
class ProviderLink:
    """What is needed to reach a branch's outside calendar."""

    tenant_id: uuid.UUID
    tenant_slug: str
    provider: CalendarProvider
    sealed_key: str | None
    api_url: str | None
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A start (and end) the provider would accept at the time it was asked."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    time_zone: str
    email: str | None = None
    phone: str | None = None
    language: str = "de"


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """One appointment to write to the provider; ``appointment_id`` travels in its metadata so
    ``find`` can recognise it after a lost answer."""

    appointment_id: uuid.UUID
    event_type: str
    start: datetime
    duration_minutes: int
    attendee: Attendee
    host: str | None = None
    call_id: str | None = None
    source: str = "frontdesk"


@dataclass(frozen=True, slots=True)
class ExternalBooking:
    """The provider's view of a booking. ``hosts`` are provider host ids (who it landed on);
    ``previous_uid`` links a rescheduled booking to the one it replaced."""

    uid: str
    event_type: str | None
    start: datetime
    end: datetime
    status: str
    hosts: tuple[str, ...] = ()
    appointment_id: uuid.UUID | None = None
    previous_uid: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    # The first attendee (the customer), when the provider said who booked.
    attendee: Attendee | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    """A webhook the provider holds for one event type (what ``frontdesk doctor`` compares with
    the subscriptions ``calcom connect`` stored)."""

    id: str
    url: str
    active: bool


class CalendarProbe(Protocol):
    """An authenticated, cheap look at one tenant's outside calendar (``frontdesk doctor``);
    reads only."""

    async def account(self) -> str:
        """Who the stored key authenticates as (never the key); raises ``CalendarError``s."""
        ...

    async def subscriptions(self, event_type: str) -> Sequence[Subscription]:
        """The webhooks subscribed to ``event_type``."""
        ...


class CalendarPort(Protocol):
    """A business's calendar as the booking use cases see it."""

    async def free_slots(
        self,
        event_type: str,
        start: datetime,
        end: datetime,
        *,
        time_zone: str,
        hosts: Sequence[str] = (),
        deadline: Deadline,
    ) -> Mapping[date, Sequence[FreeSlot]]:
        """The availability source: free starts in ``[start, end]`` keyed by local day in
        ``time_zone``, limited to ``hosts`` when the caller wished for someone. Used to fill
        the local mirror ahead of calls, not on the voice hot path."""
        ...

    async def create(self, request: BookingRequest, *, deadline: Deadline) -> ExternalBooking:
        """Write the booking. Raises ``SlotTaken`` when the time is gone; never retried blindly
        after ``CalendarUnavailable(maybe_applied=True)``: ``find`` first."""
        ...

    async def find(
        self,
        appointment_id: uuid.UUID,
        *,
        event_type: str,
        around: datetime,
        deadline: Deadline,
    ) -> ExternalBooking | None:
        """The provider's booking carrying our ``appointment_id``, searched near ``around``
        (its start), or None when the provider holds none."""
        ...

    async def list_bookings(
        self, start: datetime, end: datetime, *, deadline: Deadline
    ) -> Sequence[ExternalBooking]:
        """Every booking of the business starting in ``[start, end)``, in any status (the
        reconciliation's view of the provider; a few paged requests)."""
        ...

    async def cancel(
        self, uid: str, *, reason: str | None = None, deadline: Deadline
    ) -> ExternalBooking:
        """Cancel the provider booking ``uid``; safe to repeat."""
        ...

    async def reschedule(
        self,
        uid: str,
        start: datetime,
        *,
        host: str | None = None,
        reason: str | None = None,
        deadline: Deadline,
    ) -> ExternalBooking:
        """Move the booking; the result may carry a new ``uid`` (``previous_uid`` = ``uid``)."""
        ...


class CalendarPorts(Protocol):
    """Where a use case gets the adapter for a branch's outside calendar (the process's
    ``CalendarProviders``; a fake in tests)."""

    def port(self, link: ProviderLink) -> CalendarPort: ...
