"""Webhooks from the emulator: Cal.com's body, signature, triggers and delivery semantics."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx
from pydantic import SecretStr
from tests.calcom_emulator_support import (
    BART,
    HERREN,
    JONAS,
    TEAM_ID,
    Emulator,
    HeldSleep,
    booking_of,
    running_emulator,
)
from tests.clock_support import FakeTime, at

from frontdesk.calendars.calcom.schemas import NewWebhook

SECRET = "whsec-emulator"
URL = "https://frontdesk.example/calcom/webhook/salon"
TRIGGERS = ("BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED")


async def subscribe(
    emulator: Emulator, event_type: int, secret: str | None = SECRET, url: str = URL
) -> None:
    await emulator.client.create_event_type_webhook(
        TEAM_ID,
        event_type,
        NewWebhook(
            subscriber_url=url,
            triggers=TRIGGERS,
            secret=SecretStr(secret) if secret else None,
        ),
    )


def envelope(request: httpx.Request) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(request.content)
    return data


async def test_a_booking_is_posted_signed_over_the_exact_compact_body(emulator: Emulator) -> None:
    await subscribe(emulator, BART)
    booking = await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    (request,) = await emulator.delivered()
    raw = request.content
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert request.headers["X-Cal-Signature-256"] == expected
    assert request.headers["Content-Type"] == "application/json"
    assert str(request.url) == URL
    assert b'": ' not in raw
    assert b', "' not in raw  # JSON.stringify: no spaces
    body = envelope(request)
    assert set(body) == {"triggerEvent", "createdAt", "payload"}
    assert body["triggerEvent"] == "BOOKING_CREATED"
    payload = body["payload"]
    assert payload["uid"] == booking.uid
    assert payload["bookingId"] == booking.id
    assert payload["eventTypeId"] == BART
    assert payload["type"] == "bartpflege"
    assert payload["status"] == "ACCEPTED"
    assert payload["startTime"] == "2026-12-08T09:00:00Z"
    assert payload["endTime"] == "2026-12-08T09:20:00Z"
    assert payload["length"] == 20
    assert payload["metadata"] == dict(booking.metadata)
    organizer = payload["organizer"]
    assert (organizer["id"], organizer["email"], organizer["language"]) == (
        JONAS,
        "jonas@salon-sonnenschein.de",
        {"locale": "de"},
    )
    (attendee,) = payload["attendees"]
    assert attendee["phoneNumber"] == "+4915112345678"
    assert attendee["language"] == {"locale": "de"}
    assert payload["responses"]["name"]["value"] == "Erika Mustermann"


async def test_reschedule_and_cancel_fire_their_triggers(emulator: Emulator) -> None:
    await subscribe(emulator, BART)
    first = await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    moved = await emulator.client.reschedule_booking(first.uid, at(8, 11, 0))
    await emulator.client.cancel_booking(moved.uid, reason="Kunde krank")
    created, rescheduled, cancelled = (envelope(r) for r in await emulator.delivered())
    assert [created["triggerEvent"], rescheduled["triggerEvent"], cancelled["triggerEvent"]] == [
        "BOOKING_CREATED",
        "BOOKING_RESCHEDULED",
        "BOOKING_CANCELLED",
    ]
    assert rescheduled["payload"]["uid"] == moved.uid
    assert rescheduled["payload"]["rescheduleUid"] == first.uid
    assert rescheduled["payload"]["rescheduleStartTime"] == "2026-12-08T09:00:00Z"
    assert cancelled["payload"]["status"] == "CANCELLED"
    assert cancelled["payload"]["cancellationReason"] == "Kunde krank"
    assert cancelled["payload"]["cancelledBy"] == "inhaber@salon-sonnenschein.de"  # the key's user


async def test_without_a_secret_the_header_says_so(emulator: Emulator) -> None:
    await subscribe(emulator, BART, secret=None)
    await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    (request,) = await emulator.delivered()
    assert request.headers["X-Cal-Signature-256"] == "no-secret-provided"


async def test_only_subscribers_of_the_event_type_hear_of_it(emulator: Emulator) -> None:
    await subscribe(emulator, HERREN)
    await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    assert await emulator.delivered() == []
    hooks = await emulator.client.event_type_webhooks(TEAM_ID, HERREN)
    await emulator.client.delete_event_type_webhook(TEAM_ID, HERREN, hooks[0].id)
    assert await emulator.client.event_type_webhooks(TEAM_ID, HERREN) == ()


async def test_a_booking_on_cal_coms_own_page_fires_the_same_webhook(emulator: Emulator) -> None:
    await subscribe(emulator, BART)
    response = await emulator.http.post(
        "/_emulator/bookings",
        json={
            "start": "2026-12-08T10:00:00Z",
            "eventTypeId": BART,
            "attendee": {"name": "Walk-in", "timeZone": "Europe/Berlin", "email": "w@x.de"},
        },
    )
    assert response.status_code == 201
    (request,) = await emulator.delivered()
    assert envelope(request)["payload"]["uid"] == response.json()["uid"]
    emulator.received.clear()
    uid = response.json()["uid"]
    moved = await emulator.http.post(
        f"/_emulator/bookings/{uid}/reschedule", json={"start": "2026-12-08T11:00:00Z"}
    )
    assert moved.status_code == 201
    new_uid = moved.json()["uid"]
    cancelled = await emulator.http.post(f"/_emulator/bookings/{new_uid}/cancel", json={})
    assert cancelled.json()["status"] == "cancelled"
    rescheduled, gone = (envelope(r) for r in await emulator.delivered())
    assert rescheduled["payload"]["rescheduleUid"] == uid
    assert gone["payload"]["cancelledBy"] == "w@x.de"  # the attendee, via the e-mail's link
    state = (await emulator.http.get("/_emulator/state")).json()
    assert [b["source"] for b in state["bookings"]] == ["page", "page"]


async def test_the_reschedule_quirk_fires_booking_requested_which_nobody_hears(
    emulator: Emulator,
) -> None:
    await subscribe(emulator, BART)
    await emulator.faults(reschedule_fires_requested=True)
    first = await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    await emulator.client.reschedule_booking(first.uid, at(8, 11, 0))
    triggers = [envelope(r)["triggerEvent"] for r in await emulator.delivered()]
    assert triggers == ["BOOKING_CREATED"]  # subscribed to RESCHEDULED, not REQUESTED


async def test_a_failed_delivery_is_not_retried(time: FakeTime) -> None:
    async with running_emulator(time, webhook_status=500) as emulator:
        await subscribe(emulator, BART)
        booking = await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
        assert len(await emulator.delivered()) == 1
        assert [d.outcome for d in emulator.state.deliveries] == ["delivered 500"]
        assert (await emulator.client.get_booking(booking.uid)).status == "accepted"


async def test_dropped_and_duplicated_deliveries(emulator: Emulator) -> None:
    await subscribe(emulator, BART)
    await emulator.faults(webhook_drop_rate=1.0)
    await emulator.client.create_booking(booking_of(BART, at(8, 10, 0)))
    assert await emulator.delivered() == []
    assert [d.outcome for d in emulator.state.deliveries] == ["dropped"]

    await emulator.faults(webhook_duplicate_rate=1.0)
    await emulator.client.create_booking(booking_of(BART, at(8, 11, 0)))
    twice = await emulator.delivered()
    assert len(twice) == 2
    assert twice[0].content == twice[1].content


async def test_reordering_delivers_in_the_order_of_seeded_delays(time: FakeTime) -> None:
    held = HeldSleep()
    async with running_emulator(time, sleep=held) as emulator:
        await subscribe(emulator, BART)
        await emulator.faults(webhook_reorder_ms=60, seed=40)
        uids = [
            (await emulator.client.create_booking(booking_of(BART, at(8, hour, 0)))).uid
            for hour in (9, 10, 11)
        ]
        for _ in range(5):  # the delivery tasks start and wait
            await asyncio.sleep(0)
        assert emulator.received == []
        # Seed 40 draws 27.5, 52.7 and 1.9 ms: the third booking's webhook arrives first.
        assert [round(d * 1000, 1) for d in held.delays] == [27.5, 52.7, 1.9]
        await held.release_in_order()
        arrived = [envelope(r)["payload"]["uid"] for r in await emulator.delivered()]
    assert arrived == [uids[2], uids[0], uids[1]]
