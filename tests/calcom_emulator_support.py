"""The Cal.com emulator in-process for tests: our ``CalcomClient`` talks to it through an
ASGI transport that checks every request and successful answer against the OpenAPI document
(tests/contract/calcom_contract.py), and webhooks land in a list instead of the network."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from tests.clock_support import FakeTime
from tests.contract.calcom_contract import BASE_URL, OpenAPIRequest, OpenAPIResponse, _why, openapi

from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.emulator import (
    DEFAULT_API_KEY,
    EmulatorState,
    Faults,
    create_emulator_app,
    demo_catalogue,
)
from frontdesk.calendars.calcom.emulator.context import Context
from frontdesk.calendars.calcom.emulator.gate import Sleep
from frontdesk.calendars.calcom.emulator.seed import EVENT_TYPE_IDS, TEAM_ID, USER_IDS
from frontdesk.calendars.calcom.schemas import NewBooking, NewBookingAttendee
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.resilience.ratelimit import RateLimit
from frontdesk.resilience.retry import RetryPolicy

KEY = DEFAULT_API_KEY
ANNA, JONAS, MIA = USER_IDS["anna"], USER_IDS["jonas"], USER_IDS["mia"]
HERREN = EVENT_TYPE_IDS["herrenhaarschnitt"]
BART = EVENT_TYPE_IDS["bartpflege"]
DAMEN = EVENT_TYPE_IDS["damenhaarschnitt"]
OURS = "frontdesk_appointment"
__all__ = [
    "ANNA",
    "BART",
    "DAMEN",
    "HERREN",
    "JONAS",
    "KEY",
    "MIA",
    "OURS",
    "TEAM_ID",
    "Emulator",
    "booking_of",
]


class ValidatingTransport(httpx.AsyncBaseTransport):
    """ASGI into the emulator; ``/v2`` traffic is checked against the document."""

    def __init__(self, app: FastAPI) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.errors: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if not request.url.path.startswith("/v2"):
            return response
        await response.aread()
        spec_request = OpenAPIRequest(request)
        where = f"{request.method} {request.url.path}"
        try:
            openapi().validate_request(spec_request)
        except Exception as exc:
            self.errors.append(f"request {where}: {_why(exc)}")
        if response.is_success:
            try:
                openapi().validate_response(spec_request, OpenAPIResponse(response))
            except Exception as exc:
                self.errors.append(f"response {where}: {_why(exc)}")
        return response


@dataclass
class Emulator:
    """One emulator, its fake time, a raw HTTP client into it (``http``) and our Cal.com
    client on top (``client``, its traffic checked against the document)."""

    state: EmulatorState
    app: FastAPI
    time: FakeTime
    transport: ValidatingTransport
    http: httpx.AsyncClient
    client: CalcomClient
    received: list[httpx.Request] = field(default_factory=list)

    @property
    def ctx(self) -> Context:
        ctx: Context = self.app.state.emulator
        return ctx

    def now(self) -> datetime:
        return self.time.now()

    async def delivered(self) -> list[httpx.Request]:
        await self.ctx.dispatcher.drain()
        return self.received

    async def faults(self, **switches: object) -> None:
        response = await self.http.put("/_emulator/faults", json=switches)
        assert response.status_code == 200, response.text


@asynccontextmanager
async def running_emulator(
    time: FakeTime,
    *,
    faults: Faults | None = None,
    webhook_status: int = 200,
    real_sleep: bool = False,
    sleep: Sleep | None = None,
) -> AsyncIterator[Emulator]:
    """``sleep`` serves the emulator's waits (latency, hangs, webhook reordering): by default
    the fake time's (no wait), with ``real_sleep`` asyncio's."""
    received: list[httpx.Request] = []

    def subscriber(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(webhook_status)

    state = EmulatorState(demo_catalogue(), faults=faults)
    async with httpx.AsyncClient(transport=httpx.MockTransport(subscriber)) as hooks:
        app = create_emulator_app(
            state,
            clock=time.now,
            webhook_http=hooks,
            sleep=sleep or (asyncio.sleep if real_sleep else time.sleep),
        )
        transport = ValidatingTransport(app)
        guard = Guard.build(
            clock=time.now,
            monotonic=time.monotonic,
            sleep=time.sleep,
            retry=RetryPolicy(attempts=3, base=0.1, cap=1.0),
            # Above Cal.com's 120/min: the rate tests want the emulator's throttler to speak.
            rate=RateLimit(limit=1000, window=60.0),
        )
        async with (
            httpx.AsyncClient(transport=transport) as checked,
            # Raw requests (admin API, deliberately wrong ones) bypass the document check.
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http,
        ):
            client = CalcomClient.for_tenant(
                checked, tenant="salon", api_key=SecretStr(KEY), guard=guard, base_url=BASE_URL
            )
            yield Emulator(state, app, time, transport, http, client, received)
            await app.state.emulator.dispatcher.drain()


def booking_of(event_type: int, start: datetime, *, hosts: tuple[int, ...] = ()) -> NewBooking:
    return NewBooking(
        event_type_id=event_type,
        start=start,
        attendee=NewBookingAttendee(
            name="Erika Mustermann",
            time_zone="Europe/Berlin",
            email="erika@example.com",
            phone_number="+4915112345678",
            language="de",
        ),
        metadata={OURS: str(uuid.uuid4()), "source": "voice"},
        rr_host_subset_ids=hosts or None,
    )


class HeldSleep:
    """A sleep that waits until the test releases it: ``release_in_order`` wakes the sleepers
    shortest delay first, letting each run to its next wait, so orderings that depend on
    delays are tested without real time."""

    def __init__(self) -> None:
        self._held: list[tuple[float, asyncio.Future[None]]] = []

    async def __call__(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._held.append((seconds, woken))
        await woken

    @property
    def delays(self) -> list[float]:
        return [seconds for seconds, _ in self._held]

    async def release_in_order(self) -> None:
        for _, woken in sorted(self._held, key=lambda held: held[0]):
            woken.set_result(None)
            for _ in range(20):  # let the woken task finish its send
                await asyncio.sleep(0)
        self._held.clear()
