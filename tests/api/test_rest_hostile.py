"""Hostile and careless REST requests (issue 11): 422 problems with a clear detail, never a 5xx,
the same verdict on SQLite and PostgreSQL, and nothing written by a refusal."""

from __future__ import annotations

import base64
from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeClock, at
from tests.rest_support import HERREN, assert_problem, booking

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import Appointment, Customer

EXTREME_STARTS = [
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00-23:59",
    "0001-01-01T10:00:00+00:00",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+23:59",
    "9999-12-31T10:00:00+00:00",
    "1970-01-01T00:00:00+00:00",
]


async def appointments_and_customers(engine: AsyncEngine) -> tuple[int, int]:
    async with create_session_factory(engine, FakeClock())() as session:
        appointments = (await session.execute(select(func.count(Appointment.id)))).scalar_one()
        customers = (await session.execute(select(func.count(Customer.id)))).scalar_one()
    return appointments, customers


# -- item 6: values outside any calendar --------------------------------------------------------


@pytest.mark.parametrize("start", EXTREME_STARTS)
async def test_booking_at_the_ends_of_time_is_a_422(
    demo_client: httpx.AsyncClient, db: AsyncEngine, start: str
) -> None:
    before = await appointments_and_customers(db)
    response = await demo_client.post(
        "/api/v1/appointments", json={**booking(), "start": start, "customer": {"name": "Neu"}}
    )
    body = assert_problem(response, 422, "validation_error")
    assert "start" in str(body["detail"])
    assert await appointments_and_customers(db) == before


@pytest.mark.parametrize("start", EXTREME_STARTS)
async def test_moving_to_the_ends_of_time_is_a_422(
    demo_client: httpx.AsyncClient, start: str
) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    response = await demo_client.patch(
        f"/api/v1/appointments/{created['id']}", json={"start": start}
    )
    assert_problem(response, 422, "validation_error")
    unchanged = (await demo_client.get(f"/api/v1/appointments/{created['id']}")).json()
    assert unchanged["start"] == created["start"]
    assert unchanged["version"] == created["version"]


@pytest.mark.parametrize("first", ["0001-01-01", "9999-12-31", "1999-12-31", "2200-01-01"])
async def test_availability_from_the_ends_of_time_is_a_422(
    demo_client: httpx.AsyncClient, first: str
) -> None:
    response = await demo_client.get(
        "/api/v1/availability", params={"service": HERREN, "from": first}
    )
    body = assert_problem(response, 422, "validation_error")
    assert "from" in str(body["detail"])


@pytest.mark.parametrize("bound", ["from", "to"])
@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00Z"]
)
async def test_listing_from_the_ends_of_time_is_a_422(
    demo_client: httpx.AsyncClient, bound: str, value: str
) -> None:
    response = await demo_client.get("/api/v1/appointments", params={bound: value})
    body = assert_problem(response, 422, "validation_error")
    assert bound in str(body["detail"])


def cursor_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/api/v1/appointments", "/api/v1/customers", "/api/v1/calls"])
@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 990 + b"]" * 990,
        b"[" * 50 + b"]" * 50,
        b'["0001-01-01T00:00:00+23:59", "6f1c8a1e-7b5b-4a57-9a0e-6d2f3c1a9b10"]',
        b'["2026-12-01T10:00:00", "6f1c8a1e-7b5b-4a57-9a0e-6d2f3c1a9b10"]',
        b"[1, 2, 3]",
        b'"\\ud800"',
    ],
    ids=["deep", "nested", "year-1", "naive", "numbers", "surrogate"],
)
async def test_a_cursor_we_never_issued_is_a_422(
    demo_client: httpx.AsyncClient, path: str, raw: bytes
) -> None:
    response = await demo_client.get(path, params={"cursor": cursor_of(raw)})
    assert_problem(response, 422, "validation_error")


async def test_an_overlong_cursor_is_a_422(demo_client: httpx.AsyncClient) -> None:
    response = await demo_client.get("/api/v1/calls", params={"cursor": "A" * 10_000})
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize(
    "change",
    [
        {"customer": {"name": "Eri\x00ka", "phone": "+4915112345678"}},
        {"customer": {"name": "Erika", "phone": "+4915112345678"}, "notes": "a\x00b"},
        {"customer": {"name": "Erika\nMustermann", "phone": "+4915112345678"}},
        {"customer": {"name": "Erika", "phone": "+4915112345678", "email": "a@b\x00.de"}},
    ],
    ids=["nul-name", "nul-notes", "newline-name", "nul-email"],
)
async def test_control_characters_are_a_422_on_both_databases(
    demo_client: httpx.AsyncClient, db: AsyncEngine, change: dict[str, object]
) -> None:
    before = await appointments_and_customers(db)
    response = await demo_client.post("/api/v1/appointments", json={**booking(), **change})
    assert_problem(response, 422, "validation_error")
    assert await appointments_and_customers(db) == before


async def test_nul_in_notes_of_a_patch_or_a_search_is_a_422(
    demo_client: httpx.AsyncClient,
) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    patched = await demo_client.patch(
        f"/api/v1/appointments/{created['id']}", json={"notes": "x\x00y"}
    )
    assert_problem(patched, 422, "validation_error")
    cancelled = await demo_client.post(
        f"/api/v1/appointments/{created['id']}/cancel", json={"reason": "x\x00"}
    )
    assert_problem(cancelled, 422, "validation_error")
    for q in ("\x00", "Max\x00"):
        assert_problem(
            await demo_client.get("/api/v1/customers", params={"q": q}), 422, "validation_error"
        )


