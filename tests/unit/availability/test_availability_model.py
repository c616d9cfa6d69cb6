"""Validation of the engine's value objects: bad input fails where it is built, not mid-search."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.availability import (
    BranchRules,
    DaySchedule,
    Interval,
    ServiceRules,
    StaffCalendar,
    check_start,
    find_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2026, 6, 9, 12, tzinfo=UTC)


def test_interval_is_half_open_utc_and_non_empty() -> None:
    Interval(NOON, NOON + timedelta(minutes=1))
    with pytest.raises(ValueError, match="before end"):
        Interval(NOON, NOON)
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(NOON.replace(tzinfo=None), NOON + timedelta(hours=1))
    with pytest.raises(ValueError, match="UTC"):
        Interval(NOON.astimezone(BERLIN), NOON + timedelta(hours=1))


def test_day_schedule_rejects_impossible_windows() -> None:
    with pytest.raises(ValueError, match="weekday"):
        DaySchedule(7, time(9), time(17))
    with pytest.raises(ValueError, match="start before it ends"):
        DaySchedule(1, time(18), time(9))
    with pytest.raises(ValueError, match="break"):
        DaySchedule(1, time(9), time(17), breaks=((time(13), time(12)),))
    with pytest.raises(ValueError, match="naive"):
        DaySchedule(1, time(9, tzinfo=UTC), time(17))


def test_service_and_branch_reject_non_positive_lengths() -> None:
    service = ServiceRules(
        service_id=uuid.uuid4(),
        duration=timedelta(minutes=30),
        buffer_before=timedelta(0),
        buffer_after=timedelta(0),
        min_notice=timedelta(0),
        horizon=timedelta(days=1),
        staff_ids=frozenset(),
    )
    with pytest.raises(ValueError, match="duration"):
        replace(service, duration=timedelta(0))
    with pytest.raises(ValueError, match="buffer_after"):
        replace(service, buffer_after=timedelta(minutes=-5))
    with pytest.raises(ValueError, match="horizon"):
        replace(service, horizon=timedelta(0))
    with pytest.raises(ValueError, match="slot_step"):
        BranchRules(tz=BERLIN, state="BE", closures=(), slot_step=timedelta(0))


def test_derived_span_indexes_follow_replace_and_do_not_affect_equality() -> None:
    busy = Interval(NOON, NOON + timedelta(hours=1))
    calendar = StaffCalendar(uuid.UUID(int=1), "Anna", (), busy=(busy, busy))
    assert len(calendar.busy_spans) == 1
    assert replace(calendar, busy=()).busy_spans == ()
    assert calendar == StaffCalendar(uuid.UUID(int=1), "Anna", (), busy=(busy, busy))


def test_a_naive_now_or_start_is_refused() -> None:
    branch = BranchRules(tz=BERLIN, state="BE", closures=(), slot_step=timedelta(minutes=15))
    service = ServiceRules(
        service_id=uuid.uuid4(),
        duration=timedelta(minutes=30),
        buffer_before=timedelta(0),
        buffer_after=timedelta(0),
        min_notice=timedelta(0),
        horizon=timedelta(days=1),
        staff_ids=frozenset(),
    )
    naive = NOON.replace(tzinfo=None)
    with pytest.raises(ValueError, match="now"):
        find_slots(branch, service, [], NOON.date(), NOON.date(), naive)
    with pytest.raises(ValueError, match="start"):
        check_start(branch, service, [], naive, NOON)
