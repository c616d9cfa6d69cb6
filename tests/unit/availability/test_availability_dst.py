"""The engine on the two DST change days of 2026 in Europe/Berlin.

Rule under test (see ``localday``): candidate starts are the wall-clock step times of the day;
a wall time in the spring gap is skipped, a wall time in the repeated autumn hour is offered
twice (two real instants). Working-window boundaries resolve with ``fold=0``: inside the gap
they move forward, inside the repeated hour they mean the first occurrence. Slot lengths are
always real elapsed time.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.availability import (
    BranchRules,
    DaySchedule,
    ServiceRules,
    Slot,
    StaffCalendar,
    check_start,
    find_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
SPRING = date(2026, 3, 29)  # 02:00 CET -> 03:00 CEST
AUTUMN = date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET
SUNDAY = 6
NIGHT_OWL = uuid.UUID(int=7)
BRANCH = BranchRules(tz=BERLIN, state="BE", closures=(), slot_step=timedelta(minutes=15))


def staff_working(start: time, end: time) -> list[StaffCalendar]:
    return [StaffCalendar(NIGHT_OWL, "Nachteule", (DaySchedule(SUNDAY, start, end),))]


def service(minutes: int) -> ServiceRules:
    return ServiceRules(
        service_id=uuid.UUID(int=minutes),
        duration=timedelta(minutes=minutes),
        buffer_before=timedelta(0),
        buffer_after=timedelta(0),
        min_notice=timedelta(minutes=60),
        horizon=timedelta(days=60),
        staff_ids=frozenset({NIGHT_OWL}),
    )


def labels(slots: list[Slot]) -> list[str]:
    """Local wall time with its UTC offset, the way the API will print it."""
    return [slot.start.astimezone(BERLIN).strftime("%H:%M%z") for slot in slots]


def search(day: date, start: time, end: time, minutes: int = 30) -> list[Slot]:
    week_before = datetime.combine(day - timedelta(days=7), time(12), tzinfo=BERLIN)
    return find_slots(BRANCH, service(minutes), staff_working(start, end), day, day, week_before)


@pytest.mark.parametrize(("start", "end"), [(time(0), time(6)), (time(1), time(4))])
def test_spring_has_no_slot_in_the_missing_hour_and_real_lengths(start: time, end: time) -> None:
    slots = search(SPRING, start, end)
    assert slots
    assert not any(slot.start.astimezone(BERLIN).hour == 2 for slot in slots)
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    # The window is one real hour shorter than its wall-clock length.
    wall_hours = end.hour - start.hour
    assert len(slots) == (wall_hours - 1) * 4 - 1


def test_spring_slots_across_the_gap_for_a_01_to_04_shift() -> None:
    slots = search(SPRING, time(1), time(4))
    assert labels(slots) == [
        "01:00+0100",
        "01:15+0100",
        "01:30+0100",
        "01:45+0100",
        "03:00+0200",
        "03:15+0200",
        "03:30+0200",
    ]
    # 01:45 CET + 30 real minutes is 03:15 CEST.
    assert slots[3].end.astimezone(BERLIN).strftime("%H:%M%z") == "03:15+0200"


def test_spring_a_long_service_spans_the_gap_in_real_minutes() -> None:
    slots = search(SPRING, time(0), time(6), minutes=120)
    first = slots[0]
    assert first.start.astimezone(BERLIN).strftime("%H:%M") == "00:00"
    assert first.end.astimezone(BERLIN).strftime("%H:%M%z") == "03:00+0200"
    assert labels(slots)[-1] == "04:00+0200"  # ends at 06:00 CEST


def test_spring_a_shift_starting_inside_the_gap_moves_forward_by_the_gap() -> None:
    slots = search(SPRING, time(2, 30), time(5))
    assert labels(slots)[0] == "03:30+0200"
    assert labels(slots)[-1] == "04:30+0200"


def test_autumn_offers_the_repeated_hour_twice() -> None:
    slots = search(AUTUMN, time(1), time(4))
    assert labels(slots) == [
        "01:00+0200",
        "01:15+0200",
        "01:30+0200",
        "01:45+0200",
        "02:00+0200",
        "02:15+0200",
        "02:30+0200",
        "02:45+0200",
        "02:00+0100",
        "02:15+0100",
        "02:30+0100",
        "02:45+0100",
        "03:00+0100",
        "03:15+0100",
        "03:30+0100",
    ]
    starts = [slot.start for slot in slots]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)


def test_autumn_a_shift_ending_inside_the_repeated_hour_ends_at_its_first_occurrence() -> None:
    slots = search(AUTUMN, time(0), time(2, 30))
    assert labels(slots)[-1] == "02:00+0200"
    assert all(slot.start.utcoffset() == timedelta(0) for slot in slots)


def test_autumn_both_occurrences_can_be_checked_and_booked() -> None:
    week_before = datetime.combine(AUTUMN - timedelta(days=7), time(12), tzinfo=BERLIN)
    staff = staff_working(time(1), time(4))
    first = datetime(2026, 10, 25, 0, 15, tzinfo=UTC)  # 02:15 CEST
    second = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 02:15 CET
    for instant in (first, second):
        result = check_start(BRANCH, service(30), staff, instant, week_before)
        assert result.slot is not None
        assert result.slot.start == instant


def test_autumn_a_long_service_lasts_real_minutes() -> None:
    slots = search(AUTUMN, time(1), time(4), minutes=120)
    first = slots[0]
    assert first.end.astimezone(BERLIN).strftime("%H:%M%z") == "02:00+0100"
    assert labels(slots)[-1] == "02:00+0100"  # 02:00 CET + 2 h = 04:00 CET
