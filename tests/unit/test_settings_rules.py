"""The owner's weekly windows and breaks (business.rules) and opening hours applied to staff
hours (availability.opening): properties over generated weeks."""

from __future__ import annotations

from datetime import time
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.availability import DaySchedule
from frontdesk.availability.opening import within_opening
from frontdesk.business import rules
from frontdesk.business.rules import Window
from frontdesk.domain.errors import InvalidSetting

# Quarter hours of a day as times (windows never cross midnight).
quarters = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))
spans = st.tuples(quarters, quarters)
windows = st.lists(spans.map(lambda s: Window(*s)), max_size=4)


def overlaps(a: tuple[time, time], b: tuple[time, time]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@given(st.dictionaries(st.integers(0, 6), windows))
def test_a_week_is_accepted_exactly_when_no_window_is_empty_or_overlaps_another(
    days: dict[int, list[Window]],
) -> None:
    empty = any(not w.start < w.end for ws in days.values() for w in ws)
    clash = any(
        overlaps((a.start, a.end), (b.start, b.end))
        for ws in days.values()
        for i, a in enumerate(ws)
        for b in ws[i + 1 :]
    )
    if empty or clash:
        with pytest.raises(InvalidSetting) as refused:
            rules.week(days)
        assert refused.value.message
        return
    week = rules.week(days)
    assert set(week) == {weekday for weekday, ws in days.items() if ws}, "empty days: closed"
    for weekday, day in week.items():
        assert list(day) == sorted(days[weekday], key=lambda w: w.start)
        assert all(a.end <= b.start for a, b in pairwise(day))


@given(spans, st.lists(spans, max_size=3))
def test_breaks_are_accepted_only_inside_their_window_and_apart(
    window: tuple[time, time], pauses: list[tuple[time, time]]
) -> None:
    candidate = Window(window[0], window[1], tuple(pauses))
    inside = window[0] < window[1] and all(
        lo < hi and window[0] <= lo and hi <= window[1] for lo, hi in pauses
    )
    apart = not any(overlaps(a, b) for i, a in enumerate(pauses) for b in pauses[i + 1 :])
    if inside and apart:
        assert rules.week({0: [candidate]}) == {0: (candidate,)}
    else:
        with pytest.raises(InvalidSetting):
            rules.week({0: [candidate]})


def test_opening_hours_have_no_breaks() -> None:
    with pytest.raises(InvalidSetting) as refused:
        rules.week({0: [Window(time(9), time(18), ((time(12), time(13)),))]}, breaks_allowed=False)
    assert refused.value.message == "Öffnungszeiten haben keine Pausen."


@pytest.mark.parametrize(
    ("value", "positive", "ok"),
    [(0, True, False), (1, True, True), (0, False, True), (-1, False, False), (1441, False, False),
     (True, False, False)],
)  # fmt: skip
def test_minutes(value: int, positive: bool, ok: bool) -> None:
    if ok:
        assert rules.minutes(value, "x", "X", positive=positive) == value
    else:
        with pytest.raises(InvalidSetting):
            rules.minutes(value, "x", "X", positive=positive)


staff_days = st.builds(
    lambda d, s, length: DaySchedule(d, time(s), time(min(s + length, 23))),
    st.integers(0, 6),
    st.integers(5, 20),
    st.integers(1, 10),
)
opening_weeks = st.dictionaries(
    st.integers(0, 6),
    st.lists(st.tuples(st.integers(6, 21), st.integers(1, 6)), max_size=2).map(
        lambda ws: sorted((time(s), time(min(s + n, 23))) for s, n in ws)
    ),
)


@given(st.lists(staff_days, max_size=5), opening_weeks)
def test_bookable_time_lies_within_both_the_staff_and_the_opening_hours(
    weekly: list[DaySchedule], opening: dict[int, list[tuple[time, time]]]
) -> None:
    cut = within_opening(weekly, opening)
    for day in cut:
        assert any(
            s.weekday == day.weekday and s.start <= day.start and day.end <= s.end for s in weekly
        )
        assert any(lo <= day.start and day.end <= hi for lo, hi in opening.get(day.weekday, ()))
        assert all(day.start <= lo < hi <= day.end for lo, hi in day.breaks)


def test_no_opening_hours_leave_the_staff_hours_as_they_are() -> None:
    weekly = (DaySchedule(1, time(9), time(18), ((time(13), time(13, 30)),)),)
    assert within_opening(weekly, None) == weekly
    assert within_opening(weekly, {}) == ()
    assert within_opening(weekly, {1: [(time(12), time(20))]}) == (
        DaySchedule(1, time(12), time(18), ((time(13), time(13, 30)),)),
    )
    assert within_opening(weekly, {1: [(time(13, 15), time(20))]}) == (
        DaySchedule(1, time(13, 15), time(18), ((time(13, 15), time(13, 30)),)),
    )
