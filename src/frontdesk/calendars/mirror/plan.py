"""What the mirror should fetch next: pure planning, no I/O.

What is mirrored: each active service with a provider event type × each active staff member
with a provider user id who performs it, for the branch's local days today .. today + the
longest horizon of the pair's services. One request per pair and contiguous run of due days
(at most ``DAYS_PER_REQUEST``), most urgent first: days marked stale, then days never fetched,
then by ``refresh_after``, nearer days first. A day is due again after a time that grows with
its distance (``NEAR_REFRESH``, ``MID_REFRESH``, ``FAR_REFRESH``): callers mostly ask for the
next days, and a slot taken far ahead is caught by the provider's refusal at booking time.
A failed request's days wait ``BACKOFF_FIRST`` doubling to ``BACKOFF_CAP``, the attempt count
kept in the row's error text. The provider's answer is filed by each slot's own local day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from frontdesk.calendars.errors import CalendarError
from frontdesk.calendars.port import FreeSlot
from frontdesk.db.repositories.mirror import BranchLink, DayState, MirrorPair, Slots

# Freshness tiers by distance from today (branch zone): days 0-2, 3-13, the rest.
NEAR_DAYS = 3
MID_DAYS = 14
NEAR_REFRESH = timedelta(minutes=2)
MID_REFRESH = timedelta(minutes=10)
FAR_REFRESH = timedelta(minutes=60)

# Longer ranges make Cal.com's answer slow; 14 days keeps one request well under a second.
DAYS_PER_REQUEST = 14

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=5)

_ATTEMPT = re.compile(r"^\[attempt (\d+)\]")


@dataclass(frozen=True, slots=True)
class Fetch:
    """One request to plan: a pair's contiguous run of due days."""

    branch: BranchLink
    event_type: str
    host: str
    days: tuple[date, ...]
    today: date
    # Each day's refresh_after when planned (None: no row yet), to notice marks in flight.
    seen: Mapping[date, datetime | None]
    attempts: int
    urgency: tuple[int, float, int]


def refresh_due(offset: int, now: datetime) -> datetime:
    """When a day ``offset`` days from today is due again after a successful fetch."""
    if offset < NEAR_DAYS:
        return now + NEAR_REFRESH
    if offset < MID_DAYS:
        return now + MID_REFRESH
    return now + FAR_REFRESH


def backoff(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failure in a row: 30 s, 60 s, 2 min, 4 min, then 5 min."""
    doublings = min(max(0, attempt - 1), 10)
    return min(BACKOFF_CAP, BACKOFF_FIRST * (1 << doublings))


def attempts_of(error: str | None) -> int:
    """Failures in a row recorded in a row's error text (0 when it has none)."""
    match = _ATTEMPT.match(error or "")
    return int(match.group(1)) if match else 0


def failure_text(attempt: int, exc: CalendarError) -> str:
    reason = getattr(exc, "reason", None) or type(exc).__name__
    return f"[attempt {attempt}] {reason}: {exc.message}"


def _urgency(state: DayState | None, offset: int) -> tuple[int, float, int]:
    if state is not None and state.stale_since is not None:
        return (0, 0.0, offset)
    if state is None or state.fetched_at is None:
        return (1, 0.0, offset)
    return (2, state.refresh_after.timestamp(), offset)


def _runs(days: Sequence[date]) -> Iterator[tuple[date, ...]]:
    """Contiguous runs of ``days`` (sorted), each at most ``DAYS_PER_REQUEST`` long."""
    for _, group in groupby(enumerate(days), key=lambda item: item[1].toordinal() - item[0]):
        run = tuple(day for _, day in group)
        for i in range(0, len(run), DAYS_PER_REQUEST):
            yield run[i : i + DAYS_PER_REQUEST]


def plan_branch(
    branch: BranchLink,
    pairs: Sequence[MirrorPair],
    states: Sequence[DayState],
    today: date,
    now: datetime,
) -> list[Fetch]:
    """The requests that would bring the branch's mirror up to date, most urgent first."""
    known = {(s.event_type, s.host, s.day): s for s in states}
    fetches: list[Fetch] = []
    for pair in pairs:
        window = [today + timedelta(days=i) for i in range(pair.horizon_days + 1)]
        due = [
            day
            for day in window
            if (state := known.get((pair.event_type, pair.host, day))) is None
            or state.refresh_after <= now
        ]
        for days in _runs(due):
            of_days = [known.get((pair.event_type, pair.host, day)) for day in days]
            fetches.append(
                Fetch(
                    branch=branch,
                    event_type=pair.event_type,
                    host=pair.host,
                    days=days,
                    today=today,
                    seen={
                        day: None if s is None else s.refresh_after
                        for day, s in zip(days, of_days, strict=True)
                    },
                    attempts=max(attempts_of(s.error) if s else 0 for s in of_days),
                    urgency=min(
                        _urgency(s, (day - today).days)
                        for day, s in zip(days, of_days, strict=True)
                    ),
                )
            )
    return sorted(fetches, key=lambda f: f.urgency)


def outside(
    pairs: Sequence[MirrorPair], states: Sequence[DayState], today: date
) -> dict[tuple[str, str], tuple[date, date]] | None:
    """Each kept pair's window of days, or None when no row lies outside them (nothing to
    delete: the common case, decided without a write)."""
    keep = {(p.event_type, p.host): (today, today + timedelta(days=p.horizon_days)) for p in pairs}
    for state in states:
        window = keep.get((state.event_type, state.host))
        if window is None or not window[0] <= state.day <= window[1]:
            return keep
    return None


def local_window(days: Sequence[date], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants from the first day's local midnight to the midnight after the last day
    (23, 24 or 25 hours per day around a DST change)."""
    start = datetime.combine(days[0], time(0), zone).astimezone(UTC)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def by_local_day(
    found: Mapping[date, Sequence[FreeSlot]], days: Sequence[date], zone: ZoneInfo
) -> dict[date, Slots]:
    """The slots of each requested day, keyed by the slot's own local day in the branch zone
    (the provider's keys can be UTC days or another zone's); every day present, empty when
    none (a fully booked or closed day is knowledge too)."""
    result: dict[date, Slots] = {day: [] for day in days}
    seen: set[tuple[str, str]] = set()
    for slot in sorted((s for slots in found.values() for s in slots), key=lambda s: s.start):
        day = slot.start.astimezone(zone).date()
        pair = (_utc_text(slot.start), _utc_text(slot.end))
        if day in result and pair not in seen:
            seen.add(pair)
            result[day].append(list(pair))
    return result


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
