"""The availability mirror's rows: a provider host's free starts per event type and local day."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import CalendarMirrorDay


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
    session: AsyncSession, branch_id: uuid.UUID, days: Iterable[date], now: datetime
) -> None:
    """A webhook or our own write touched these days: refresh them at once (their slots stay
    readable meanwhile, with our own bookings subtracted by the search)."""
    wanted = sorted(set(days))
    if not wanted:
        return
    await session.execute(
        update(CalendarMirrorDay)
        .where(CalendarMirrorDay.branch_id == branch_id, CalendarMirrorDay.day.in_(wanted))
        .values(refresh_after=now)
    )
    await session.execute(
        update(CalendarMirrorDay)
        .where(
            CalendarMirrorDay.branch_id == branch_id,
            CalendarMirrorDay.day.in_(wanted),
            CalendarMirrorDay.stale_since.is_(None),
        )
        .values(stale_since=now)
    )
