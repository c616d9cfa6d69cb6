"""Call events in any order, the function log, and the inbound-call webhook."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.clock_support import FakeClock, at
from tests.voice_support import (
    ERIKA,
    OTHER_KEY,
    OTHER_SALON,
    STRANGER,
    RetellClient,
    add_other_salon,
    analyzed,
    ended,
    retell_fixture,  # noqa: F401
    started,
)

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import CallFunction
from frontdesk.voice import event_writes

EVENTS = {"call_started": started, "call_ended": ended, "call_analyzed": analyzed}


@pytest.mark.parametrize(
    "order", list(itertools.permutations(EVENTS)), ids=lambda o: ">".join(e[5:] for e in o)
)
async def test_events_in_any_order_give_the_same_complete_call(
    retell: RetellClient, order: tuple[str, ...]
) -> None:
    for event in order:
        response = await retell.event(event, EVENTS[event]())
        assert response.status_code == 204
    # Retell retries: a repeat of any event changes nothing.
    assert (await retell.event(order[0], EVENTS[order[0]]())).status_code == 204
    call = await retell.call_row("call_ev")
    assert call.call_status == "ended"
    assert call.started_at == at(1, 9, 0)
    assert call.ended_at == at(1, 9, 3)
    assert call.duration_ms == 180_000
    assert call.disconnection_reason == "user_hangup"
    assert call.transcript is not None
    assert "Jürgen" in call.transcript
    assert call.summary == "Der Anrufer hat einen Termin gebucht."
    assert call.sentiment == "Positive"
    assert call.successful is True
    assert call.analysis["call_successful"] is True
    assert call.from_number == ERIKA
    assert call.agent_id == "agent_1"
    assert await retell.count(type(call)) == 1


async def test_unknown_events_are_acknowledged_and_ignored(retell: RetellClient) -> None:
    for event in ("transcript_updated", "transfer_started", "chat_started", None):
        response = await retell.event(event, started())  # type: ignore[arg-type]
        assert response.status_code == 204
    assert await retell.written() == 0


async def test_an_event_for_an_unknown_number_is_acknowledged_not_stored(
    retell: RetellClient,
) -> None:
    response = await retell.event("call_ended", {**ended(), "to_number": "+4989123456789"})
    assert response.status_code == 204
    assert await retell.written() == 0


async def test_functions_before_any_event_create_the_call_and_events_complete_it(
    retell: RetellClient,
) -> None:
    body = await retell.fn("find_appointments", call_id="call_ev")
    assert body["status"] == "none"
    call = await retell.call_row("call_ev")
    assert call.call_status == "ongoing"
    assert call.from_number == ERIKA
    await retell.event("call_ended", ended())
    await retell.event("call_started", started())
    call = await retell.call_row("call_ev")
    assert call.call_status == "ended"
    assert call.duration_ms == 180_000
    logged = await retell.functions("call_ev")
    assert [(f.name, f.status) for f in logged] == [("find_appointments", "none")]
    assert logged[0].arguments == {}


async def test_another_tenants_retell_call_id_reaches_nothing_of_that_call(
    retell: RetellClient,
) -> None:
    """Call ids derive from tenant and Retell id: reusing another tenant's Retell call id
    shows nothing of that call, cannot book into it, and adds nothing to its log."""
    other = await add_other_salon(retell.engine)
    ours = await retell.fn(
        "book_appointment",
        {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00", "customer_name": "A"},
        call_id="call_shared",
        from_number=None,
    )
    assert ours["status"] == "booked"
    theirs = await retell.fn(
        "find_appointments",
        call_id="call_shared",
        from_number=None,
        to_number=OTHER_SALON,
        key=OTHER_KEY,
    )
    assert theirs["status"] == "none"
    book = {
        "name": "book_appointment",
        "args": {"service": "Herrenhaarschnitt", "date": "morgen", "time": "11:00"},
        "call": {"call_id": "call_shared", "to_number": OTHER_SALON, "from_number": STRANGER},
    }
    refused = await retell.post("/retell/functions/book_appointment", book, key=OTHER_KEY)
    assert refused.status_code == 404
    assert refused.json()["code"] == "unknown_call"
    assert [f.name for f in await retell.functions("call_shared")] == ["book_appointment"]
    async with create_session_factory(retell.engine, FakeClock())() as session:
        logged = select(func.count()).where(CallFunction.tenant_id == other)
        assert (await session.execute(logged)).scalar_one() == 0


# -- inbound -----------------------------------------------------------------------------------


async def test_inbound_for_the_known_caller_has_her_name_and_next_appointment(
    retell: RetellClient,
) -> None:
    check = await retell.fn(
        "check_availability", {"service": "Färben", "date": "2026-12-03", "time": "14:00"}
    )
    await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    response = await retell.inbound(from_number=ERIKA)
    assert response.status_code == 200
    answer = response.json()["call_inbound"]
    variables = answer["dynamic_variables"]
    assert all(isinstance(v, str) for v in variables.values())
    assert variables["business_name"] == "Salon Sonnenschein"
    assert variables["branch_name"] == "Mitte"
    assert variables["today_spoken"] == "Dienstag, 1. Dezember"
    assert variables["today_iso"] == "2026-12-01"
    assert variables["now_time"] == "08:00"
    assert variables["tomorrow_spoken"] == "Mittwoch, 2. Dezember"
    assert variables["tomorrow_iso"] == "2026-12-02"
    assert variables["caller_known"] == "true"
    assert variables["caller_name"] == "Erika Mustermann"
    assert variables["next_appointment_spoken"] == "Färben übermorgen um 14 Uhr"
    assert variables["services_list"].startswith("Damenhaarschnitt, Herrenhaarschnitt")
    assert "Bartpflege" in variables["services_list"]
    metadata = answer["metadata"]
    assert set(metadata) == {"tenant_id", "branch_id", "customer_id"}
    assert all(isinstance(v, str) and v for v in metadata.values())


async def test_inbound_names_the_soonest_active_appointment_or_none(
    retell: RetellClient,
) -> None:
    """Cancelled ones do not count, the soonest active one does, and with none left the
    caller is still known by name."""
    booked = []
    for day in ("2026-12-03", "2026-12-04"):
        check = await retell.fn(
            "check_availability", {"service": "Färben", "date": day, "time": "14:00"}
        )
        booked.append(
            await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
        )
    spoken = []
    for appointment in booked:
        variables = (await retell.inbound(from_number=ERIKA)).json()["call_inbound"][
            "dynamic_variables"
        ]
        spoken.append(variables["next_appointment_spoken"])
        cancel = {"appointment_id": appointment["appointment"]["id"], "accept_fee": True}
        assert (await retell.fn("cancel_appointment", cancel))["status"] == "cancelled"
    variables = (await retell.inbound(from_number=ERIKA)).json()["call_inbound"][
        "dynamic_variables"
    ]
    assert spoken == ["Färben übermorgen um 14 Uhr", "Färben am Freitag um 14 Uhr"]
    assert (variables["caller_known"], variables["caller_name"]) == ("true", "Erika Mustermann")
    assert variables["next_appointment_spoken"] == ""


@pytest.mark.parametrize("from_number", [STRANGER, None, "", "anonymous", "+266696687", "12"])
async def test_inbound_for_unknown_or_withheld_callers(
    retell: RetellClient, from_number: str | None
) -> None:
    response = await retell.inbound(from_number=from_number)
    assert response.status_code == 200
    answer = response.json()["call_inbound"]
    assert answer["dynamic_variables"]["caller_known"] == "false"
    assert answer["dynamic_variables"]["caller_name"] == ""
    assert answer["dynamic_variables"]["next_appointment_spoken"] == ""
    assert answer["metadata"]["customer_id"] == ""
    assert await retell.written() == 0


async def test_an_event_written_after_its_answer_is_still_recorded(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow database moment answers the webhook before the write is done; the write goes on
    behind the answer (a 204 ends Retell's retries, so a cancelled write lost the transcript —
    the browser test of a call saw "Kein Gesprächsverlauf" on a loaded machine)."""
    calls = retell.app.state.voice.calls
    write = calls.record_event

    async def slow_write(values: dict[str, Any]) -> None:
        await asyncio.sleep(event_writes.EVENT_ANSWER_S + 0.5)
        await write(values)

    monkeypatch.setattr(calls, "record_event", slow_write)
    response = await retell.event("call_ended", ended())
    assert response.status_code == 204
    await retell.app.state.voice.close()  # waits for the write still going on
    call = await retell.call_row("call_ev")
    assert call.transcript is not None
    assert call.call_status == "ended"
