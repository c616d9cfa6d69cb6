"""Fault injection through ``/_emulator`` and what our client makes of each fault."""

from __future__ import annotations

import asyncio

import pytest
from tests.calcom_emulator_support import (
    BART,
    KEY,
    OURS,
    TEAM_ID,
    Emulator,
    booking_of,
    running_emulator,
)
from tests.clock_support import FakeTime, at

from frontdesk.calendars.errors import CalendarUnavailable
from frontdesk.resilience.deadline import Deadline

ME = {"Authorization": f"Bearer {KEY}"}


async def statuses(emulator: Emulator, n: int) -> list[int]:
    return [(await emulator.http.get("/v2/me", headers=ME)).status_code for _ in range(n)]


async def test_error_rate_one_answers_every_request_with_the_500_envelope(
    emulator: Emulator,
) -> None:
    await emulator.faults(error_rate=1.0)
    response = await emulator.http.get("/v2/me", headers=ME)
    assert response.status_code == 500
    body = response.json()
    assert (body["status"], body["path"]) == ("error", "/v2/me")
    assert body["error"]["code"] == "InternalServerErrorException"
    assert response.headers["X-RateLimit-Limit-Default"] == "120"
    with pytest.raises(CalendarUnavailable) as info:
        await emulator.client.get_booking("any")
    assert info.value.reason == "server_error"
    gets = [r for r in emulator.state.requests if r.path == "/v2/bookings/any"]
    assert len(gets) == 3  # a read is retried (RetryPolicy(attempts=3) in the fixture)


async def test_an_applied_create_answered_500_is_found_by_our_id(emulator: Emulator) -> None:
    await emulator.faults(applied_error_rate=1.0)
    wanted = booking_of(BART, at(8, 10, 0))
    with pytest.raises(CalendarUnavailable) as info:
        await emulator.client.create_booking(wanted)
    assert info.value.maybe_applied
    assert len(emulator.state.requests) == 1  # a create is never sent twice
    assert len(emulator.state.bookings) == 1
    await emulator.faults()
    found = await emulator.client.find_booking(
        metadata_key=OURS,
        value=wanted.metadata[OURS],
        starts_from=at(8, 0),
        starts_before=at(9, 0),
        team_id=TEAM_ID,
    )
    assert found is not None
    assert found.start == at(8, 10, 0)


async def test_a_cancel_whose_answer_was_lost_still_reports_the_cancelled_booking(
    emulator: Emulator,
) -> None:
    booking = await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    await emulator.faults(applied_error_rate=1.0)
    # Cancelled, answered 500; the retry meets Cal.com's "already been cancelled" (400).
    cancelled = await emulator.client.cancel_booking(booking.uid, reason="Kunde")
    assert (cancelled.uid, cancelled.status) == (booking.uid, "cancelled")
    cancels = [r.status for r in emulator.state.requests if r.path.endswith("/cancel")]
    assert cancels == [500, 400]


async def test_a_burst_of_429s_then_normal_service(emulator: Emulator) -> None:
    await emulator.faults(rate_limit_burst=2)
    assert await statuses(emulator, 3) == [429, 429, 200]


async def test_latency_is_drawn_from_the_range(emulator: Emulator, time: FakeTime) -> None:
    await emulator.faults(latency_ms=[100, 200])
    await emulator.client.me()
    (waited,) = time.sleeps
    assert 0.1 <= waited <= 0.2


async def test_a_hang_ends_in_504_for_a_patient_caller(emulator: Emulator, time: FakeTime) -> None:
    await emulator.faults(timeout_rate=1.0, hang_seconds=30)
    response = await emulator.http.get("/v2/me", headers=ME)
    assert response.status_code == 504
    assert time.sleeps == [30]


async def test_a_hang_outlasts_our_deadline(time: FakeTime) -> None:
    async with running_emulator(time, real_sleep=True) as emulator:
        await emulator.faults(timeout_rate=1.0, hang_seconds=5)
        loop = asyncio.get_running_loop()
        with pytest.raises(CalendarUnavailable) as info:
            await emulator.client.create_booking(
                booking_of(BART, at(8, 10, 0)), deadline=Deadline.after(0.1, loop.time)
            )
    assert info.value.reason == "timeout"
    assert info.value.maybe_applied


async def test_the_same_seed_fails_the_same_requests(emulator: Emulator) -> None:
    await emulator.faults(error_rate=0.5, seed=3)
    first = await statuses(emulator, 20)
    await emulator.faults(error_rate=0.5, seed=3)
    assert await statuses(emulator, 20) == first
    assert set(first) == {200, 500}


async def test_admin_api_validates_logs_and_resets(emulator: Emulator) -> None:
    bad = await emulator.http.put("/_emulator/faults", json={"latency_ms": [5, 1]})
    assert bad.status_code == 400
    unknown = await emulator.http.put("/_emulator/faults", json={"error_rat": 1})
    assert unknown.status_code == 400
    await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    (logged,) = (await emulator.http.get("/_emulator/requests")).json()
    assert (logged["method"], logged["path"], logged["calApiVersion"], logged["status"]) == (
        "POST",
        "/v2/bookings",
        "2024-08-13",
        201,
    )
    assert logged["body"]["eventTypeId"] == BART
    await emulator.faults(error_rate=1.0)
    assert (await emulator.http.post("/_emulator/reset")).status_code == 200
    state = (await emulator.http.get("/_emulator/state")).json()
    assert (state["bookings"], state["requests"], state["faults"]["error_rate"]) == ([], [], 0.0)
