"""Hostile and careless voice requests (issue 11): never a 5xx, nothing written by a refusal.

Before the signature is checked a request is a stranger's: whatever it carries ends in a cheap
400 or 401. After it, Retell's values outside any sensible range (timestamps in the year
3 million, 2**70 ms calls, lone surrogates, ids of a thousand characters) are judged by the same
rules on both databases.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import structlog
from sqlalchemy import select
from tests.clock_support import FakeClock
from tests.voice_support import (
    ERIKA,
    SALON,
    RetellClient,
    analyzed,
    ended,
    retell_fixture,  # noqa: F401
    started,
)

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import Call, CallFunction, Customer

PATHS = ["/retell/functions/check_availability", "/retell/inbound", "/retell/events"]


def nested(depth: int) -> bytes:
    return b'{"call":' * depth + b"{}" + b"}" * depth


# -- before authentication (item 2) --------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("depth", [33, 990, 7_000])
async def test_deeply_nested_json_is_refused_before_anything_else(
    retell: RetellClient, path: str, depth: int, caplog: pytest.LogCaptureFixture
) -> None:
    body = nested(depth)
    unsigned = await retell.http.post(path, content=body)
    assert unsigned.status_code == 401, unsigned.text
    # Correctly signed (with the fallback key), it is still not a body we read.
    signed = await retell.http.post(path, content=body, headers=retell.headers(body))
    assert signed.status_code == 400, signed.text
    assert signed.json()["code"] == "invalid_body"
    assert await retell.written() == 0
    assert '{"call":{"call"' not in caplog.text


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("digits", [20, 4_301, 50_000])
async def test_an_absurdly_long_signature_timestamp_is_401(
    retell: RetellClient, path: str, digits: int
) -> None:
    body = json.dumps({"event": "call_started", "call": {"to_number": SALON}}).encode()
    header = f"v={'9' * digits},d={'0' * 64}"
    response = await retell.http.post(path, content=body, headers={"X-Retell-Signature": header})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthorized"


# -- call events (item 5) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("end_timestamp", 1e20),
        ("start_timestamp", 2**62),
        ("start_timestamp", -(2**62)),
        ("end_timestamp", float("1e308")),
        ("duration_ms", 2**70),
        ("duration_ms", 2**63),
    ],
)
@pytest.mark.parametrize("event", ["call_started", "call_ended", "call_analyzed"])
async def test_numbers_out_of_any_range_are_ignored_and_the_rest_is_stored(
    retell: RetellClient, event: str, field: str, value: Any
) -> None:
    call = {**analyzed(), field: value}
    response = await retell.event(event, call)
    assert response.status_code == 204, response.text
    row = await retell.call_row("call_ev")
    assert row.transcript is not None
    assert row.disconnection_reason == "user_hangup"
    stored = {"end_timestamp": row.ended_at, "start_timestamp": row.started_at}
    if field in stored:
        assert stored[field] is None
    else:
        assert row.duration_ms is None


async def test_a_lone_surrogate_or_nul_in_any_text_is_stored_replaced(
    retell: RetellClient,
) -> None:
    call = {
        **analyzed(),
        "transcript": "User: Hallo \ud800 hier\x00 ist Jürgen",
        "from_number": "+49\ud800",
        "call_analysis": {
            "call_summary": "Zusammenfassung \udfff",
            "user_sentiment": "Posi\ud800tive",
            "custom_analysis_data": {"k\ud800ey": "va\x00lue"},
        },
    }
    # Sent as JSON escapes: the surrogate cannot be encoded as UTF-8 bytes.
    body = json.dumps({"event": "call_analyzed", "call": call}).encode()
    response = await retell.http.post("/retell/events", content=body, headers=retell.headers(body))
    assert response.status_code == 204, response.text
    row = await retell.call_row("call_ev")
    assert row.transcript == "User: Hallo \ufffd hier ist Jürgen"
    assert row.summary == "Zusammenfassung \ufffd"
    assert row.from_number == "+49\ufffd"


async def test_long_sentiments_are_cut_to_the_column_on_both_databases(
    retell: RetellClient,
) -> None:
    call = {**analyzed(), "call_analysis": {"user_sentiment": "Positive" * 20}}
    assert (await retell.event("call_analyzed", call)).status_code == 204
    row = await retell.call_row("call_ev")
    assert row.sentiment is not None
    assert len(row.sentiment) == 32


@pytest.mark.parametrize("event", ["call_started", "call_ended", "call_analyzed"])
async def test_a_call_id_longer_than_any_retell_id_is_refused_on_both_databases(
    retell: RetellClient, event: str
) -> None:
    response = await retell.event(event, {**ended(), "call_id": "c" * 129})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_call_id"
    assert await retell.count(Call) == 0


async def test_a_function_with_an_overlong_call_id_is_refused_and_writes_nothing(
    retell: RetellClient,
) -> None:
    payload = {
        "name": "find_appointments",
        "args": {},
        "call": {"call_id": "c" * 1000, "to_number": SALON, "from_number": ERIKA},
    }
    response = await retell.post("/retell/functions/find_appointments", payload)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_call_id"
    assert await retell.written() == 0


async def test_a_call_id_of_exactly_128_characters_is_fine(retell: RetellClient) -> None:
    assert (await retell.event("call_started", {**started(), "call_id": "c" * 128})).status_code
    assert (await retell.call_row("c" * 128)).call_status == "ongoing"


# -- the call log keeps the good records (item 4, through the API) ----------------------------


async def test_a_function_with_a_lone_surrogate_caller_id_is_logged_with_the_others(
    retell: RetellClient,
) -> None:
    bodies = []
    for i in range(20):
        call = {"call_id": f"call_{i}", "to_number": SALON, "from_number": ERIKA}
        bodies.append({"name": "find_appointments", "args": {}, "call": call})
    bad = {"call_id": "call_bad", "to_number": SALON, "from_number": "+49\ud800"}
    bodies.append({"name": "find_appointments", "args": {"q": "\ud800\x00"}, "call": bad})
    for payload in bodies:
        raw = json.dumps(payload).encode()
        response = await retell.http.post(
            "/retell/functions/find_appointments", content=raw, headers=retell.headers(raw)
        )
        assert response.status_code == 200, response.text
    assert await retell.count(CallFunction) == 21


# -- smaller (item 9) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/retell/functions/check_availability", 64 * 1024),
        ("/retell/inbound", 64 * 1024),
        ("/retell/events", 1024 * 1024),
    ],
)
async def test_bodies_over_the_endpoints_limit_are_413_before_being_read(
    retell: RetellClient, path: str, limit: int
) -> None:
    body = b" " * (limit + 1)
    response = await retell.http.post(path, content=body)
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "body_too_large"

    # Without a Content-Length (chunked), reading stops at the limit.
    async def chunks() -> Any:
        for _ in range(limit // 1024 + 2):
            yield b" " * 1024

    streamed = await retell.http.post(path, content=chunks())
    assert streamed.status_code == 413, streamed.text


async def test_an_event_with_a_large_transcript_inside_the_limit_is_stored(
    retell: RetellClient,
) -> None:
    call = {**ended(), "transcript": "User: Hallo.\n" * 40_000}  # ~ 520 KB
    assert (await retell.event("call_ended", call)).status_code == 204
    assert len((await retell.call_row("call_ev")).transcript or "") > 500_000


@pytest.mark.parametrize(
    "args",
    [
        {"service": "Herrenhaarschnitt", "date": "31.12.9999", "time": "10:00"},
        {"service": "Herrenhaarschnitt", "date": "in 99999999999 Wochen"},
        {"service": "Herrenhaarschnitt", "date": "in 99999999999 Tagen", "time": "10 Uhr"},
        {"service": "Herrenhaarschnitt", "date": "9999-12-31"},
        {"service": "Herrenhaarschnitt", "date": "0001-01-01", "time": "10:00"},
    ],
)
@pytest.mark.parametrize(
    "function", ["check_availability", "book_appointment", "reschedule_appointment"]
)
async def test_dates_beyond_any_calendar_are_a_question_not_an_error(
    retell: RetellClient, function: str, args: dict[str, Any]
) -> None:
    body = await retell.fn(function, args)
    assert body["status"] != "error", body
    assert body.get("reason") != "internal_error"


async def test_the_call_log_writer_does_not_carry_the_first_requests_id(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer task outlives the request that started it: its lines carry no request id."""
    calls = retell.app.state.voice.calls
    seen: list[dict[str, Any]] = []
    wrote = asyncio.Event()
    original = calls.record_functions

    async def spying(entries: Any) -> None:
        seen.append(structlog.contextvars.get_contextvars())
        wrote.set()
        await original(entries)

    monkeypatch.setattr(calls, "record_functions", spying)
    payload = {
        "name": "find_appointments",
        "args": {},
        "call": {"call_id": "c1", "to_number": SALON},
    }
    raw = json.dumps(payload).encode()
    headers = {**retell.headers(raw), "X-Request-ID": "first-request"}
    response = await retell.http.post(
        "/retell/functions/find_appointments", content=raw, headers=headers
    )
    assert response.headers["x-request-id"] == "first-request"
    # The writer's own flush, not the test's (a generous bound: the machine may be busy).
    await asyncio.wait_for(wrote.wait(), timeout=30)
    assert "request_id" not in seen[0]


