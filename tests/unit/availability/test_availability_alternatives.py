"""Alternatives offered when a requested start is not free: few, close, and real choices."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.availability import Slot, alternatives

BERLIN = ZoneInfo("Europe/Berlin")
STAFF = uuid.UUID(int=1)
TUESDAY = date(2026, 6, 9)


def slot_at(day: date, hour: int, minute: int = 0) -> Slot:
    start = datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)
    return Slot(start=start, end=start + timedelta(minutes=30), staff_id=STAFF)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def labels(slots: list[Slot]) -> list[str]:
    return [slot.start.astimezone(BERLIN).strftime("%a %H:%M") for slot in slots]


def test_closest_same_day_first_and_at_least_30_minutes_apart() -> None:
    day = [slot_at(TUESDAY, 9, m) for m in (0, 15, 30, 45)] + [
        slot_at(TUESDAY, h, m) for h in (15, 16) for m in (0, 15, 30, 45)
    ]
    picked = alternatives(local(TUESDAY, 14), day)
    # 15:00 is 60 min away, 15:15 is too close to it, 15:30 is next; 9:45 is 255 min away.
    assert labels(picked) == ["Tue 15:00", "Tue 15:30", "Tue 16:00"]


def test_a_tie_in_distance_goes_to_the_earlier_time() -> None:
    picked = alternatives(local(TUESDAY, 14), [slot_at(TUESDAY, 15), slot_at(TUESDAY, 13)])
    assert labels(picked) == ["Tue 13:00", "Tue 15:00"]


def test_same_day_before_later_days_even_when_a_later_day_is_closer_in_time() -> None:
    slots = [slot_at(TUESDAY, 9), slot_at(TUESDAY + timedelta(days=1), 9)]
    picked = alternatives(local(TUESDAY, 17, 45), slots)
    assert labels(picked) == ["Tue 09:00", "Wed 09:00"]


def test_later_days_in_time_order_and_earlier_days_last() -> None:
    monday, wednesday, thursday = (TUESDAY + timedelta(days=d) for d in (-1, 1, 2))
    slots = [slot_at(monday, 17), slot_at(thursday, 9), slot_at(wednesday, 16)]
    picked = alternatives(local(TUESDAY, 12), slots)
    assert labels(picked) == ["Wed 16:00", "Thu 09:00", "Mon 17:00"]


def test_at_most_limit_and_never_the_requested_time_itself() -> None:
    slots = [slot_at(TUESDAY, h) for h in range(9, 18)]
    picked = alternatives(local(TUESDAY, 12), slots)
    assert len(picked) == 3
    assert labels(picked) == ["Tue 11:00", "Tue 13:00", "Tue 10:00"]
    assert alternatives(local(TUESDAY, 12), slots, limit=1) == [slot_at(TUESDAY, 11)]


def test_nothing_free_gives_no_alternatives() -> None:
    assert alternatives(local(TUESDAY, 12), []) == []


def test_day_is_taken_in_the_given_zone_not_in_utc() -> None:
    # 00:30 local on Wednesday is still Tuesday in UTC; with the zone it counts as a later day.
    late = slot_at(TUESDAY + timedelta(days=1), 0, 30)
    early = slot_at(TUESDAY, 9)
    requested = local(TUESDAY, 23, 0).astimezone(UTC)
    assert labels(alternatives(requested, [late, early], tz=BERLIN)) == ["Tue 09:00", "Wed 00:30"]


@given(
    st.lists(st.integers(0, 4 * 24 * 3), max_size=40, unique=True),
    st.integers(0, 4 * 24 * 3),
    st.integers(1, 5),
)
def test_any_pick_is_a_small_set_of_distinct_real_choices(
    quarters: list[int], requested_quarter: int, limit: int
) -> None:
    base = local(TUESDAY, 0)
    slots = [
        Slot(
            start=(base + timedelta(minutes=15 * q)).astimezone(UTC),
            end=(base + timedelta(minutes=15 * q + 30)).astimezone(UTC),
            staff_id=STAFF,
        )
        for q in quarters
    ]
    requested = base + timedelta(minutes=15 * requested_quarter)
    picked = alternatives(requested, slots, limit=limit)
    assert len(picked) <= limit
    assert all(slot in slots and slot.start != requested for slot in picked)
    for i, one in enumerate(picked):
        for other in picked[i + 1 :]:
            assert abs(one.start - other.start) >= timedelta(minutes=30)
    same_day = [s for s in picked if s.start.astimezone(BERLIN).date() == requested.date()]
    assert picked[: len(same_day)] == same_day
    distances = [abs(s.start - requested) for s in same_day]
    assert distances == sorted(distances)
    if slots and not picked:
        assert all(slot.start == requested for slot in slots)


_QUARTERS = st.tuples(st.integers(0, 13), st.integers(8, 18), st.sampled_from((0, 15, 30, 45)))


@given(
    st.lists(_QUARTERS, max_size=60),
    st.tuples(st.integers(8, 18), st.sampled_from((0, 15, 30, 45))),
)
def test_a_day_with_enough_alternatives_decides_alone(
    offsets: list[tuple[int, int, int]], requested_at: tuple[int, int]
) -> None:
    """When the requested day alone yields ``limit`` alternatives, later days change nothing:
    what lets the voice agent search one day instead of fourteen."""
    slots = sorted(
        {slot_at(TUESDAY + timedelta(days=d), h, m) for d, h, m in offsets},
        key=lambda s: s.start,
    )
    requested = local(TUESDAY, *requested_at)
    same_day = [s for s in slots if s.start.astimezone(BERLIN).date() == TUESDAY]
    alone = alternatives(requested, same_day, tz=BERLIN)
    if len(alone) == 3:
        assert alternatives(requested, slots, tz=BERLIN) == alone
