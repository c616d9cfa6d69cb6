"""The engine over the demo business of DESIGN §5 (Salon Sonnenschein, Berlin).

Opening hours Tue–Fri 09:00–18:00 with a 13:00–13:30 break, Sat 09:00–14:00, closed Sunday,
Monday and Berlin public holidays; 15-minute step, 60 minutes notice, 60 days horizon.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.availability import (
    BranchRules,
    DaySchedule,
    Interval,
    ServiceRules,
    Slot,
    StaffCalendar,
    Unavailable,
    check_start,
    closed_day,
    find_slots,
    is_holiday,
)

BERLIN = ZoneInfo("Europe/Berlin")
ANNA = uuid.UUID("00000000-0000-0000-0000-00000000a001")
JONAS = uuid.UUID("00000000-0000-0000-0000-00000000a002")
MIA = uuid.UUID("00000000-0000-0000-0000-00000000a003")

# A week without holidays: Monday 8 June 2026 .. Sunday 14 June 2026.
MONDAY = date(2026, 6, 8)
TUESDAY = date(2026, 6, 9)
WEDNESDAY = date(2026, 6, 10)
SATURDAY = date(2026, 6, 13)
SUNDAY = date(2026, 6, 14)
LAST_WEEK_FRIDAY_EVENING = datetime(2026, 6, 5, 18, 0, tzinfo=BERLIN)

WEEKLY = (
    *(
        DaySchedule(weekday, time(9), time(18), breaks=((time(13), time(13, 30)),))
        for weekday in (1, 2, 3, 4)
    ),
    DaySchedule(5, time(9), time(14)),
)
BRANCH = BranchRules(tz=BERLIN, state="BE", closures=(), slot_step=timedelta(minutes=15))


def service(minutes: int, *staff: uuid.UUID, before: int = 0, after: int = 0) -> ServiceRules:
    return ServiceRules(
        service_id=uuid.uuid5(uuid.NAMESPACE_URL, f"service-{minutes}-{sorted(staff)}"),
        duration=timedelta(minutes=minutes),
        buffer_before=timedelta(minutes=before),
        buffer_after=timedelta(minutes=after),
        min_notice=timedelta(minutes=60),
        horizon=timedelta(days=60),
        staff_ids=frozenset(staff),
    )


HERRENHAARSCHNITT = service(30, ANNA, JONAS, MIA)
FAERBEN = service(120, ANNA, MIA)
BARTPFLEGE = service(20, JONAS)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def booked(day: date, start: tuple[int, int], end: tuple[int, int]) -> Interval:
    return Interval(local(day, *start).astimezone(UTC), local(day, *end).astimezone(UTC))


def team(
    anna_busy: tuple[Interval, ...] = (),
    jonas_busy: tuple[Interval, ...] = (),
    mia_busy: tuple[Interval, ...] = (),
    anna_absent: tuple[Interval, ...] = (),
) -> list[StaffCalendar]:
    return [
        StaffCalendar(ANNA, "Anna Becker", WEEKLY, absences=anna_absent, busy=anna_busy),
        StaffCalendar(JONAS, "Jonas Weber", WEEKLY, busy=jonas_busy),
        StaffCalendar(MIA, "Mia Schulz", WEEKLY, busy=mia_busy),
    ]


def wall_times(slots: list[Slot], day: date) -> list[str]:
    return [
        slot.start.astimezone(BERLIN).strftime("%H:%M")
        for slot in slots
        if slot.start.astimezone(BERLIN).date() == day
    ]


def test_faerben_cannot_start_when_it_would_run_into_the_tuesday_break() -> None:
    result = check_start(BRANCH, FAERBEN, team(), local(TUESDAY, 12), now=LAST_WEEK_FRIDAY_EVENING)
    assert result.slot is None
    assert result.reason is Unavailable.OUTSIDE_HOURS


def test_faerben_on_tuesday_fits_around_the_break_and_ends_by_closing() -> None:
    slots = find_slots(BRANCH, FAERBEN, team(), TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING)
    times = wall_times(slots, TUESDAY)
    assert times[0] == "09:00"
    assert "11:00" in times  # ends exactly when the break starts
    assert not any("11:15" <= t < "13:30" for t in times)
    assert times[-1] == "16:00"  # 16:00 + 120 min = 18:00, closing time
    late = check_start(BRANCH, FAERBEN, team(), local(TUESDAY, 16, 15), LAST_WEEK_FRIDAY_EVENING)
    assert late.reason is Unavailable.OUTSIDE_HOURS
    assert all(slot.end - slot.start == timedelta(minutes=120) for slot in slots)


def test_the_salon_is_closed_on_sunday_and_monday() -> None:
    slots = find_slots(
        BRANCH, HERRENHAARSCHNITT, team(), SUNDAY, SUNDAY, LAST_WEEK_FRIDAY_EVENING
    ) + find_slots(BRANCH, HERRENHAARSCHNITT, team(), MONDAY, MONDAY, LAST_WEEK_FRIDAY_EVENING)
    assert slots == []
    monday = check_start(
        BRANCH, HERRENHAARSCHNITT, team(), local(MONDAY, 10), LAST_WEEK_FRIDAY_EVENING
    )
    assert monday.reason is Unavailable.OUTSIDE_HOURS
    assert monday.holiday is None


def test_saturday_runs_until_14_without_a_break() -> None:
    slots = find_slots(
        BRANCH, HERRENHAARSCHNITT, team(), SATURDAY, SATURDAY, LAST_WEEK_FRIDAY_EVENING
    )
    times = wall_times(slots, SATURDAY)
    assert times[0] == "09:00"
    assert "13:00" in times
    assert times[-1] == "13:30"
    assert len(times) == 19  # 09:00 .. 13:30 every 15 minutes


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 25), "Erster Weihnachtstag"),
        (date(2026, 12, 26), "Zweiter Weihnachtstag"),
        (date(2028, 3, 8), "Frauentag"),  # a Wednesday: Berlin-only holiday
    ],
)
def test_berlin_public_holidays_have_no_slots(day: date, name: str) -> None:
    now = datetime.combine(day - timedelta(days=7), time(12), tzinfo=BERLIN)
    assert find_slots(BRANCH, HERRENHAARSCHNITT, team(), day, day, now) == []
    result = check_start(BRANCH, HERRENHAARSCHNITT, team(), local(day, 10), now)
    assert result.reason is Unavailable.OUTSIDE_HOURS
    assert result.holiday == name
    day_before = day - timedelta(days=1)
    if day_before.weekday() in (1, 2, 3, 4, 5) and is_holiday(day_before, "BE") is None:
        assert find_slots(BRANCH, HERRENHAARSCHNITT, team(), day_before, day_before, now)


def test_frauentag_is_a_berlin_holiday_only() -> None:
    assert is_holiday(date(2028, 3, 8), "BE") == "Frauentag"
    assert is_holiday(date(2028, 3, 8), "HH") is None
    hamburg = replace(BRANCH, state="HH")
    day, now = date(2028, 3, 8), datetime(2028, 3, 1, 12, tzinfo=BERLIN)
    assert find_slots(hamburg, HERRENHAARSCHNITT, team(), day, day, now)


def test_without_bookings_every_start_goes_to_the_first_name() -> None:
    slots = find_slots(
        BRANCH, HERRENHAARSCHNITT, team(), TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING
    )
    assert {slot.staff_id for slot in slots} == {ANNA}


def test_load_is_spread_to_the_staff_member_with_the_fewest_booked_minutes() -> None:
    staff = team(
        anna_busy=(booked(TUESDAY, (9, 0), (10, 0)), booked(TUESDAY, (15, 0), (16, 0))),
        jonas_busy=(booked(TUESDAY, (11, 0), (11, 30)),),
        mia_busy=(booked(TUESDAY, (10, 0), (11, 0)),),
    )
    slots = find_slots(BRANCH, HERRENHAARSCHNITT, staff, TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING)
    by_time = {slot.start.astimezone(BERLIN).strftime("%H:%M"): slot.staff_id for slot in slots}
    # Jonas has 30 booked minutes, Mia 60, Anna 120: Jonas first whenever he is free.
    assert by_time["09:00"] == JONAS
    assert by_time["14:00"] == JONAS
    # Jonas is busy at 11:00: Mia (60 minutes) before Anna (120 minutes).
    assert by_time["11:00"] == MIA
    # Every start is offered once, whoever it is assigned to.
    assert len(by_time) == len(slots)


def test_load_counts_per_day_not_per_search() -> None:
    staff = team(jonas_busy=(booked(TUESDAY, (9, 0), (12, 0)),))
    slots = find_slots(
        BRANCH, HERRENHAARSCHNITT, staff, TUESDAY, WEDNESDAY, LAST_WEEK_FRIDAY_EVENING
    )
    tuesday = {s.staff_id for s in slots if s.start.astimezone(BERLIN).date() == TUESDAY}
    wednesday = {s.staff_id for s in slots if s.start.astimezone(BERLIN).date() == WEDNESDAY}
    assert JONAS not in tuesday
    assert wednesday == {ANNA}


def test_assignment_does_not_depend_on_the_order_staff_are_passed_in() -> None:
    staff = team(mia_busy=(booked(TUESDAY, (10, 0), (11, 0)),))
    forward = find_slots(BRANCH, FAERBEN, staff, TUESDAY, SATURDAY, LAST_WEEK_FRIDAY_EVENING)
    backward = find_slots(
        BRANCH, FAERBEN, list(reversed(staff)), TUESDAY, SATURDAY, LAST_WEEK_FRIDAY_EVENING
    )
    assert forward == backward


def test_preferred_staff_gets_only_their_own_free_times() -> None:
    staff = team(mia_busy=(booked(TUESDAY, (9, 0), (12, 0)),))
    slots = find_slots(
        BRANCH, FAERBEN, staff, TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING, preferred_staff=MIA
    )
    assert {slot.staff_id for slot in slots} == {MIA}
    assert wall_times(slots, TUESDAY)[0] == "13:30"


def test_preferred_staff_who_cannot_perform_the_service() -> None:
    assert (
        find_slots(BRANCH, FAERBEN, team(), TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING, JONAS) == []
    )
    result = check_start(
        BRANCH, FAERBEN, team(), local(TUESDAY, 10), LAST_WEEK_FRIDAY_EVENING, JONAS
    )
    assert result.reason is Unavailable.STAFF_CANNOT_PERFORM


def test_a_time_when_everyone_able_is_busy_is_taken_but_others_may_still_do_other_work() -> None:
    staff = team(
        anna_busy=(booked(TUESDAY, (10, 0), (12, 0)),),
        mia_busy=(booked(TUESDAY, (9, 30), (11, 0)),),
    )
    faerben = check_start(BRANCH, FAERBEN, staff, local(TUESDAY, 10), LAST_WEEK_FRIDAY_EVENING)
    assert faerben.reason is Unavailable.TAKEN
    haircut = check_start(
        BRANCH, HERRENHAARSCHNITT, staff, local(TUESDAY, 10), LAST_WEEK_FRIDAY_EVENING
    )
    assert haircut.slot is not None
    assert haircut.slot.staff_id == JONAS


def test_an_off_step_start_that_is_free_is_accepted() -> None:
    result = check_start(
        BRANCH, HERRENHAARSCHNITT, team(), local(TUESDAY, 10, 10), LAST_WEEK_FRIDAY_EVENING
    )
    assert result.reason is None
    assert result.slot == Slot(
        start=local(TUESDAY, 10, 10).astimezone(UTC),
        end=local(TUESDAY, 10, 40).astimezone(UTC),
        staff_id=ANNA,
    )


def test_notice_past_and_horizon() -> None:
    now = local(TUESDAY, 9, 5)
    slots = find_slots(BRANCH, HERRENHAARSCHNITT, team(), TUESDAY, TUESDAY, now)
    assert wall_times(slots, TUESDAY)[0] == "10:15"  # first step at or after 10:05
    assert check_start(BRANCH, HERRENHAARSCHNITT, team(), local(TUESDAY, 9), now).reason is (
        Unavailable.IN_PAST
    )
    assert check_start(BRANCH, HERRENHAARSCHNITT, team(), local(TUESDAY, 10), now).reason is (
        Unavailable.TOO_SOON
    )
    assert check_start(BRANCH, HERRENHAARSCHNITT, team(), local(TUESDAY, 10, 5), now).ok
    far = TUESDAY + timedelta(days=60)
    beyond = check_start(BRANCH, HERRENHAARSCHNITT, team(), local(far, 10), now)
    assert beyond.reason is Unavailable.BEYOND_HORIZON
    last_days = find_slots(BRANCH, HERRENHAARSCHNITT, team(), far, far, now)
    assert wall_times(last_days, far)[-1] == "09:00"  # 09:05 is exactly 60 days on


def test_buffers_keep_distance_to_other_appointments_but_not_to_opening_time() -> None:
    beard = service(20, JONAS, before=10, after=10)
    staff = team(jonas_busy=(booked(TUESDAY, (11, 0), (11, 30)),))
    slots = find_slots(BRANCH, beard, staff, TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING)
    times = wall_times(slots, TUESDAY)
    assert times[0] == "09:00"  # the preparation buffer may fall before opening
    assert "10:30" in times  # 10:50 + 10 min buffer = 11:00, exactly when Jonas is busy
    assert "10:45" not in times
    assert "11:30" not in times  # 11:20 buffer start overlaps the 11:00–11:30 appointment
    assert "11:45" in times
    taken = check_start(BRANCH, beard, staff, local(TUESDAY, 11, 35), LAST_WEEK_FRIDAY_EVENING)
    assert taken.reason is Unavailable.TAKEN


def test_a_whole_day_closure_and_an_absence() -> None:
    closure = Interval(
        local(WEDNESDAY, 0).astimezone(UTC), local(WEDNESDAY + timedelta(days=1), 0).astimezone(UTC)
    )
    closed = replace(BRANCH, closures=(closure,))
    assert (
        find_slots(closed, BARTPFLEGE, team(), WEDNESDAY, WEDNESDAY, LAST_WEEK_FRIDAY_EVENING) == []
    )
    result = check_start(closed, BARTPFLEGE, team(), local(WEDNESDAY, 10), LAST_WEEK_FRIDAY_EVENING)
    assert result.reason is Unavailable.OUTSIDE_HOURS

    anna_away = team(anna_absent=(booked(TUESDAY, (0, 0), (23, 59)),))
    slots = find_slots(BRANCH, FAERBEN, anna_away, TUESDAY, TUESDAY, LAST_WEEK_FRIDAY_EVENING)
    assert {slot.staff_id for slot in slots} == {MIA}
    only_anna = check_start(
        BRANCH, FAERBEN, anna_away, local(TUESDAY, 10), LAST_WEEK_FRIDAY_EVENING, ANNA
    )
    assert only_anna.reason is Unavailable.OUTSIDE_HOURS


def test_appointments_before_now_still_count_as_that_days_load() -> None:
    staff = team(anna_busy=(booked(TUESDAY, (9, 0), (11, 0)),))
    noon = local(TUESDAY, 12)
    slots = find_slots(BRANCH, HERRENHAARSCHNITT, staff, TUESDAY, TUESDAY, noon)
    assert slots
    assert {slot.staff_id for slot in slots} == {JONAS}
    result = check_start(BRANCH, HERRENHAARSCHNITT, staff, local(TUESDAY, 14), noon)
    assert result.slot is not None
    assert result.slot.staff_id == JONAS


def test_a_day_is_closed_when_nobody_who_offers_the_service_works_at_all() -> None:
    assert closed_day(BRANCH, HERRENHAARSCHNITT, team(), TUESDAY) == (False, None)
    assert closed_day(BRANCH, HERRENHAARSCHNITT, team(), MONDAY) == (True, None)
    assert closed_day(BRANCH, HERRENHAARSCHNITT, team(), SUNDAY) == (True, None)
    assert closed_day(BRANCH, HERRENHAARSCHNITT, team(), date(2026, 12, 25)) == (
        True,
        "Erster Weihnachtstag",
    )
    # A closure of the afternoon leaves the day open; one of the whole day closes it.
    afternoon = replace(BRANCH, closures=(booked(WEDNESDAY, (13, 0), (18, 0)),))
    whole = replace(BRANCH, closures=(booked(WEDNESDAY, (0, 0), (23, 59)),))
    assert closed_day(afternoon, HERRENHAARSCHNITT, team(), WEDNESDAY) == (False, None)
    assert closed_day(whole, HERRENHAARSCHNITT, team(), WEDNESDAY) == (True, None)
    # Bartpflege is Jonas's alone: his absence closes the day for it, not for a haircut.
    absent = team()
    absent[1] = replace(absent[1], absences=(booked(WEDNESDAY, (0, 0), (23, 59)),))
    assert closed_day(BRANCH, BARTPFLEGE, absent, WEDNESDAY) == (True, None)
    assert closed_day(BRANCH, HERRENHAARSCHNITT, absent, WEDNESDAY) == (False, None)
