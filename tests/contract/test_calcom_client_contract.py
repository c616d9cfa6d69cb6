"""The Cal.com client against a stand-in that validates all traffic with the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from tests.clock_support import FakeTime
from tests.contract import calcom_payloads as p
from tests.contract.calcom_contract import BASE_URL, ContractServer, error_body, ok
from tests.log_support import LogCapture

from frontdesk.calendars.calcom import client as client_module
from frontdesk.calendars.calcom import transport as transport_module
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.schemas import NewBooking, NewBookingAttendee, NewWebhook
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.calendars.errors import (
    CalendarAuthFailed,
    CalendarNotFound,
    CalendarRejected,
    CalendarUnavailable,
    RateLimited,
    SlotTaken,
)
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.resilience.deadline import Deadline
from frontdesk.resilience.retry import RetryPolicy
from frontdesk.settings import Settings

KEY = "cal_live_0123456789abcdef"
START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[ContractServer]:
    s = ContractServer()
    yield s
    assert s.errors == [], "\n".join(s.errors)


@pytest.fixture
def time() -> FakeTime:
    return FakeTime(START - timedelta(days=1))


@pytest.fixture
async def client(server: ContractServer, time: FakeTime) -> AsyncIterator[CalcomClient]:
    guard = Guard.build(
        clock=time.now,
        monotonic=time.monotonic,
        sleep=time.sleep,
        retry=RetryPolicy(attempts=3, base=0.1, cap=1.0),
    )
    async with httpx.AsyncClient(transport=server.transport()) as http:
        yield CalcomClient.for_tenant(
            http, tenant="salon", api_key=SecretStr(KEY), guard=guard, base_url=BASE_URL
        )


def new_booking(appointment: uuid.UUID, host: int | None = None) -> NewBooking:
    return NewBooking(
        event_type_id=p.EVENT_TYPE_ID,
        start=START,
        attendee=NewBookingAttendee(
            name="Erika Muster",
            time_zone="Europe/Berlin",
            email="erika@example.com",
            phone_number="+4915112345678",
            language="de",
        ),
        metadata={"frontdesk_appointment": str(appointment), "source": "voice"},
        rr_host_subset_ids=(host,) if host else None,
    )


async def test_connect_reads_account_team_members_and_event_types_with_hosts(
    server: ContractServer, client: CalcomClient
) -> None:
    server.route("GET", "/v2/me", lambda r: ok(p.me()))
    server.route("GET", "/v2/teams", lambda r: ok([p.team()]))
    server.route(
        "GET",
        f"/v2/teams/{p.TEAM_ID}/memberships",
        lambda r: ok([p.membership(p.HOST_ANNA, "anna@salon.example", "Anna", "ADMIN")]),
    )
    server.route(
        "GET",
        f"/v2/teams/{p.TEAM_ID}/event-types",
        lambda r: ok([p.event_type([p.host(p.HOST_ANNA, "Anna"), p.host(p.HOST_BEN, "Ben")])]),
    )
    assert (await client.me()).time_zone == "Europe/Berlin"
    (team,) = await client.teams()
    (member,) = await client.memberships(team.id)
    (event_type,) = await client.team_event_types(team.id)
    assert member.user.email == "anna@salon.example"
    assert [h.user_id for h in event_type.hosts] == [p.HOST_ANNA, p.HOST_BEN]
    assert event_type.scheduling_type == "roundRobin"
    versions = {r.url.path: r.headers.get("cal-api-version") for r in server.requests}
    assert versions == {
        "/v2/me": None,
        "/v2/teams": None,
        f"/v2/teams/{p.TEAM_ID}/memberships": None,
        f"/v2/teams/{p.TEAM_ID}/event-types": "2024-06-14",
    }
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in server.requests)


async def test_slots_ask_in_utc_for_one_event_type_and_host(
    server: ContractServer, client: CalcomClient
) -> None:
    server.route(
        "GET",
        "/v2/slots",
        lambda r: ok(
            {
                "2031-03-04": [
                    {
                        "start": "2031-03-04T10:00:00.000+01:00",
                        "end": "2031-03-04T10:30:00.000+01:00",
                    }
                ]
            }
        ),
    )
    days = await client.slots(
        p.EVENT_TYPE_ID, START, START + timedelta(days=1), time_zone="Europe/Berlin", host_ids=[11]
    )
    (request,) = server.requests
    assert request.headers["cal-api-version"] == "2024-09-04"
    assert request.url.params["start"] == "2031-03-04T09:00:00.000Z"
    assert request.url.params["rrHostSubsetIds"] == "11"
    (slot,) = days[datetime(2031, 3, 4).date()]
    assert slot.start == START


async def test_create_sends_our_id_in_metadata_and_reads_the_assigned_host(
    server: ContractServer, client: CalcomClient
) -> None:
    appointment = uuid.uuid4()
    server.route(
        "POST",
        "/v2/bookings",
        lambda r: ok(
            p.booking(
                "bk-1",
                "2031-03-04T09:00:00.000Z",
                "2031-03-04T09:30:00.000Z",
                metadata=json.loads(r.content)["metadata"],
            ),
            201,
        ),
    )
    booking = await client.create_booking(new_booking(appointment, host=p.HOST_ANNA))
    (request,) = server.requests
    body = json.loads(request.content)
    assert request.headers["cal-api-version"] == "2024-08-13"
    assert body["start"] == "2031-03-04T09:00:00.000Z"
    assert body["eventTypeId"] == p.EVENT_TYPE_ID
    assert body["rrHostSubsetIds"] == [p.HOST_ANNA]
    assert booking.metadata["frontdesk_appointment"] == str(appointment)
    assert booking.hosts[0].id == p.HOST_ANNA


async def test_a_taken_time_is_a_400_and_becomes_slot_taken_without_retry(
    server: ContractServer, client: CalcomClient
) -> None:
    message = "One of the hosts either already has booking at this time or is not available"
    server.route(
        "POST",
        "/v2/bookings",
        lambda r: httpx.Response(400, json=error_body(400, "BadRequestException", message)),
    )
    with pytest.raises(SlotTaken, match="already has booking"):
        await client.create_booking(new_booking(uuid.uuid4()))
    assert len(server.requests) == 1


async def test_a_create_answered_5xx_is_never_sent_again(
    server: ContractServer, client: CalcomClient
) -> None:
    server.route(
        "POST",
        "/v2/bookings",
        lambda r: httpx.Response(500, json=error_body(500, "InternalServerError", "boom")),
    )
    with pytest.raises(CalendarUnavailable) as info:
        await client.create_booking(new_booking(uuid.uuid4()))
    assert info.value.maybe_applied
    assert len(server.requests) == 1


async def test_a_create_that_never_connected_is_retried(
    server: ContractServer, client: CalcomClient, time: FakeTime
) -> None:
    attempts = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise httpx.ConnectError("refused", request=request)
        return ok(p.booking("bk-2", "2031-03-04T09:00:00.000Z", "2031-03-04T09:30:00.000Z"), 201)

    server.route("POST", "/v2/bookings", flaky)
    assert (await client.create_booking(new_booking(uuid.uuid4()))).uid == "bk-2"
    assert attempts == 2
    assert len(time.sleeps) == 1


async def test_reads_are_retried_after_a_5xx(server: ContractServer, client: CalcomClient) -> None:
    answers = [
        httpx.Response(503, json=error_body(503, "ServiceUnavailable", "busy")),
        ok(p.booking("bk-3", "2031-03-04T09:00:00.000Z", "2031-03-04T09:30:00.000Z")),
    ]
    server.route("GET", "/v2/bookings/bk-3", lambda r: answers.pop(0))
    assert (await client.get_booking("bk-3")).uid == "bk-3"
    assert len(server.requests) == 2


async def test_a_429_blocks_the_key_for_the_block_duration(
    server: ContractServer, client: CalcomClient, time: FakeTime
) -> None:
    server.route(
        "GET",
        "/v2/bookings/bk-4",
        lambda r: httpx.Response(
            429,
            headers={"X-RateLimit-Limit-Default": "120", "X-RateLimit-Remaining-Default": "0"},
            json=error_body(429, "ThrottlerException", "Too many requests"),
        ),
    )
    with pytest.raises(RateLimited) as info:
        await client.get_booking("bk-4")
    assert info.value.retry_in == 60.0
    assert len(server.requests) == 1  # 60 s do not fit the 15 s budget: no retry
    with pytest.raises(CalendarUnavailable) as again:
        await client.get_booking("bk-4")
    assert again.value.reason == "rate_budget"
    assert len(server.requests) == 1  # refused here, Cal.com never saw it
    time.advance(60.0)
    with pytest.raises(RateLimited):
        await client.get_booking("bk-4")
    assert len(server.requests) == 2


async def test_a_self_hosted_block_duration_is_honoured(
    server: ContractServer, time: FakeTime
) -> None:
    """A self-hosted Cal.com may block for another time (settings.calcom_block_seconds)."""
    server.route(
        "GET",
        "/v2/bookings/bk-5",
        lambda r: httpx.Response(429, json=error_body(429, "ThrottlerException", "Too many")),
    )
    guard = Guard.build(
        clock=time.now, monotonic=time.monotonic, sleep=time.sleep, block_seconds=5.0
    )
    async with httpx.AsyncClient(transport=server.transport()) as http:
        client = CalcomClient.for_tenant(
            http, tenant="salon", api_key=SecretStr(KEY), guard=guard, base_url=BASE_URL
        )
        with pytest.raises(RateLimited) as info:
            await client.get_booking("bk-5")
        assert info.value.retry_in == 5.0
        time.advance(5.0)
        with pytest.raises(RateLimited):  # sent again (and refused again) after 5 s
            await client.get_booking("bk-5")
    assert len(server.requests) >= 2


async def test_the_block_duration_comes_from_the_settings(time: FakeTime) -> None:
    providers = CalendarProviders(Settings(calcom_block_seconds=7.0), clock=time.now)
    try:
        assert providers.guard.block_seconds == 7.0
    finally:
        await providers.aclose()


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, CalendarAuthFailed), (403, CalendarAuthFailed), (404, CalendarNotFound)],
)
async def test_refusals_map_to_their_meaning(
    server: ContractServer, client: CalcomClient, status: int, error: type[Exception]
) -> None:
    server.route(
        "GET",
        "/v2/bookings/x",
        lambda r: httpx.Response(status, json=error_body(status, "E", "no")),
    )
    with pytest.raises(error):
        await client.get_booking("x")
    assert len(server.requests) == 1


async def test_lookup_by_metadata_filters_time_and_event_type_itself(
    server: ContractServer, client: CalcomClient
) -> None:
    ours = str(uuid.uuid4())
    pages = [
        ok(
            [
                # Outside the window although afterStart/beforeEnd were sent (reported ignored).
                p.booking(
                    "old",
                    "2031-01-01T09:00:00.000Z",
                    "2031-01-01T09:30:00.000Z",
                    metadata={"frontdesk_appointment": ours},
                ),
                p.booking("other", "2031-03-04T09:00:00.000Z", "2031-03-04T09:30:00.000Z"),
            ],
            pagination=p.pagination(2, has_next=True),
        ),
        ok(
            [
                p.booking(
                    "ours",
                    "2031-03-04T09:00:00.000Z",
                    "2031-03-04T09:30:00.000Z",
                    metadata={"frontdesk_appointment": ours},
                )
            ],
            pagination=p.pagination(1, has_next=False, page=2),
        ),
    ]
    server.route("GET", "/v2/bookings", lambda r: pages.pop(0))
    found = await client.find_booking(
        metadata_key="frontdesk_appointment",
        value=ours,
        starts_from=START - timedelta(hours=1),
        starts_before=START + timedelta(hours=1),
        team_id=p.TEAM_ID,
        event_type_id=p.EVENT_TYPE_ID,
    )
    assert found is not None
    assert found.uid == "ours"
    first = server.requests[0].url.params
    assert first["teamId"] == str(p.TEAM_ID)
    assert first["afterStart"] == "2031-03-04T08:00:00.000Z"
    assert [r.url.params["skip"] for r in server.requests] == ["0", "100"]


async def test_cancel_and_reschedule_keep_the_uid_chain(
    server: ContractServer, client: CalcomClient
) -> None:
    server.route(
        "POST",
        "/v2/bookings/bk-5/reschedule",
        lambda r: ok(
            p.booking(
                "bk-6",
                "2031-03-05T09:00:00.000Z",
                "2031-03-05T09:30:00.000Z",
                rescheduled_from="bk-5",
            ),
            201,
        ),
    )
    server.route(
        "POST",
        "/v2/bookings/bk-6/cancel",
        lambda r: ok(
            p.booking(
                "bk-6", "2031-03-05T09:00:00.000Z", "2031-03-05T09:30:00.000Z", status="cancelled"
            )
        ),
    )
    moved = await client.reschedule_booking("bk-5", START + timedelta(days=1), reason="Kunde")
    assert (moved.uid, moved.rescheduled_from_uid) == ("bk-6", "bk-5")
    cancelled = await client.cancel_booking("bk-6", reason="Kunde hat abgesagt")
    assert cancelled.status == "cancelled"
    assert all(r.headers["cal-api-version"] == "2024-08-13" for r in server.requests)


async def test_team_event_type_webhooks_are_managed_per_event_type(
    server: ContractServer, client: CalcomClient
) -> None:
    path = f"/v2/teams/{p.TEAM_ID}/event-types/{p.EVENT_TYPE_ID}/webhooks"
    url = "https://frontdesk.example/calcom/webhook/salon"
    server.route(
        "POST", path, lambda r: ok(p.webhook(5, json.loads(r.content)["subscriberUrl"]), 201)
    )
    server.route("GET", path, lambda r: ok([p.webhook(5, url)]))
    server.route("DELETE", f"{path}/5", lambda r: ok(p.webhook(5, url)))
    created = await client.create_event_type_webhook(
        p.TEAM_ID,
        p.EVENT_TYPE_ID,
        NewWebhook(
            subscriber_url=url,
            triggers=("BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED"),
            secret=SecretStr("whsec-generated"),
        ),
    )
    assert json.loads(server.requests[0].content)["secret"] == "whsec-generated"
    assert "whsec" not in repr(created)
    assert [w.id for w in await client.event_type_webhooks(p.TEAM_ID, p.EVENT_TYPE_ID)] == [5]
    await client.delete_event_type_webhook(p.TEAM_ID, p.EVENT_TYPE_ID, 5)


async def test_the_breaker_opens_after_five_failures_and_then_spares_cal_com(
    server: ContractServer, client: CalcomClient
) -> None:
    server.route(
        "GET", "/v2/bookings/bk-7", lambda r: httpx.Response(502, json=error_body(502, "Bad", "gw"))
    )
    with pytest.raises(CalendarUnavailable):
        await client.get_booking("bk-7")  # 3 attempts
    with pytest.raises(CalendarUnavailable):
        await client.get_booking("bk-7")  # 2 more: 5 within the window
    sent = len(server.requests)
    assert sent == 5
    with pytest.raises(CalendarUnavailable) as info:
        await client.get_booking("bk-7")
    assert info.value.reason == "breaker_open"
    assert len(server.requests) == sent


async def test_the_key_never_reaches_logs_or_reprs(
    server: ContractServer, client: CalcomClient, logs_of: LogCapture
) -> None:
    server.route(
        "GET",
        "/v2/bookings/bk-8",
        lambda r: httpx.Response(401, json=error_body(401, "E", "bad key")),
    )
    with (
        logs_of(client_module, transport_module) as logs,
        pytest.raises(CalendarAuthFailed) as info,
    ):
        await client.get_booking("bk-8")
    assert logs, "the refusal is logged"
    assert KEY not in repr(logs)
    assert KEY not in repr(client)
    assert KEY not in str(info.value)


async def test_a_slow_cal_com_cannot_outlast_the_callers_deadline() -> None:
    loop = asyncio.get_running_loop()

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return ok({})

    guard = Guard.build(clock=lambda: START, monotonic=loop.time, sleep=asyncio.sleep)
    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
        client = CalcomClient.for_tenant(
            http, tenant="salon", api_key=SecretStr(KEY), guard=guard, base_url=BASE_URL
        )
        with pytest.raises(CalendarUnavailable) as info:
            await client.create_booking(
                new_booking(uuid.uuid4()), deadline=Deadline.after(0.2, loop.time)
            )
    assert info.value.reason == "timeout"
    assert info.value.maybe_applied  # sent, then no answer: look it up before any retry


async def test_a_cancel_retried_after_a_lost_answer_is_done_not_refused(
    server: ContractServer, client: CalcomClient
) -> None:
    """Cal.com answers a second cancel with 400 "already been cancelled": after a 5xx whose
    cancel was applied, the retry must not turn a done cancel into a refusal."""
    answers = [
        httpx.Response(500, json=error_body(500, "InternalServerErrorException", "boom")),
        httpx.Response(
            400,
            json=error_body(400, "BadRequestException", "This booking has already been cancelled."),
        ),
    ]
    server.route("POST", "/v2/bookings/bk-9/cancel", lambda r: answers.pop(0))
    server.route(
        "GET",
        "/v2/bookings/bk-9",
        lambda r: ok(
            p.booking(
                "bk-9", "2031-03-04T09:00:00.000Z", "2031-03-04T09:30:00.000Z", status="cancelled"
            )
        ),
    )
    cancelled = await client.cancel_booking("bk-9", reason="Kunde")
    assert (cancelled.uid, cancelled.status) == ("bk-9", "cancelled")


async def test_cancelling_a_rescheduled_booking_stays_refused(
    server: ContractServer, client: CalcomClient
) -> None:
    server.route(
        "POST",
        "/v2/bookings/bk-10/cancel",
        lambda r: httpx.Response(
            400,
            json=error_body(400, "BadRequestException", "This booking has already been cancelled."),
        ),
    )
    moved = p.booking(
        "bk-10", "2031-03-04T09:00:00.000Z", "2031-03-04T09:30:00.000Z", status="cancelled"
    )
    moved["rescheduledToUid"] = "bk-11"
    server.route("GET", "/v2/bookings/bk-10", lambda r: ok(moved))
    with pytest.raises(CalendarRejected, match="already been cancelled"):
        await client.cancel_booking("bk-10")
