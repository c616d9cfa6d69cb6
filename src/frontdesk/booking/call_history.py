"""The business's view of its calls: the list (filter by outcome and by day) and one call's
detail (what was said, what the agent did, how fast, and the appointments it touched).

Read-only use cases over the unit of work; results are plain views a page or REST renders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.repositories import call_records
from frontdesk.db.repositories.call_records import DayWindow, LinkRow
from frontdesk.db.tables import Call, CallFunction
from frontdesk.domain.errors import CallNotFound
from frontdesk.domain.model import AppointmentStatus, CallOutcome
from frontdesk.domain.paging import Cursor, Page
from frontdesk.language.phone_search import display


@dataclass(frozen=True, slots=True)
class CallAppointmentView:
    """An appointment a call booked, moved or cancelled (``action``), as it stands now."""

    appointment_id: uuid.UUID
    action: str
    start: datetime
    end: datetime
    status: AppointmentStatus
    service_name: str
    staff_name: str


@dataclass(frozen=True, slots=True)
class CallSummary:
    """One row of the call list."""

    id: uuid.UUID
    at: datetime
    duration_ms: int | None
    caller_number: str | None
    caller_name: str | None
    customer_id: uuid.UUID | None
    status: str | None
    outcome: str | None
    appointments: tuple[CallAppointmentView, ...]


@dataclass(frozen=True, slots=True)
class FunctionCallView:
    """One function the agent ran: what it asked, how long it took, what it was told."""

    name: str
    at: datetime
    arguments: dict[str, Any]
    status: str
    latency_ms: int
    answer: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class CallDetail:
    call: CallSummary
    ended_at: datetime | None
    transcript: str | None
    summary: str | None
    sentiment: str | None
    successful: bool | None
    disconnection_reason: str | None
    functions: tuple[FunctionCallView, ...]
    # When what was said was deleted (retention or erasure); None while it is kept.
    content_deleted_at: datetime | None


async def list_calls(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    *,
    outcome: CallOutcome | None = None,
    day: date | None = None,
    after: Cursor | None = None,
    limit: int = 50,
) -> Page[CallSummary]:
    """The tenant's calls newest first; ``day`` is a local day in each call's branch's zone.
    Ordered and filtered by when frontdesk first heard of the call (``created_at``: never
    missing, unlike Retell's start time, and within a second of it)."""
    async with uow.reading() as session:
        windows = None
        if day is not None:
            tenant_zone, branch_zones = await call_records.zones(session, tenant_id)
            windows = _day_windows(day, tenant_zone, branch_zones)
        page = await call_records.page(
            session,
            tenant_id,
            outcome=outcome.value if outcome not in (None, CallOutcome.NONE) else None,
            no_outcome=outcome is CallOutcome.NONE,
            day=windows,
            after=after,
            limit=limit,
        )
        ids = [call.id for call in page.items]
        names = await call_records.names_of(
            session, tenant_id, {c.customer_id for c in page.items if c.customer_id}
        )
        links = await call_records.links_of(session, tenant_id, ids)
    return page.map(lambda call: _summary(call, names, links))


async def call_detail(uow: UnitOfWork, tenant_id: uuid.UUID, call_id: uuid.UUID) -> CallDetail:
    """One call of the tenant; ``CallNotFound`` for another tenant's or an unknown id."""
    async with uow.reading() as session:
        call = await call_records.get(session, tenant_id, call_id)
        if call is None:
            raise CallNotFound(f"no call {call_id}")
        names = await call_records.names_of(
            session, tenant_id, {call.customer_id} if call.customer_id else set()
        )
        links = await call_records.links_of(session, tenant_id, [call.id])
        functions = await call_records.functions_of(session, tenant_id, call.id)
    return CallDetail(
        call=_summary(call, names, links),
        ended_at=call.ended_at,
        transcript=call.transcript,
        summary=call.summary,
        sentiment=call.sentiment,
        successful=call.successful,
        disconnection_reason=call.disconnection_reason,
        functions=tuple(_function(row) for row in functions),
        content_deleted_at=call.content_deleted_at,
    )


def _day_windows(
    day: date, tenant_zone: str, branch_zones: dict[uuid.UUID, str]
) -> list[DayWindow]:
    """``day`` in each branch's zone (and the tenant's for calls without a branch)."""
    windows = [DayWindow(None, *_bounds(day, tenant_zone))]
    windows += [DayWindow(branch, *_bounds(day, zone)) for branch, zone in branch_zones.items()]
    return windows


def _bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants of the local day's first and the next day's first moment."""
    tz = ZoneInfo(zone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    following = date.fromordinal(day.toordinal() + 1)
    end = datetime(following.year, following.month, following.day, tzinfo=tz)
    return start, end


def _summary(call: Call, names: dict[uuid.UUID, str], links: list[LinkRow]) -> CallSummary:
    name = names.get(call.customer_id) if call.customer_id else None
    return CallSummary(
        id=call.id,
        at=call.started_at or call.created_at,
        duration_ms=call.duration_ms,
        caller_number=display(call.from_number),
        # An erased customer has no name left to show.
        caller_name=name or None,
        customer_id=call.customer_id,
        status=call.call_status,
        outcome=call.outcome,
        appointments=tuple(_link(link) for link in links if link.call_id == call.id),
    )


def _link(link: LinkRow) -> CallAppointmentView:
    row = link.appointment
    return CallAppointmentView(
        appointment_id=row.id,
        action=link.action,
        start=row.starts_at,
        end=row.ends_at,
        status=row.status,
        service_name=link.service_name,
        staff_name=link.staff_name,
    )


def _function(row: CallFunction) -> FunctionCallView:
    return FunctionCallView(
        name=row.name,
        at=row.created_at,
        arguments=dict(row.arguments or {}),
        status=row.status,
        latency_ms=row.latency_ms,
        answer=row.answer,
        error=row.error,
    )
