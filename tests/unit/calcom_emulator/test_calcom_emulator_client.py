"""Our Cal.com client against the emulator, end to end; every request and successful answer
is checked against the OpenAPI document by the fixture."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from tests.calcom_emulator_support import (
    ANNA,
    BART,
    DAMEN,
    HERREN,
    JONAS,
    KEY,
    MIA,
    OURS,
    TEAM_ID,
    Emulator,
    booking_of,
)
from tests.clock_support import at

from frontdesk.calendars.calcom import client as client_module
from frontdesk.calendars.calcom.adapter import CalcomCalendar
from frontdesk.calendars.errors import (
    CalendarNotFound,
    CalendarRejected,
    CalendarUnavailable,
    SlotTaken,
)
from frontdesk.resilience.deadline import Deadline

DAY = at(8, 0).date()  # Tuesday 8 December, a working day a week after the suite's "now"


async def test_connect_sees_the_demo_team_its_members_and_event_types(emulator: Emulator) -> None:
    client = emulator.client
    me = await client.me()
    (team,) = await client.teams()
    members = await client.memberships(team.id)
    event_types = await client.team_event_types(team.id)
    assert (me.email, team.id, team.name) == (
        "inhaber@salon-sonnenschein.de",
        TEAM_ID,
        "Salon Sonnenschein",
    )
    emails = {m.user_id: m.user.email for m in members}
    assert emails[ANNA] == "anna@salon-sonnenschein.de"
    hosts = {e.title: {h.user_id for h in e.hosts} for e in event_types}
    assert hosts == {
        "Damenhaarschnitt": {ANNA, MIA},
        "Herrenhaarschnitt": {ANNA, JONAS, MIA},
        "Färben": {ANNA, MIA},
        "Bartpflege": {JONAS},
        "Beratung": {ANNA, JONAS, MIA},
        "Waschen und Föhnen": {ANNA, JONAS, MIA},
    }
    assert all(e.scheduling_type == "roundRobin" for e in event_types)
    assert {e.minimum_booking_notice for e in event_types} == {60}


async def test_slots_follow_hours_break_notice_and_host_subset(emulator: Emulator) -> None:
    client = emulator.client
    today = await client.slots(
        HERREN, emulator.now(), emulator.now() + timedelta(hours=12), time_zone="Europe/Berlin"
    )
    starts = [s.start for s in today[at(1, 0).date()]]
    # 08:00 now + 60 min notice: the first start is the opening at 09:00, then every 15 min.
    assert starts[0] == at(1, 9, 0)
    assert starts[1] - starts[0] == timedelta(minutes=15)
    # 30 minutes fit until 13:00 and after the break from 13:30; the last ends at 18:00.
    assert at(1, 12, 30) in starts
    assert at(1, 12, 45) not in starts
    assert at(1, 13, 30) in starts
    assert starts[-1] == at(1, 17, 30)
    assert today[at(1, 0).date()][0].end == at(1, 9, 30)

    await client.create_booking(booking_of(BART, at(8, 10, 0)))  # Jonas, 10:00–10:20
    window = (at(8, 0), at(8, 23, 59))
    jonas_only = await client.slots(HERREN, *window, time_zone="Europe/Berlin", host_ids=[JONAS])
    everyone = await client.slots(HERREN, *window, time_zone="Europe/Berlin")
    jonas_starts = {s.start for s in jonas_only[DAY]}
    # Jonas is busy 10:00–10:20: 09:30–10:00 fits, 09:45 … 10:15 overlap, 10:30 is free.
    assert at(8, 9, 30) in jonas_starts
    assert {at(8, 9, 45), at(8, 10, 0), at(8, 10, 15)}.isdisjoint(jonas_starts)
    assert at(8, 10, 30) in jonas_starts
    assert at(8, 10, 0) in {s.start for s in everyone[DAY]}  # Anna and Mia are free
    closed = await client.slots(HERREN, at(7, 0), at(7, 23, 59), time_zone="Europe/Berlin")
    assert closed == {}  # Monday


async def test_create_get_list_find_reschedule_cancel(emulator: Emulator) -> None:
    client = emulator.client
    wanted = booking_of(DAMEN, at(8, 10, 0), hosts=(MIA,))
    created = await client.create_booking(wanted)
    assert created.status == "accepted"
    assert [h.id for h in created.hosts] == [MIA]
    assert created.end - created.start == timedelta(minutes=60)
    assert (await client.get_booking(created.uid)).metadata == wanted.metadata

    page, pagination = await client.list_bookings(team_id=TEAM_ID)
    assert [b.uid for b in page] == [created.uid]
    assert (pagination.total_items, pagination.has_next_page) == (1, False)
    found = await client.find_booking(
        metadata_key=OURS,
        value=wanted.metadata[OURS],
        starts_from=at(8, 0),
        starts_before=at(9, 0),
        team_id=TEAM_ID,
        event_type_id=DAMEN,
    )
    assert found is not None
    assert found.uid == created.uid

    moved = await client.reschedule_booking(created.uid, at(9, 11, 0), reason="Kundin")
    assert moved.uid != created.uid
    assert moved.rescheduled_from_uid == created.uid
    assert moved.metadata == wanted.metadata
    old = await client.get_booking(created.uid)
    assert (old.status, old.rescheduled_to_uid) == ("cancelled", moved.uid)

    cancelled = await client.cancel_booking(moved.uid, reason="Kundin hat abgesagt")
    assert (cancelled.status, cancelled.cancellation_reason) == ("cancelled", "Kundin hat abgesagt")
    # The freed time can be booked again.
    assert (await client.create_booking(booking_of(DAMEN, at(9, 11, 0)))).status == "accepted"


async def test_round_robin_fills_every_host_then_the_time_is_taken(emulator: Emulator) -> None:
    client = emulator.client
    hosts = [
        (await client.create_booking(booking_of(HERREN, at(8, 10, 0)))).hosts[0].id
        for _ in range(3)
    ]
    assert sorted(hosts) == sorted([ANNA, JONAS, MIA])
    with pytest.raises(SlotTaken, match="already has booking at this time"):
        await client.create_booking(booking_of(HERREN, at(8, 10, 15)))
    assert len(emulator.state.bookings) == 3


@pytest.mark.parametrize(
    ("start", "error", "message"),
    [
        (at(8, 19, 0), SlotTaken, "not available"),  # after closing
        (at(8, 10, 5), SlotTaken, "not available"),  # off the 15-minute grid
        (at(1, 8, 30), CalendarRejected, "too soon"),  # inside the 60 minutes' notice
        (at(1, 7, 0), CalendarRejected, "in the past"),
    ],
)
async def test_a_start_that_is_no_slot_is_refused_with_400(
    emulator: Emulator, start: datetime, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await emulator.client.create_booking(booking_of(HERREN, start))
    assert emulator.state.requests[-1].status == 400


async def test_rescheduling_a_rescheduled_booking_names_the_newer_one(emulator: Emulator) -> None:
    client = emulator.client
    first = await client.create_booking(booking_of(BART, at(8, 10, 0)))
    second = await client.reschedule_booking(first.uid, at(8, 11, 0))
    with pytest.raises(CalendarRejected, match=second.uid):
        await client.reschedule_booking(first.uid, at(8, 12, 0))
    await client.cancel_booking(second.uid)
    response = await emulator.http.post(
        f"/v2/bookings/{second.uid}/cancel",
        json={},
        headers={"cal-api-version": "2024-08-13"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "This booking has already been cancelled."


async def test_unknown_uid_is_404(emulator: Emulator) -> None:
    with pytest.raises(CalendarNotFound):
        await emulator.client.get_booking("no-such-uid")


@pytest.mark.parametrize("version", [None, "2024-09-04", "2026-02-25"])
async def test_bookings_without_their_version_fall_back_to_a_404(
    emulator: Emulator, version: str | None
) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    if version:
        headers["cal-api-version"] = version
    response = await emulator.http.get("/v2/bookings", headers=headers, params={"teamId": TEAM_ID})
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "NotFoundException"
    assert set(body) == {"status", "timestamp", "path", "error"}


async def test_the_key_is_required_where_cal_com_requires_it(emulator: Emulator) -> None:
    versioned = {"cal-api-version": "2024-08-13"}
    missing = await emulator.http.get("/v2/bookings", headers=versioned)
    wrong = await emulator.http.get("/v2/me", headers={"Authorization": "Bearer cal_live_wrong"})
    public = await emulator.http.get(
        "/v2/slots",
        params={"eventTypeId": HERREN, "start": "2026-12-08", "end": "2026-12-08"},
        headers={"cal-api-version": "2024-09-04"},
    )
    assert (missing.status_code, wrong.status_code, public.status_code) == (401, 401, 200)
    assert missing.json()["error"]["code"] == "UnauthorizedException"
    slots = public.json()["data"]["2026-12-08"]
    assert slots[0] == {"start": "2026-12-08T08:00:00.000Z"}  # format=time, UTC by default


async def test_bookings_page_like_cal_com(emulator: Emulator) -> None:
    client = emulator.client
    for hour in (9, 10, 11):
        await client.create_booking(booking_of(BART, at(8, hour, 0)))
    page, pagination = await client.list_bookings(team_id=TEAM_ID, skip=1, take=1)
    assert [b.start for b in page] == [at(8, 10, 0)]
    assert pagination.model_dump() == {
        "total_items": 3,
        "returned_items": 1,
        "items_per_page": 1,
        "current_page": 2,
        "has_next_page": True,
    }
    # Without teamId Cal.com shows only the key user's own bookings: the owner hosts none.
    mine, _ = await client.list_bookings()
    assert mine == ()
    response = await emulator.http.get(
        "/v2/bookings",
        params={"take": 251},
        headers={"Authorization": f"Bearer {KEY}", "cal-api-version": "2024-08-13"},
    )
    assert response.status_code == 400


async def test_metadata_over_cal_coms_limits_is_refused(emulator: Emulator) -> None:
    body = {
        "start": "2026-12-08T09:00:00.000Z",
        "eventTypeId": BART,
        "attendee": {"name": "Erika", "timeZone": "Europe/Berlin"},
        "metadata": {"k" * 41: "v"},
    }
    response = await emulator.http.post(
        "/v2/bookings", json=body, headers={"cal-api-version": "2024-08-13"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["errors"]


def test_the_suite_clock_is_a_tuesday_morning_before_opening() -> None:
    # The slot assertions above rely on it.
    assert at(1, 8, 0).weekday() == 1
    assert at(1, 8, 0).astimezone(UTC).hour == 7


async def test_the_team_listing_reads_every_page_and_keeps_only_the_window(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = emulator.client
    for start in (at(8, 9, 0), at(8, 10, 0), at(8, 11, 0), at(9, 10, 0)):
        await client.create_booking(booking_of(BART, start))
    monkeypatch.setattr(client_module, "PAGE", 1)
    found = await client.team_bookings(
        team_id=TEAM_ID, starts_from=at(8, 0), starts_before=at(9, 0)
    )
    assert [b.start for b in found] == [at(8, 9, 0), at(8, 10, 0), at(8, 11, 0)]
    port = CalcomCalendar(client, team_id=TEAM_ID)
    listed = await port.list_bookings(
        at(9, 0), at(10, 0), deadline=Deadline.after(5, time.monotonic)
    )
    assert [(b.start, b.event_type, b.status) for b in listed] == [
        (at(9, 10, 0), str(BART), "accepted")
    ]
    assert listed[0].attendee is not None
    # A window larger than the listing may read is refused, never answered in part.
    monkeypatch.setattr(client_module, "LISTING_PAGES", 2)
    with pytest.raises(CalendarUnavailable):
        await client.team_bookings(team_id=TEAM_ID, starts_from=at(8, 0), starts_before=at(10, 0))
