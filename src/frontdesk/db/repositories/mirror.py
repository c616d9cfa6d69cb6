"""The availability mirror's rows: a provider host's free starts per event type and local day.

Readers: ``load_days`` (the searches). Writers: ``mark_stale`` (a booking or webhook touched
days) and the refresh job (``store_fetched``, ``record_failure``, the deletes). Lock order of
writers on PostgreSQL: ``booking_day`` rows before mirror rows — a booking bumps its days and
then marks them stale, and the refresh job bumps the days whose slots changed before it writes
them — so the two never wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import (
    Branch,
    CalendarMirrorDay,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
)
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import CalendarProvider


@dataclass(frozen=True, slots=True)
class MirrorDay:
    event_type: str
    host: str
    day: date
    slots: tuple[tuple[datetime, datetime], ...]
    fetched_at: datetime | None
    stale_since: datetime | None


def _slots(raw: list[list[str]]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in raw)


async def load_days(
    session: AsyncSession, branch_id: uuid.UUID, first: date, last: date
) -> list[MirrorDay]:
    """Every mirrored (event type, host) of the branch's local days ``first..last``."""
    rows = await session.execute(
        select(
            CalendarMirrorDay.event_type,
            CalendarMirrorDay.host,
            CalendarMirrorDay.day,
            CalendarMirrorDay.slots,
            CalendarMirrorDay.fetched_at,
            CalendarMirrorDay.stale_since,
        ).where(
            CalendarMirrorDay.branch_id == branch_id,
            CalendarMirrorDay.day >= first,
            CalendarMirrorDay.day <= last,
        )
    )
    return [
        MirrorDay(r.event_type, r.host, r.day, _slots(r.slots), r.fetched_at, r.stale_since)
        for r in rows
    ]


async def mark_stale(
    session: AsyncSession,
    branch_id: uuid.UUID,
    days: Iterable[date],
    now: datetime,
    hosts: Collection[str] | None = None,
) -> None:
    """A webhook or our own write touched these days (of these ``hosts`` only, when known: a
    booking takes its host's time for every event type, and nobody else's): refresh them at
    once (their slots stay readable meanwhile, with our own bookings subtracted)."""
    wanted = sorted(set(days))
    if not wanted or (hosts is not None and not hosts):
        return
    where = [CalendarMirrorDay.branch_id == branch_id, CalendarMirrorDay.day.in_(wanted)]
    if hosts is not None:
        where.append(CalendarMirrorDay.host.in_(sorted(hosts)))
    await session.execute(update(CalendarMirrorDay).where(*where).values(refresh_after=now))
    await session.execute(
        update(CalendarMirrorDay)
        .where(*where, CalendarMirrorDay.stale_since.is_(None))
        .values(stale_since=now)
    )


# --- the refresh job's side -------------------------------------------------------------------

Slots = list[list[str]]


@dataclass(frozen=True, slots=True)
class BranchLink:
    """A branch on an outside calendar and what reaching it takes (its tenant's key)."""

    tenant_id: uuid.UUID
    tenant_slug: str
    branch_id: uuid.UUID
    timezone: str
    provider: CalendarProvider
    sealed_key: str | None
    api_url: str | None
    config: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MirrorPair:
    """One (event type, host) a branch mirrors, with the longest horizon of its services."""

    event_type: str
    host: str
    horizon_days: int


@dataclass(frozen=True, slots=True)
class DayState:
    """A mirror row without its slots: what the refresh plan needs."""

    event_type: str
    host: str
    day: date
    fetched_at: datetime | None
    refresh_after: datetime
    stale_since: datetime | None
    error: str | None


async def links(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None = None,
    branch_id: uuid.UUID | None = None,
) -> list[BranchLink]:
    """Every branch whose calendar is outside (optionally one tenant's, or one branch)."""
    stmt = (
        select(
            Tenant.id,
            Tenant.slug,
            Tenant.calcom_api_key,
            Tenant.calcom_api_url,
            Branch.id.label("branch_id"),
            Branch.timezone,
            Branch.calendar_provider,
            Branch.calendar_config,
        )
        .join(Tenant, Tenant.id == Branch.tenant_id)
        .where(Branch.calendar_provider != CalendarProvider.BUILTIN)
        .order_by(Tenant.slug, Branch.id)
    )
    if tenant_id is not None:
        stmt = stmt.where(Branch.tenant_id == tenant_id)
    if branch_id is not None:
        stmt = stmt.where(Branch.id == branch_id)
    return [
        BranchLink(
            tenant_id=r.id,
            tenant_slug=r.slug,
            branch_id=r.branch_id,
            timezone=r.timezone,
            provider=CalendarProvider(r.calendar_provider),
            sealed_key=r.calcom_api_key,
            api_url=r.calcom_api_url,
            config=dict(r.calendar_config or {}),
        )
        for r in await session.execute(stmt)
    ]


