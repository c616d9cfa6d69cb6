"""Slot arithmetic of the emulator, DST days included (pure functions, no app)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from frontdesk.calendars.calcom.emulator.model import Attendee, Booking
from frontdesk.calendars.calcom.emulator.seed import EVENT_TYPE_IDS, USER_IDS, demo_catalogue
from frontdesk.calendars.calcom.emulator.slots import by_day, free_slots

CATALOGUE = demo_catalogue()
HERREN = CATALOGUE.event_type(EVENT_TYPE_IDS["herrenhaarschnitt"])
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def starts_on(day: datetime) -> list[datetime]:
    assert HERREN is not None
    found = free_slots(HERREN, CATALOGUE.schedules, [], day, day + timedelta(days=1), now=LONG_AGO)
    return list(found)


def test_opening_follows_berlin_across_the_spring_dst_change() -> None:
    # Tuesdays before and after 28 March 2027 (clocks go forward in Berlin).
    winter = starts_on(datetime(2027, 3, 23, tzinfo=UTC))
    summer = starts_on(datetime(2027, 3, 30, tzinfo=UTC))
    assert winter[0] == datetime(2027, 3, 23, 8, 0, tzinfo=UTC)
    assert summer[0] == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    assert len(winter) == len(summer)


def test_saturdays_either_side_of_the_autumn_change_open_at_nine_local() -> None:
    # Clocks go back on Sunday 25 October 2026: the 24th is CEST, the 31st CET.
    before = starts_on(datetime(2026, 10, 24, tzinfo=UTC))
    after = starts_on(datetime(2026, 10, 31, tzinfo=UTC))
    assert (before[0], before[-1]) == (
        datetime(2026, 10, 24, 7, 0, tzinfo=UTC),
        datetime(2026, 10, 24, 11, 30, tzinfo=UTC),
    )
    assert (after[0], after[-1]) == (
        datetime(2026, 10, 31, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 31, 12, 30, tzinfo=UTC),
    )


def test_every_host_busy_means_no_slot_and_each_host_is_listed() -> None:
    assert HERREN is not None
    start = datetime(2027, 3, 23, 9, 0, tzinfo=UTC)
    bookings = [
        Booking(
            id=n,
            uid=f"b{n}",
            event_type_id=HERREN.id,
            host_id=host,
            start=start,
            end=start + timedelta(minutes=30),
            attendee=Attendee("x", "Europe/Berlin"),
            created_at=LONG_AGO,
            updated_at=LONG_AGO,
        )
        for n, host in enumerate((USER_IDS["anna"], USER_IDS["jonas"]))
    ]
    found = free_slots(HERREN, CATALOGUE.schedules, bookings, start, start, now=LONG_AGO)
    assert found == {start: (USER_IDS["mia"],)}
    found = free_slots(
        HERREN, CATALOGUE.schedules, bookings, start, start, now=LONG_AGO, ignore_uid="b0"
    )
    assert found == {start: (USER_IDS["anna"], USER_IDS["mia"])}


def test_days_are_keyed_in_the_asked_zone() -> None:
    late = datetime(2027, 3, 23, 23, 30, tzinfo=UTC)  # already the 24th in Berlin
    assert list(by_day([late], 30, "Europe/Berlin")) == ["2027-03-24"]
    assert by_day([late], 30, "UTC")["2027-03-23"][0]["start"] == "2027-03-23T23:30:00.000Z"
