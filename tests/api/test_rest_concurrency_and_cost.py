"""Races through the real HTTP stack, and the number of SQL statements hot paths issue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeClock, at
from tests.rest_support import BART, HERREN, JONAS, booking

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import Appointment

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def app_state(client: httpx.AsyncClient) -> Any:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return transport.app.state  # type: ignore[attr-defined]


@contextmanager
def count_statements(client: httpx.AsyncClient) -> Iterator[list[str]]:
    """Collect the SQL statements (not transaction control) the app's engine executes."""
    engine: AsyncEngine = app_state(client).resources.engine
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def test_fifty_simultaneous_bookings_of_one_slot(
    demo_client: httpx.AsyncClient, db: AsyncEngine
) -> None:
    async def attempt(i: int) -> httpx.Response:
        body = booking(
            service=BART,
            start=at(2, 10),
            staff_id=JONAS,
            customer={"name": f"Anrufer {i}", "phone": f"+4917100000{i:02d}"},
        )
        return await demo_client.post("/api/v1/appointments", json=body)

    responses = await asyncio.gather(*(attempt(i) for i in range(50)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1
    assert statuses.count(409) == 49, statuses
    for response in responses:
        if response.status_code == 409:
            body = response.json()
            assert body["code"] == "slot_taken"
            assert body["alternatives"], body
    async with create_session_factory(db, FakeClock())() as session:
        count = (await session.execute(select(func.count()).select_from(Appointment))).scalar_one()
    assert count == 1


async def test_availability_reads_in_a_bounded_number_of_queries(
    demo_client: httpx.AsyncClient, db: AsyncEngine
) -> None:
    for hour in (10, 11, 14):  # some appointments to read
        await demo_client.post("/api/v1/appointments", json=booking(start=at(2, hour)))
    params = {"service": HERREN, "from": "2026-12-01", "days": 14}
    with count_statements(demo_client) as cold:
        response = await demo_client.get("/api/v1/availability", params=params)
    assert response.status_code == 200
    # Catalogue cached by the bookings above: branch and day versions (one query), appointments.
    assert len(cold) == 2, cold
    with count_statements(demo_client) as other_range:
        await demo_client.get("/api/v1/availability", params={**params, "days": 60})
    assert len(other_range) == len(cold)
    # The same search again, nothing written since: only the versions are read.
    with count_statements(demo_client) as repeated:
        await demo_client.get("/api/v1/availability", params=params)
    assert len(repeated) == 1, repeated


async def test_availability_on_a_cold_cache_is_still_bounded(
    demo_client: httpx.AsyncClient, db: AsyncEngine
) -> None:
    app_state(demo_client).booking.uow.catalogs._entries.clear()
    with count_statements(demo_client) as statements:
        response = await demo_client.get("/api/v1/availability", params={"service": HERREN})
    assert response.status_code == 200
    # API key + branch and day versions + eight catalogue queries (the eighth: the branch's
    # opening hours, ADR 0021) + appointments: a constant, whatever the number of staff,
    # services or days.
    assert len(statements) == 11, statements


async def test_booking_by_a_known_customer_costs_at_most_ten_statements(
    demo_client: httpx.AsyncClient, db: AsyncEngine
) -> None:
    await demo_client.get("/api/v1/availability", params={"service": HERREN})  # warm caches
    with count_statements(demo_client) as plain:
        response = await demo_client.post("/api/v1/appointments", json=booking())
    assert response.status_code == 201
    # Since customer messages (ADR 0024) two more than before: the change's message sequence
    # (one upsert) and its message job, in the booking's transaction.
    assert 3 <= len(plain) <= 8, plain
    with count_statements(demo_client) as keyed:
        response = await demo_client.post(
            "/api/v1/appointments",
            json=booking(start=at(1, 11)),
            headers={"Idempotency-Key": "cost-check"},
        )
    assert response.status_code == 201
    # And the idempotency record's insert and its update.
    assert 3 <= len(keyed) <= 10, keyed