async def pairs(session: AsyncSession, branch_id: uuid.UUID) -> list[MirrorPair]:
    """The (event type, host) pairs to mirror: each active service with a provider event type
    × each active staff member with a provider user id who performs it."""
    stmt = (
        select(
            Service.calcom_event_type_id,
            Staff.calcom_user_id,
            func.max(Service.horizon_days).label("horizon_days"),
        )
        .join(ServiceStaff, ServiceStaff.service_id == Service.id)
        .join(Staff, Staff.id == ServiceStaff.staff_id)
        .where(
            Service.branch_id == branch_id,
            Service.active,
            Service.calcom_event_type_id.is_not(None),
            Staff.active,
            Staff.calcom_user_id.is_not(None),
        )
        .group_by(Service.calcom_event_type_id, Staff.calcom_user_id)
        .order_by(Service.calcom_event_type_id, Staff.calcom_user_id)
    )
    return [MirrorPair(str(et), str(host), int(h)) for et, host, h in await session.execute(stmt)]


async def day_states(session: AsyncSession, branch_id: uuid.UUID) -> list[DayState]:
    """Every mirror row of the branch, without its slots (the plan reads these every run)."""
    rows = await session.execute(
        select(
            CalendarMirrorDay.event_type,
            CalendarMirrorDay.host,
            CalendarMirrorDay.day,
            CalendarMirrorDay.fetched_at,
            CalendarMirrorDay.refresh_after,
            CalendarMirrorDay.stale_since,
            CalendarMirrorDay.error,
        ).where(CalendarMirrorDay.branch_id == branch_id)
    )
    return [DayState(*row) for row in rows]


def _of_pair(branch_id: uuid.UUID, event_type: str, host: str) -> tuple[Any, ...]:
    return (
        CalendarMirrorDay.branch_id == branch_id,
        CalendarMirrorDay.event_type == event_type,
        CalendarMirrorDay.host == host,
    )


async def changed_days(
    session: AsyncSession,
    branch_id: uuid.UUID,
    event_type: str,
    host: str,
    slots: Mapping[date, Slots],
) -> list[date]:
    """The days of ``slots`` whose stored slots differ (or that were never fetched)."""
    rows = await session.execute(
        select(CalendarMirrorDay.day, CalendarMirrorDay.slots, CalendarMirrorDay.fetched_at).where(
            *_of_pair(branch_id, event_type, host), CalendarMirrorDay.day.in_(sorted(slots))
        )
    )
    known = {day: stored for day, stored, fetched_at in rows if fetched_at is not None}
    return sorted(day for day, new in slots.items() if known.get(day) != new)


