"""Whole calls through the voice API, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

from tests.clock_support import at
from tests.voice_support import ERIKA, RetellClient, retell_fixture  # noqa: F401

from frontdesk import demo

JONAS = "Jonas Weber"


async def test_the_prior_systems_failing_call_books_in_one_turn(retell: RetellClient) -> None:
    """prior-art §5: the known caller wants a men's haircut tomorrow at 10. Inbound knows her
    name, one check, one booking without any name argument, and the call log shows both."""
    inbound = await retell.inbound(from_number=ERIKA)
    assert inbound.status_code == 200
    variables = inbound.json()["call_inbound"]["dynamic_variables"]
    assert variables["caller_known"] == "true"
    assert variables["caller_name"] == "Erika Mustermann"

    began = time.perf_counter()
    check = await retell.fn(
        "check_availability", {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"}
    )
    assert check["status"] == "available", check
    assert check["requested"] == at(2, 10).isoformat()
    assert check["message"].startswith("Morgen um 10 Uhr ist noch frei")
    slot = check["slots"][0]

    retell.clock.advance(timedelta(seconds=20))  # the caller says yes
    booked = await retell.fn("book_appointment", {"slot_id": slot["slot_id"]})
    elapsed_ms = (time.perf_counter() - began) * 1000
    assert booked["status"] == "booked", booked
    assert booked["appointment"]["start"] == at(2, 10).isoformat()
    assert booked["appointment"]["service"] == "Herrenhaarschnitt"

    rows = await retell.appointments()
    assert len(rows) == 1
    assert rows[0].customer_id == demo.demo_id("customer", "erika")
    logged = await retell.functions()
    assert [(f.name, f.status) for f in logged] == [
        ("check_availability", "available"),
        ("book_appointment", "booked"),
    ]
    # What the agent was told to say is kept for the call's detail.
    assert logged[-1].answer == booked["message"]
    # Each logged latency is the function's own time: never more than the two requests took.
    assert sum(f.latency_ms for f in logged) <= elapsed_ms + 2
    call = await retell.call_row()
    assert rows[0].call_id == call.id
    assert await retell.links() == [(rows[0].id, "booked")]
    assert call.outcome == "booked"
    assert call.customer_id == demo.demo_id("customer", "erika")