# -- item 7: optimistic locking for every field ------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 1, 5])
@pytest.mark.parametrize(
    "change", [{"notes": "x"}, {"start": at(2, 15).isoformat()}], ids=["notes", "start"]
)
async def test_a_patch_with_any_other_version_is_409_and_changes_nothing(
    demo_client: httpx.AsyncClient, offset: int, change: dict[str, object]
) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    url = f"/api/v1/appointments/{created['id']}"
    response = await demo_client.patch(url, json={**change, "version": created["version"] + offset})
    assert_problem(response, 409, "concurrent_update")
    unchanged = (await demo_client.get(url)).json()
    assert (unchanged["notes"], unchanged["start"], unchanged["version"]) == (
        created["notes"],
        created["start"],
        created["version"],
    )


async def test_a_notes_patch_at_the_current_version_applies_and_bumps_it(
    demo_client: httpx.AsyncClient,
) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    url = f"/api/v1/appointments/{created['id']}"
    first = await demo_client.patch(url, json={"notes": "eins", "version": created["version"]})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == created["version"] + 1
    again = await demo_client.patch(url, json={"notes": "zwei", "version": created["version"]})
    assert_problem(again, 409, "concurrent_update")
    assert (await demo_client.get(url)).json()["notes"] == "eins"


async def test_a_move_and_notes_at_the_current_version_apply_together(
    demo_client: httpx.AsyncClient,
) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    url = f"/api/v1/appointments/{created['id']}"
    response = await demo_client.patch(
        url,
        json={"start": at(2, 15).isoformat(), "notes": "kurz", "version": created["version"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["notes"] == "kurz"
    assert datetime.fromisoformat(response.json()["start"]) == at(2, 15)


# -- item 8: one set of rules ---------------------------------------------------------------------


async def test_starts_off_the_step_are_bookable_but_seconds_are_not(
    demo_client: httpx.AsyncClient, db: AsyncEngine
) -> None:
    """Documented (ADR 0013): a start off the 15-minute step is bookable on every channel, as a
    caller may name it; a start with seconds is refused on every channel."""
    off_step = await demo_client.post("/api/v1/appointments", json=booking(start=at(1, 10, 7)))
    assert off_step.status_code == 201, off_step.text
    before = await appointments_and_customers(db)
    with_seconds = booking(start=at(1, 15).replace(second=30))
    body = assert_problem(
        await demo_client.post("/api/v1/appointments", json=with_seconds), 422, "validation_error"
    )
    assert "whole minute" in str(body["detail"])
    assert await appointments_and_customers(db) == before


@pytest.mark.parametrize(
    ("customer", "code"),
    [
        ({"name": "x" * 201, "phone": "+4915112345678"}, "validation_error"),
        ({"name": "Max", "phone": "+491712345678", "email": "not-an-email"}, "validation_error"),
        ({"name": "Max", "phone": "+491712345678", "email": "a@b"}, "validation_error"),
        ({"name": "   ", "phone": "+491712345678"}, "validation_error"),
    ],
    ids=["long-name", "email", "email-no-dot", "blank-name"],
)
async def test_customer_data_is_judged_by_the_domain_rules(
    demo_client: httpx.AsyncClient, db: AsyncEngine, customer: dict[str, object], code: str
) -> None:
    before = await appointments_and_customers(db)
    response = await demo_client.post("/api/v1/appointments", json=booking(customer=customer))
    assert_problem(response, 422, code)
    assert await appointments_and_customers(db) == before


async def test_a_valid_email_is_stored_normalised(demo_client: httpx.AsyncClient) -> None:
    customer = {"name": "Max", "phone": "+491712345678", "email": "Max@Example.DE"}
    response = await demo_client.post("/api/v1/appointments", json=booking(customer=customer))
    assert response.status_code == 201, response.text
    found = (await demo_client.get("/api/v1/customers", params={"q": "Max"})).json()["items"]
    assert [c["email"] for c in found] == ["Max@example.de"]


# -- item 9: the HTTP surface ---------------------------------------------------------------------


async def test_options_on_an_appointment_lists_every_method(
    demo_client: httpx.AsyncClient,
) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    response = await demo_client.options(f"/api/v1/appointments/{created['id']}")
    assert response.status_code in (200, 204)
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert allowed == {"GET", "PATCH", "OPTIONS"}
    listing = await demo_client.options("/api/v1/appointments")
    assert {m.strip() for m in listing.headers["allow"].split(",")} == {"GET", "POST", "OPTIONS"}


async def test_a_wrong_method_is_405_with_allow(demo_client: httpx.AsyncClient) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    response = await demo_client.delete(f"/api/v1/appointments/{created['id']}")
    assert_problem(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PATCH"}


async def test_openapi_lists_the_400_401_413_responses(demo_client: httpx.AsyncClient) -> None:
    spec = (await demo_client.get("/openapi.json")).json()
    post = spec["paths"]["/api/v1/appointments"]["post"]["responses"]
    assert {"400", "401", "413", "422"} <= post.keys()
    for path in ("/retell/functions/{name}", "/retell/inbound", "/retell/events"):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"400", "401", "413"} <= responses.keys(), path
        assert "requestBody" in spec["paths"][path]["post"], path


async def test_rest_bodies_over_64_kb_are_413(demo_client: httpx.AsyncClient) -> None:
    body = {**booking(), "notes": "x" * (65 * 1024)}
    response = await demo_client.post("/api/v1/appointments", json=body)
    assert_problem(response, 413, "body_too_large")
