"""The mirror refresh's pure parts: tiers, backoff, the plan's order, and local days."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.calendars.errors import CalendarUnavailable
from frontdesk.calendars.mirror.plan import (
    BACKOFF_CAP,
    BACKOFF_FIRST,
    DAYS_PER_REQUEST,
    FAR_REFRESH,
    MID_REFRESH,
    NEAR_REFRESH,
    attempts_of,
    backoff,
    by_local_day,
    failure_text,
    local_window,
    outside,
    plan_branch,
    refresh_due,
)
from frontdesk.calendars.port import FreeSlot
from frontdesk.db.repositories.mirror import BranchLink, DayState, MirrorPair
from frontdesk.domain.model import CalendarProvider

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 1, 12, 7, 0, tzinfo=UTC)
TODAY = date(2027, 1, 12)
BRANCH = BranchLink(
    tenant_id=uuid.uuid4(),
    tenant_slug="salon",
    branch_id=uuid.uuid4(),
    timezone="Europe/Berlin",
    provider=CalendarProvider.CALCOM,
    sealed_key=None,
    api_url=None,
    config={},
)


def state(
    day: int,
    *,
    due_in: timedelta = timedelta(minutes=5),
    stale: bool = False,
    fetched: bool = True,
    error: str | None = None,
    host: str = "11",
) -> DayState:
    return DayState(
        event_type="1",
        host=host,
        day=TODAY + timedelta(days=day),
        fetched_at=NOW - timedelta(minutes=1) if fetched else None,
        refresh_after=NOW + due_in,
        stale_since=NOW if stale else None,
        error=error,
    )


def test_freshness_tiers_by_distance_from_today() -> None:
    assert [refresh_due(d, NOW) - NOW for d in (0, 2, 3, 13, 14, 60)] == [
        NEAR_REFRESH,
        NEAR_REFRESH,
        MID_REFRESH,
        MID_REFRESH,
        FAR_REFRESH,
        FAR_REFRESH,
    ]


def test_backoff_doubles_from_thirty_seconds_to_five_minutes() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]
    assert backoff(1) == BACKOFF_FIRST
    assert backoff(1000) == BACKOFF_CAP


def test_the_attempt_count_travels_in_the_error_text() -> None:
    text = failure_text(3, CalendarUnavailable("slow", reason="timeout", maybe_applied=False))
    assert text == "[attempt 3] timeout: slow"
    assert attempts_of(text) == 3
    assert attempts_of(None) == 0
    assert attempts_of("something else") == 0


def test_a_fresh_branch_is_planned_in_runs_of_fourteen_days() -> None:
    fetches = plan_branch(BRANCH, [MirrorPair("1", "11", 30)], [], TODAY, NOW)
    assert [len(f.days) for f in fetches] == [DAYS_PER_REQUEST, DAYS_PER_REQUEST, 3]
    assert fetches[0].days[0] == TODAY
    assert fetches[-1].days[-1] == TODAY + timedelta(days=30)
    assert all(f.seen == dict.fromkeys(f.days) for f in fetches)


def test_only_due_days_are_asked_for_in_contiguous_runs() -> None:
    states = [state(d) for d in range(7)]
    states[2] = state(2, due_in=timedelta(0))
    states[3] = state(3, due_in=-timedelta(minutes=1))
    states[6] = state(6, due_in=-timedelta(minutes=1))
    fetches = plan_branch(BRANCH, [MirrorPair("1", "11", 7)], states, TODAY, NOW)
    assert sorted(f.days for f in fetches) == [
        (TODAY + timedelta(days=2), TODAY + timedelta(days=3)),
        (TODAY + timedelta(days=6), TODAY + timedelta(days=7)),  # day 7 has no row yet
    ]


def test_most_urgent_first_stale_then_never_fetched_then_by_due_time_then_nearer() -> None:
    states = [
        state(1, due_in=-timedelta(minutes=1)),
        state(3, due_in=-timedelta(minutes=9)),
        state(5, due_in=-timedelta(minutes=9)),
        state(7, stale=True, due_in=timedelta(0)),
        state(9, fetched=False, due_in=-timedelta(minutes=1), error="[attempt 2] timeout: x"),
        *[state(d, due_in=timedelta(hours=1)) for d in (0, 2, 4, 6, 8, 10)],
    ]
    fetches = plan_branch(BRANCH, [MirrorPair("1", "11", 10)], states, TODAY, NOW)
    assert [(f.days[0] - TODAY).days for f in fetches] == [7, 9, 3, 5, 1]
    assert fetches[1].attempts == 2


def test_nothing_outside_the_windows_means_no_delete() -> None:
    pairs = [MirrorPair("1", "11", 10)]
    assert outside(pairs, [state(0), state(10)], TODAY) is None
    keep = {("1", "11"): (TODAY, TODAY + timedelta(days=10))}
    assert outside(pairs, [state(-1)], TODAY) == keep
    assert outside(pairs, [state(11)], TODAY) == keep
    assert outside(pairs, [state(0, host="99")], TODAY) == keep


def test_a_window_of_local_days_spans_23_hours_on_the_spring_dst_day() -> None:
    day = date(2027, 3, 28)
    start, end = local_window([day], BERLIN)
    assert start == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    assert end == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    start, end = local_window([date(2027, 10, 31)], BERLIN)
    assert end - start == timedelta(hours=25)


def test_slots_are_keyed_by_their_own_local_day_and_empty_days_are_kept() -> None:
    first, second = date(2027, 3, 27), date(2027, 3, 28)

    def slot(day: date, hour: int, minute: int = 0) -> FreeSlot:
        begin = datetime.combine(day, time(hour, minute), BERLIN)
        return FreeSlot(begin, begin + timedelta(minutes=30))

    found = {
        # keyed by UTC date, as another zone's answer would be
        date(2027, 3, 27): [slot(second, 0, 30), slot(first, 9)],
        date(2027, 3, 29): [slot(date(2027, 3, 29), 9)],  # outside the request: dropped
    }
    result = by_local_day(found, [first, second, date(2027, 3, 30)], BERLIN)
    assert result == {
        first: [["2027-03-27T08:00:00+00:00", "2027-03-27T08:30:00+00:00"]],
        second: [["2027-03-27T23:30:00+00:00", "2027-03-28T00:00:00+00:00"]],
        date(2027, 3, 30): [],
    }