async def store_fetched(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    branch_id: uuid.UUID,
    event_type: str,
    host: str,
    slots: Mapping[date, Slots],
    refresh_after: Mapping[date, datetime],
    seen: Mapping[date, datetime | None],
    fetched_at: datetime,
) -> None:
    """Write freshly fetched days (the caller bumped the changed days' versions first).

    ``seen`` is each day's ``refresh_after`` when the fetch was planned (None: no row). A day
    whose ``refresh_after`` moved since then was marked stale while the request was in flight
    (or refreshed by a concurrent run): it gets the new slots but keeps its ``stale_since`` and
    ``refresh_after``, so it is fetched again. A row fetched later than ``fetched_at`` (by a
    concurrent run) is not overwritten with older slots.
    """
    rows: list[dict[str, Any]] = [
        {
            "branch_id": branch_id,
            "event_type": event_type,
            "host": host,
            "day": day,
            "tenant_id": tenant_id,
            "slots": day_slots,
            "fetched_at": fetched_at,
            "refresh_after": refresh_after[day],
            "stale_since": None,
            "error": None,
        }
        for day, day_slots in sorted(slots.items())
    ]
    stmt = insert_on_conflict(session, CalendarMirrorDay).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[
            CalendarMirrorDay.branch_id,
            CalendarMirrorDay.event_type,
            CalendarMirrorDay.host,
            CalendarMirrorDay.day,
        ],
        set_={
            "slots": stmt.excluded.slots,
            "fetched_at": stmt.excluded.fetched_at,
            "error": None,
        },
        where=CalendarMirrorDay.fetched_at.is_(None)
        | (CalendarMirrorDay.fetched_at <= stmt.excluded.fetched_at),
    )
    await session.execute(stmt)
    # Clear staleness only where nothing happened since the plan: one UPDATE per distinct
    # (seen, next refresh) pair, which is one to three per request.
    groups: dict[tuple[datetime, datetime], list[date]] = {}
    for day in sorted(slots):
        before = seen.get(day)
        if before is not None:
            groups.setdefault((before, refresh_after[day]), []).append(day)
    for (before, after), days in groups.items():
        await session.execute(
            update(CalendarMirrorDay)
            .where(
                *_of_pair(branch_id, event_type, host),
                CalendarMirrorDay.day.in_(days),
                CalendarMirrorDay.refresh_after == before,
            )
            .values(refresh_after=after, stale_since=None)
        )


async def record_failure(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    branch_id: uuid.UUID,
    event_type: str,
    host: str,
    days: Sequence[date],
    error: str,
    refresh_after: datetime,
) -> None:
    """A fetch of these days failed: keep their slots (served stale), note the error and when
    to try again. Days never fetched get a row without slots (``fetched_at`` None), so the
    backoff holds for them too."""
    rows: list[dict[str, Any]] = [
        {
            "branch_id": branch_id,
            "event_type": event_type,
            "host": host,
            "day": day,
            "tenant_id": tenant_id,
            "slots": [],
            "fetched_at": None,
            "refresh_after": refresh_after,
            "stale_since": None,
            "error": error[:500],
        }
        for day in sorted(set(days))
    ]
    stmt = insert_on_conflict(session, CalendarMirrorDay).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[
            CalendarMirrorDay.branch_id,
            CalendarMirrorDay.event_type,
            CalendarMirrorDay.host,
            CalendarMirrorDay.day,
        ],
        set_={"error": stmt.excluded.error, "refresh_after": stmt.excluded.refresh_after},
    )
    await session.execute(stmt)


async def delete_outside(
    session: AsyncSession,
    branch_id: uuid.UUID,
    keep: Mapping[tuple[str, str], tuple[date, date]],
) -> int:
    """Delete the branch's rows of pairs not in ``keep`` and of days outside each kept pair's
    ``(first, last)`` (past days, days beyond a shortened horizon). Returns rows deleted."""
    present = await session.execute(
        select(CalendarMirrorDay.event_type, CalendarMirrorDay.host)
        .where(CalendarMirrorDay.branch_id == branch_id)
        .distinct()
    )
    deleted = 0
    for event_type, host in present.all():
        window = keep.get((event_type, host))
        stmt = delete(CalendarMirrorDay).where(*_of_pair(branch_id, event_type, host))
        if window is not None:
            stmt = stmt.where(
                (CalendarMirrorDay.day < window[0]) | (CalendarMirrorDay.day > window[1])
            )
        result = await session.execute(stmt)
        deleted += _rowcount(result)
    return deleted


def _builtin_branches() -> Any:
    return select(Branch.id).where(Branch.calendar_provider == CalendarProvider.BUILTIN)


async def any_unmirrored(session: AsyncSession) -> bool:
    """Whether a branch back on the built-in calendar still has mirror rows (an index look-up
    per such branch: the mirror's key starts with ``branch_id``)."""
    found = await session.execute(
        select(CalendarMirrorDay.branch_id)
        .where(CalendarMirrorDay.branch_id.in_(_builtin_branches()))
        .limit(1)
    )
    return found.first() is not None


async def delete_unmirrored(session: AsyncSession) -> int:
    """Delete the rows of branches that went back to the built-in calendar."""
    result = await session.execute(
        delete(CalendarMirrorDay).where(CalendarMirrorDay.branch_id.in_(_builtin_branches()))
    )
    return _rowcount(result)


def _rowcount(result: Any) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if count and count > 0 else 0
