"""A voice booking in Cal.com mode is one trace that reaches the provider (ADR 0023): the HTTP
span, the use case, its SQL and the httpx client span of the booking request to Cal.com (the
emulator)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.calcom_emulator_support import KEY, running_emulator
from tests.clock_support import FakeTime
from tests.contract.calcom_contract import BASE_URL
from tests.trace_support import assert_no_personal_data, named, recording, span_id, trace_hex
from tests.voice_support import RetellClient, retell_client, seed

from frontdesk.calendars.calcom.connect import ConnectRequest, connect
from frontdesk.calendars.mirror.refresher import MirrorRefresher
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.observability.tracing import instrument_http_client
from frontdesk.settings import Settings


@pytest.fixture
async def traced_calcom(
    db: AsyncEngine,
) -> AsyncIterator[tuple[RetellClient, InMemorySpanExporter]]:
    await seed(db)
    time_ = FakeTime()
    with recording() as spans:
        async with running_emulator(time_, real_sleep=True) as emulator:
            async for retell in retell_client(db, now=time_.now()):
                sessions = retell.app.state.resources.sessions
                await connect(
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
                http = httpx.AsyncClient(transport=emulator.transport)
                # What resources.open_resources does with the providers' own pool.
                instrument_http_client(http)
                providers = CalendarProviders(Settings(), clock=retell.clock, http=http)
                retell.app.state.booking.uow.calendars = providers
                refresher = MirrorRefresher(
                    sessions,
                    providers.port,
                    clock=retell.clock,
                    monotonic=time.monotonic,
                    budget=None,
                )
                for _ in range(4):
                    await refresher.refresh()
                yield retell, spans
                await http.aclose()


async def test_a_calcom_booking_has_a_client_span_to_the_provider_under_the_use_case(
    traced_calcom: tuple[RetellClient, InMemorySpanExporter],
) -> None:
    retell, spans = traced_calcom
    # The refresher's provider calls outside any request started no trace (the sampler).
    assert not [s for s in spans.get_finished_spans() if s.kind == SpanKind.CLIENT]
    check = await retell.fn(
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr", "staff": "Jonas"},
    )
    assert check["status"] == "available", check
    retell.clock.advance(timedelta(seconds=20))
    spans.clear()
    booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    assert booked["status"] == "booked", booked
    finished = spans.get_finished_spans()
    server = named(finished, "POST /retell/functions/{name}")
    use_case = named(finished, "booking.book")
    outbound = [s for s in finished if s.kind == SpanKind.CLIENT and s.name == "POST"]
    assert outbound, [s.name for s in finished]
    [create] = [s for s in outbound if "/v2/bookings" in str((s.attributes or {}).get("http.url"))]
    assert (create.attributes or {})["http.status_code"] == 201
    assert {trace_hex(s) for s in finished} == {trace_hex(server)}
    # The provider call sits below the use case (through the saga's own steps, if any).
    by_id = {span_id(s): s for s in finished}
    ancestors = []
    parent = create.parent
    while parent is not None:
        ancestors.append(by_id[parent.span_id].name)
        parent = by_id[parent.span_id].parent
    assert ancestors[-2:] == [use_case.name, server.name], ancestors
    assert_no_personal_data(finished)