# -- one set of rules (item 8): the voice channel judges like REST, on both databases -----------


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        ({"customer_name": "x" * 50_000}, "customer_name"),
        ({"customer_name": "Max\x01Muster"}, "customer_name"),
        ({"customer_name": "Max Muster", "email": "not-an-email"}, "email"),
        ({"customer_name": "Max Muster", "email": "max@localhost"}, "email"),
    ],
    ids=["huge-name", "control-name", "bad-email", "no-domain"],
)
async def test_a_booking_by_phone_obeys_the_same_customer_rules_as_rest(
    retell: RetellClient, args: dict[str, Any], missing: str
) -> None:
    when = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"}
    body = await retell.fn("book_appointment", {**when, **args}, from_number=None)
    assert body["status"] == "needs_clarification", body
    assert body["missing"] == missing
    assert await retell.count(Customer) == 1  # only the demo's Erika


async def test_a_valid_email_by_phone_is_stored_normalised(retell: RetellClient) -> None:
    when = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"}
    args = {**when, "customer_name": "Max Muster", "email": "Max@Example.DE"}
    body = await retell.fn("book_appointment", args, from_number=None)
    assert body["status"] == "booked", body
    async with create_session_factory(retell.engine, FakeClock())() as session:
        emails = (await session.execute(select(Customer.email))).scalars().all()
    assert "Max@example.de" in emails
