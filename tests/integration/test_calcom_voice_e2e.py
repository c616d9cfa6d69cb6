"""Cal.com mode end to end in one process: the demo salon connected to the emulator (our
`connect` use case), the mirror filled by the refresher, then a caller checks and books through
the signed voice endpoint — and exactly one Cal.com booking appears, on the right event type,
time and host, with our appointment id in its metadata. Every request our client sends and
every successful answer it accepts is checked against Cal.com's OpenAPI document."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.app_support import DEMO_KEY
from tests.booking_support import HERREN as HERREN_ID
from tests.calcom_emulator_support import (
    HERREN,
    JONAS,
    KEY,
    Emulator,
    running_emulator,
)
from tests.calendar_support import run_sync_jobs
from tests.clock_support import FakeTime, at
from tests.contract.calcom_contract import BASE_URL
from tests.outage_support import free_port
from tests.voice_support import RetellClient, retell_client, seed

from frontdesk import demo
from frontdesk.booking.calendar_inbox import INBOX_JOB
from frontdesk.booking.calendar_inbox_job import process_webhook
from frontdesk.booking.reconcile import Fix, Window, reconcile
from frontdesk.booking.reconcile_diff import Kind
from frontdesk.calendars.calcom.connect import ConnectRequest, connect
from frontdesk.calendars.mirror.refresher import MirrorRefresher
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db.tables import Appointment, BookingDay, CalendarMirrorDay, Job
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, SyncState
from frontdesk.jobs.registry import JobContext
from frontdesk.observability.metrics import (
    BREAKER_REJECTIONS,
    OUTBOUND_REQUESTS,
    REDIS_FALLBACK_ACTIVE,
)
from frontdesk.resilience.breaker import Ticket
from frontdesk.resources import connect_redis
from frontdesk.settings import Settings


@dataclass
class CalcomMode:
    retell: RetellClient
    emulator: Emulator
    providers: CalendarProviders
    sessions: async_sessionmaker[AsyncSession]

    async def run_sync_jobs(self) -> None:
        # The worker would retry a failure; these tests look at the state it leaves.
        await run_sync_jobs(self.sessions, self.retell.clock, self.providers)

    async def appointments(self) -> list[Appointment]:
        async with self.sessions() as s:
            return list((await s.execute(select(Appointment))).scalars())


@pytest.fixture
async def calcom_mode(db: AsyncEngine) -> AsyncIterator[CalcomMode]:
    await seed(db)
    time_ = FakeTime()
    async with running_emulator(time_, real_sleep=True) as emulator:
        async for retell in retell_client(db, now=time_.now()):
            sessions = retell.app.state.resources.sessions
            report = await connect(
                sessions,
                lambda _url: emulator.client,
                ConnectRequest(
                    tenant="salon-sonnenschein",
                    api_key=SecretStr(KEY),
                    webhook_base_url="https://frontdesk.test",
                    api_url=BASE_URL,
                ),
                default_api_url=BASE_URL,
                clock=retell.clock,
                secret_key=None,
            )
            # The emulator's team is the demo salon: all six services and three staff link.
            assert len(report.plan.service_links) == 6
            assert len(report.plan.staff_links) == 3
            assert report.plan.new_services == report.plan.new_staff == ()
            providers = CalendarProviders(
                Settings(), clock=retell.clock, http=httpx.AsyncClient(transport=emulator.transport)
            )
            # The app's use cases and the refresher reach the emulator through the checked
            # transport (a real process would build the same from the stored link).
            retell.app.state.booking.uow.calendars = providers
            refresher = MirrorRefresher(
                sessions, providers.port, clock=retell.clock, monotonic=time.monotonic, budget=None
            )
            for _ in range(4):
                await refresher.refresh()
            yield CalcomMode(retell, emulator, providers, sessions)
            assert emulator.transport.errors == []
            await providers.http.aclose()


async def test_a_voice_booking_lands_once_in_calcom_on_the_right_event_type_time_and_host(
    calcom_mode: CalcomMode,
) -> None:
    retell, emulator = calcom_mode.retell, calcom_mode.emulator
    check = await retell.fn(
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr", "staff": "Jonas"},
    )
    assert check["status"] == "available", check
    retell.clock.advance(timedelta(seconds=20))
    booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    assert booked["status"] == "booked", booked
    assert "notiert" not in booked["message"]
    [row] = await calcom_mode.appointments()
    assert (row.status, row.sync_state) == (AppointmentStatus.CONFIRMED, SyncState.SYNCED)
    [held] = emulator.state.booking_list()
    assert held.uid == row.external_uid
    assert held.event_type_id == HERREN
    assert held.host_id == JONAS
    assert held.start == at(2, 10)
    assert held.metadata["frontdesk_appointment_id"] == str(row.id)
    # The booking's follow-up jobs change nothing at Cal.com.
    await calcom_mode.run_sync_jobs()
    assert len(emulator.state.booking_list()) == 1


async def test_cancel_and_reschedule_by_phone_reach_calcom(calcom_mode: CalcomMode) -> None:
    retell, emulator = calcom_mode.retell, calcom_mode.emulator
    check = await retell.fn(
        "check_availability", {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"}
    )
    await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    [row] = await calcom_mode.appointments()
    moved = await retell.fn(
        "reschedule_appointment",
        {"appointment_id": str(row.id), "date": "morgen", "time": "11 Uhr"},
    )
    assert moved["status"] == "rescheduled", moved
    await calcom_mode.run_sync_jobs()
    active = [b for b in emulator.state.booking_list() if b.status == "accepted"]
    assert [b.start for b in active] == [at(2, 11)]
    [row] = await calcom_mode.appointments()
    assert row.external_uid == active[0].uid
    assert row.sync_state is SyncState.SYNCED
    cancelled = await retell.fn("cancel_appointment", {"appointment_id": str(row.id)})
    assert cancelled["status"] == "cancelled", cancelled
    await calcom_mode.run_sync_jobs()
    assert [b for b in emulator.state.booking_list() if b.status == "accepted"] == []


async def test_a_hanging_calcom_still_gets_the_caller_an_answer_and_one_booking(
    calcom_mode: CalcomMode,
) -> None:
    """Cal.com takes the booking but never answers: the caller hears it is noted (not the
    apology, so the answer came within the deadline), the row waits as pending, and the job
    finds the booking by our id instead of creating a second one."""
    retell, emulator = calcom_mode.retell, calcom_mode.emulator
    check = await retell.fn(
        "check_availability", {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"}
    )
    await emulator.faults(applied_error_rate=1.0, latency_ms=[3000, 3000])
    booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    assert booked["status"] == "booked", booked
    assert "notiert" in booked["message"]
    [row] = await calcom_mode.appointments()
    assert row.sync_state is SyncState.PENDING_SYNC
    await emulator.faults()
    await calcom_mode.run_sync_jobs()
    [row] = await calcom_mode.appointments()
    assert row.sync_state is SyncState.SYNCED
    assert len(emulator.state.booking_list()) == 1
    assert emulator.state.booking_list()[0].uid == row.external_uid


async def test_a_day_calcom_was_never_read_for_is_the_truth_and_a_call_back(
    calcom_mode: CalcomMode,
) -> None:
    async with calcom_mode.sessions() as s:
        await s.execute(delete(CalendarMirrorDay).where(CalendarMirrorDay.day == at(3, 10).date()))
        await s.execute(update(BookingDay).values(version=BookingDay.version + 1))
        await s.commit()
    check = await calcom_mode.retell.fn(
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": "übermorgen", "time": "10 Uhr"},
    )
    assert check["status"] == "unavailable", check
    assert "nicht in unseren Kalender sehen" in check["message"]
    assert "zurückrufen" in check["message"]


@pytest.mark.parametrize(
    "args",
    [
        {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"},
        {"service": "Herrenhaarschnitt", "date": "morgen"},
    ],
    ids=["time", "day"],
)
async def test_with_nothing_read_from_calcom_yet_the_agent_never_says_nothing_is_free(
    calcom_mode: CalcomMode, args: dict[str, str]
) -> None:
    """Right after connecting, before any availability arrived: not "nichts frei" (a guess)
    but the truth and a call-back."""
    async with calcom_mode.sessions() as s:
        await s.execute(delete(CalendarMirrorDay))
        await s.execute(update(BookingDay).values(version=BookingDay.version + 1))
        await s.commit()
    check = await calcom_mode.retell.fn("check_availability", args)
    assert check["status"] == "unavailable", check
    assert check["reason"] == "calendar_unknown"
    assert "zurückrufen" in check["message"]


async def test_a_booking_on_calcom_s_own_page_reaches_us_by_webhook_and_is_offered_no_more(
    calcom_mode: CalcomMode,
) -> None:
    """Cal.com's page books Jonas at 10:00; its signed webhook, posted to our endpoint as the
    emulator sent it, and the inbox job make an appointment — and the agent, asked again at
    once (no mirror refresh in between), no longer offers 10:00 with Jonas."""
    retell, emulator = calcom_mode.retell, calcom_mode.emulator
    wish = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr", "staff": "Jonas"}
    assert (await retell.fn("check_availability", wish))["status"] == "available"
    page = await emulator.http.post(
        "/_emulator/bookings",
        json={
            "start": at(2, 10).astimezone(UTC).isoformat(),
            "eventTypeId": HERREN,
            "attendee": {"name": "Walk In", "timeZone": "Europe/Berlin", "email": "w@x.de"},
            "rrHostSubsetIds": [JONAS],
        },
    )
    assert page.status_code == 201, page.text
    [delivery] = await emulator.delivered()
    answer = await retell.http.post(
        delivery.url.path,
        content=delivery.content,
        headers={"X-Cal-Signature-256": delivery.headers["X-Cal-Signature-256"]},
    )
    assert answer.json() == {"status": "accepted"}
    async with calcom_mode.sessions() as s:
        [job] = (await s.execute(select(Job).where(Job.kind == INBOX_JOB))).scalars().all()
    ctx = JobContext(
        job_id=job.id, kind=job.kind, attempt=1, tenant_id=job.tenant_id,
        sessions=calcom_mode.sessions, settings=Settings(), clock=retell.clock, calendars=None,
    )  # fmt: skip
    await process_webhook(ctx, job.payload)
    [row] = await calcom_mode.appointments()
    assert (row.source, row.sync_state) == (AppointmentSource.CALCOM, SyncState.SYNCED)
    assert row.external_uid == page.json()["uid"]
    assert row.starts_at == at(2, 10)
    assert row.staff_id == demo.demo_id("staff", "jonas")
    again = await retell.fn("check_availability", wish)
    assert again["status"] == "unavailable", again
    assert "schon vergeben" in again["message"]
    assert at(2, 10).isoformat() not in [slot["start"] for slot in again["slots"]]


async def test_a_page_booking_whose_webhook_was_dropped_is_created_by_reconcile(
    calcom_mode: CalcomMode,
) -> None:
    """Cal.com's page books Jonas at 10:00 and its webhook never reaches us: one reconcile
    makes the appointment (source calcom), the agent stops offering the time, and a second
    reconcile finds nothing to fix."""
    retell, emulator = calcom_mode.retell, calcom_mode.emulator
    wish = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr", "staff": "Jonas"}
    page = await emulator.http.post(
        "/_emulator/bookings",
        json={
            "start": at(2, 10).astimezone(UTC).isoformat(),
            "eventTypeId": HERREN,
            "attendee": {"name": "Walk In", "timeZone": "Europe/Berlin", "email": "w@x.de"},
            "rrHostSubsetIds": [JONAS],
        },
    )
    assert page.status_code == 201, page.text
    await emulator.delivered()  # sent to the subscriber, never posted to us: lost
    uow = retell.app.state.booking.uow
    [first] = await reconcile(uow, Window(days=3))
    assert first.error is None
    assert [(i.mismatch.kind, i.fix, i.note) for i in first.items] == [
        (Kind.MISSING_HERE, Fix.MERGED, "created")
    ]
    [row] = await calcom_mode.appointments()
    assert (row.source, row.external_uid) == (AppointmentSource.CALCOM, page.json()["uid"])
    assert (row.starts_at, row.staff_id) == (at(2, 10), demo.demo_id("staff", "jonas"))
    again = await retell.fn("check_availability", wish)
    assert again["status"] == "unavailable", again
    [second] = await reconcile(uow, Window(days=3))
    assert second.items == ()


def _creates() -> float:
    """Create requests sent to Cal.com (any outcome) by this process so far."""
    return sum(
        sample.value
        for metric in OUTBOUND_REQUESTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("operation") == "create_booking"
    )


async def test_an_open_breaker_books_pending_at_once_and_availability_answers_with_its_age(
    calcom_mode: CalcomMode,
) -> None:
    """Cal.com failed often enough to open the tenant's breaker (issue 13 item 3): the caller
    still hears free times (from the mirror, whose age REST shows as ``as_of``) and "notiert"
    for a booking that waits as ``pending_sync`` — without a request to Cal.com, so without
    waiting for one. When the breaker has cooled, the job writes the booking through once."""
    retell, emulator, providers = calcom_mode.retell, calcom_mode.emulator, calcom_mode.providers
    for _ in range(providers.guard.breaker.config.failure_threshold):
        await providers.guard.breaker.record_failure(Ticket("salon-sonnenschein", probe=False))
    rejected = BREAKER_REJECTIONS.labels(dependency="calcom")._value.get()
    creates = _creates()
    args = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"}
    check = await retell.fn("check_availability", args)
    assert check["status"] == "available", check
    started = time.perf_counter()
    booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    took = time.perf_counter() - started
    assert booked["status"] == "booked", booked
    assert "notiert" in booked["message"]
    assert took < 2.5  # a functional bound: answered, not a deadline apology
    assert _creates() == creates  # nothing was sent
    assert BREAKER_REJECTIONS.labels(dependency="calcom")._value.get() > rejected
    [row] = await calcom_mode.appointments()
    assert (row.sync_state, row.sync_error) == (SyncState.PENDING_SYNC, "breaker_open")
    assert emulator.state.booking_list() == []

    rest: dict[str, Any] = (
        await retell.http.get(
            "/api/v1/availability",
            params={"service": str(HERREN_ID), "from": retell.now.date().isoformat(), "days": 2},
            headers={"Authorization": f"Bearer {DEMO_KEY}"},
        )
    ).json()
    assert rest["as_of"] is not None, rest  # served from the mirror, with its age
    assert rest["slots"]

    retell.clock.advance(timedelta(seconds=providers.guard.breaker.config.open_for + 1))
    await calcom_mode.run_sync_jobs()
    [row] = await calcom_mode.appointments()
    assert row.sync_state is SyncState.SYNCED
    assert [b.uid for b in emulator.state.booking_list()] == [row.external_uid]


async def test_with_redis_down_a_booking_goes_through_on_in_process_state(
    calcom_mode: CalcomMode,
) -> None:
    """The process was configured with a Redis that is not there (issue 13 item 3): breaker
    and rate budget work from memory, and the booking is written through as usual."""
    retell, emulator = calcom_mode.retell, calcom_mode.emulator
    redis = connect_redis(f"redis://127.0.0.1:{free_port()}/0")
    providers = CalendarProviders(
        Settings(), clock=retell.clock, http=calcom_mode.providers.http, redis=redis
    )
    retell.app.state.booking.uow.calendars = providers
    try:
        args = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"}
        check = await retell.fn("check_availability", args)
        booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    finally:
        await redis.aclose()
    assert booked["status"] == "booked", booked
    assert "notiert" not in booked["message"]
    [row] = await calcom_mode.appointments()
    assert row.sync_state is SyncState.SYNCED
    assert [b.uid for b in emulator.state.booking_list()] == [row.external_uid]
    assert REDIS_FALLBACK_ACTIVE._value.get() == 1
