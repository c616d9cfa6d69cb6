"""The REST API through the ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from tests.clock_support import at
from tests.rest_support import (
    ANNA,
    BART,
    FAERBEN,
    HERREN,
    JONAS,
    assert_problem,
    booking,
)

from frontdesk import demo

# -- authentication and tenancy --------------------------------------------------------------


async def test_requests_without_a_valid_key_are_401(demo_client: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer fd_wrong"}):
        response = await demo_client.get("/api/v1/services", headers=headers)
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"


async def test_another_tenants_key_sees_nothing_of_ours(
    demo_client: httpx.AsyncClient, other_tenant_key: str
) -> None:
    mine = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    theirs = {"Authorization": f"Bearer {other_tenant_key}"}
    assert_problem(
        await demo_client.get(f"/api/v1/appointments/{mine['id']}", headers=theirs),
        404,
        "appointment_not_found",
    )
    assert_problem(
        await demo_client.post(f"/api/v1/appointments/{mine['id']}/cancel", headers=theirs),
        404,
        "appointment_not_found",
    )
    assert_problem(
        await demo_client.get(f"/api/v1/availability?service={HERREN}", headers=theirs),
        404,
        "unknown_service",
    )
    assert_problem(
        await demo_client.post("/api/v1/appointments", json=booking(), headers=theirs),
        404,
        "unknown_service",
    )
    listed = await demo_client.get("/api/v1/appointments", headers=theirs)
    assert listed.json()["items"] == []
    services = (await demo_client.get("/api/v1/services", headers=theirs)).json()["items"]
    assert [s["name"] for s in services] == ["Cut"]
    customers = (await demo_client.get("/api/v1/customers", headers=theirs)).json()["items"]
    assert all(c["phone"] != "+4915112345678" for c in customers)


# -- catalogue --------------------------------------------------------------------------------


async def test_services_and_staff(demo_client: httpx.AsyncClient) -> None:
    services = (await demo_client.get("/api/v1/services")).json()["items"]
    by_name = {s["name"]: s for s in services}
    assert by_name["Herrenhaarschnitt"]["duration_minutes"] == 30
    assert by_name["Bartpflege"]["staff_ids"] == [JONAS]
    staff = (await demo_client.get("/api/v1/staff")).json()["items"]
    assert {s["name"] for s in staff} == {"Anna Becker", "Jonas Weber", "Mia Schulz"}
    assert all({"id", "name"} <= s.keys() for s in staff)


async def test_availability(demo_client: httpx.AsyncClient) -> None:
    response = await demo_client.get(
        "/api/v1/availability", params={"service": BART, "from": "2026-12-01", "days": 3}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["from"] == "2026-12-01"
    slots = body["slots"]
    assert slots
    assert all(s["staff_id"] == JONAS for s in slots)
    first = datetime.fromisoformat(slots[0]["start"])
    assert first.utcoffset() is not None
    assert first == at(1, 9)  # 08:00 now + 60 minutes notice, salon opens at 09:00
    only_anna = await demo_client.get(
        "/api/v1/availability", params={"service": HERREN, "staff": ANNA, "days": 1}
    )
    assert {s["staff_id"] for s in only_anna.json()["slots"]} == {ANNA}


async def test_availability_errors(demo_client: httpx.AsyncClient) -> None:
    assert_problem(
        await demo_client.get("/api/v1/availability", params={"service": str(uuid.uuid4())}),
        404,
        "unknown_service",
    )
    assert_problem(
        await demo_client.get("/api/v1/availability", params={"service": HERREN, "days": 0}),
        422,
        "validation_error",
    )
    assert_problem(
        await demo_client.get("/api/v1/availability", params={"service": "haircut"}),
        422,
        "validation_error",
    )
    assert_problem(
        await demo_client.get(
            "/api/v1/availability", params={"service": HERREN, "staff": str(uuid.uuid4())}
        ),
        404,
        "unknown_staff",
    )


# -- booking ---------------------------------------------------------------------------------


async def test_book_returns_201_with_the_contract_fields(demo_client: httpx.AsyncClient) -> None:
    response = await demo_client.post("/api/v1/appointments", json=booking())
    assert response.status_code == 201, response.text
    body = response.json()
    assert {"id", "start", "end", "status", "staff_id", "service_id", "customer_id"} <= body.keys()
    assert datetime.fromisoformat(body["start"]) == at(1, 10)
    assert datetime.fromisoformat(body["end"]) == at(1, 10, 30)
    assert body["status"] == "confirmed"
    assert body["service_id"] == HERREN
    assert body["customer_id"] == str(demo.demo_id("customer", "erika"))
    fetched = await demo_client.get(f"/api/v1/appointments/{body['id']}")
    assert fetched.json()["id"] == body["id"]


async def test_same_booking_again_returns_the_existing_one(demo_client: httpx.AsyncClient) -> None:
    first = await demo_client.post("/api/v1/appointments", json=booking())
    second = await demo_client.post("/api/v1/appointments", json=booking())
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"]


async def test_taken_slot_is_409_with_alternatives(demo_client: httpx.AsyncClient) -> None:
    await demo_client.post("/api/v1/appointments", json=booking(service=BART))
    other = booking(service=BART, customer={"name": "Max", "phone": "+491712345678"})
    body = assert_problem(
        await demo_client.post("/api/v1/appointments", json=other), 409, "slot_taken"
    )
    alternatives = body["alternatives"]
    assert isinstance(alternatives, list)
    assert 1 <= len(alternatives) <= 3
    assert all(a["staff_id"] == JONAS for a in alternatives)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (booking(start=at(7, 10)), 422, "outside_hours"),
        (booking(start=at(1, 8, 30)), 422, "too_soon"),
        (booking(start=datetime(2027, 6, 1, 10, 0).astimezone()), 422, "beyond_horizon"),
        (booking(service=str(uuid.uuid4())), 404, "unknown_service"),
        (booking(staff_id=str(uuid.uuid4())), 404, "unknown_staff"),
        (booking(service=BART, staff_id=ANNA), 422, "staff_cannot_perform"),
        ({**booking(), "start": "2026-12-01T10:00:00"}, 422, "validation_error"),
        ({**booking(), "customer": {"phone": "+4915112345678"}}, 422, "validation_error"),
        ({**booking(), "customer": {"name": "X", "phone": "12"}}, 422, "invalid_phone"),
        ({**booking(), "surprise": 1}, 422, "validation_error"),
    ],
)
async def test_booking_refusals_are_problems(
    demo_client: httpx.AsyncClient, body: dict[str, object], status: int, code: str
) -> None:
    assert_problem(await demo_client.post("/api/v1/appointments", json=body), status, code)
    listed = await demo_client.get("/api/v1/appointments")
    assert listed.json()["items"] == []


async def test_malformed_json_is_a_validation_problem(demo_client: httpx.AsyncClient) -> None:
    response = await demo_client.post(
        "/api/v1/appointments", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422, "validation_error")


# -- idempotency ------------------------------------------------------------------------------


async def test_idempotency_key_replays_the_original_response(
    demo_client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": "order-1"}
    first = await demo_client.post("/api/v1/appointments", json=booking(), headers=headers)
    again = await demo_client.post("/api/v1/appointments", json=booking(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_idempotency_key_with_another_body_is_422(demo_client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "order-2"}
    await demo_client.post("/api/v1/appointments", json=booking(), headers=headers)
    response = await demo_client.post(
        "/api/v1/appointments", json=booking(start=at(1, 11)), headers=headers
    )
    assert_problem(response, 422, "idempotency_key_reused")


async def test_idempotency_key_in_flight_is_409(demo_client: httpx.AsyncClient) -> None:
    from frontdesk.booking.idempotency import request_fingerprint

    transport = demo_client._transport
    assert isinstance(transport, httpx.ASGITransport)
    store = transport.app.state.idempotency  # type: ignore[attr-defined]
    body = booking()
    fingerprint = request_fingerprint("POST", "/api/v1/appointments", body_as_sent(body))
    await store.claim(demo.demo_id(), "order-3", fingerprint)
    response = await demo_client.post(
        "/api/v1/appointments", json=body, headers={"Idempotency-Key": "order-3"}
    )
    assert_problem(response, 409, "idempotency_in_flight")


def body_as_sent(body: dict[str, object]) -> dict[str, object]:
    """The request as the API normalises it before fingerprinting (all fields, parsed)."""
    from frontdesk.api.rest.schemas import AppointmentIn

    return AppointmentIn.model_validate(body).model_dump(mode="json")


async def test_idempotent_refusal_is_replayed_too(demo_client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "order-4"}
    body = booking(start=at(7, 10))
    first = await demo_client.post("/api/v1/appointments", json=body, headers=headers)
    again = await demo_client.post("/api/v1/appointments", json=body, headers=headers)
    assert_problem(first, 422, "outside_hours")
    assert_problem(again, 422, "outside_hours")


# -- change and cancel ------------------------------------------------------------------------


async def test_patch_moves_and_edits_notes(demo_client: httpx.AsyncClient) -> None:
    created = (await demo_client.post("/api/v1/appointments", json=booking())).json()
    moved = await demo_client.patch(
        f"/api/v1/appointments/{created['id']}",
        json={"start": at(2, 15).isoformat(), "notes": "kurz", "version": created["version"]},
    )
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["start"]) == at(2, 15)
    assert moved.json()["notes"] == "kurz"
    stale = await demo_client.patch(
        f"/api/v1/appointments/{created['id']}",
        json={"start": at(2, 16).isoformat(), "version": created["version"]},
    )
    assert_problem(stale, 409, "concurrent_update")
    assert_problem(
        await demo_client.patch(f"/api/v1/appointments/{created['id']}", json={}),
        422,
        "validation_error",
    )


async def test_patch_into_a_taken_slot_keeps_the_old_time(demo_client: httpx.AsyncClient) -> None:
    mine = (await demo_client.post("/api/v1/appointments", json=booking(service=BART))).json()
    other = booking(
        service=BART, start=at(1, 11), customer={"name": "Max", "phone": "+491712345678"}
    )
    await demo_client.post("/api/v1/appointments", json=other)
    response = await demo_client.patch(
        f"/api/v1/appointments/{mine['id']}", json={"start": at(1, 11).isoformat()}
    )
    assert_problem(response, 409, "slot_taken")
    unchanged = (await demo_client.get(f"/api/v1/appointments/{mine['id']}")).json()
    assert datetime.fromisoformat(unchanged["start"]) == at(1, 10)


async def test_cancel_reports_the_fee(demo_client: httpx.AsyncClient) -> None:
    created = (
        await demo_client.post(
            "/api/v1/appointments", json=booking(service=FAERBEN, start=at(1, 14))
        )
    ).json()
    response = await demo_client.post(
        f"/api/v1/appointments/{created['id']}/cancel", json={"reason": "krank"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["fee_cents"] == 2500
    assert response.json()["appointment"]["status"] == "cancelled"
    again = await demo_client.post(f"/api/v1/appointments/{created['id']}/cancel")
    assert_problem(again, 409, "already_cancelled")
    assert_problem(
        await demo_client.post(f"/api/v1/appointments/{uuid.uuid4()}/cancel"),
        404,
        "appointment_not_found",
    )


# -- lists -------------------------------------------------------------------------------------


async def test_appointment_list_filters_and_paginates(demo_client: httpx.AsyncClient) -> None:
    ids = []
    for hour in (10, 11, 14, 15, 16):
        response = await demo_client.post("/api/v1/appointments", json=booking(start=at(2, hour)))
        ids.append(response.json()["id"])
    await demo_client.post(f"/api/v1/appointments/{ids[0]}/cancel")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await demo_client.get("/api/v1/appointments", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    confirmed = await demo_client.get("/api/v1/appointments", params={"status": "confirmed"})
    assert [i["id"] for i in confirmed.json()["items"]] == ids[1:]
    window = await demo_client.get(
        "/api/v1/appointments",
        params={"from": at(2, 11).isoformat(), "to": at(2, 15).isoformat()},
    )
    assert [i["id"] for i in window.json()["items"]] == ids[1:3]
    assert_problem(
        await demo_client.get("/api/v1/appointments", params={"cursor": "garbage"}),
        422,
        "validation_error",
    )


async def test_customers_and_calls(demo_client: httpx.AsyncClient) -> None:
    await demo_client.post(
        "/api/v1/appointments",
        json=booking(customer={"name": "Max Muster", "phone": "0171 2345678"}),
    )
    everyone = (await demo_client.get("/api/v1/customers")).json()["items"]
    assert {c["phone"] for c in everyone} == {"+4915112345678", "+491712345678"}
    found = (await demo_client.get("/api/v1/customers", params={"q": "Max"})).json()["items"]
    assert [c["name"] for c in found] == ["Max Muster"]
    calls = await demo_client.get("/api/v1/calls")
    assert calls.status_code == 200
    assert calls.json() == {"items": [], "next_cursor": None}


async def test_openapi_documents_every_endpoint(demo_client: httpx.AsyncClient) -> None:
    spec = (await demo_client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/services",
        "/api/v1/staff",
        "/api/v1/availability",
        "/api/v1/appointments",
        "/api/v1/appointments/{appointment_id}",
        "/api/v1/appointments/{appointment_id}/cancel",
        "/api/v1/customers",
        "/api/v1/calls",
    ):
        assert path in paths
    post = paths["/api/v1/appointments"]["post"]
    assert "409" in post["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


async def test_availability_without_from_starts_today_in_the_branch(
    demo_client: httpx.AsyncClient,
) -> None:
    """`from` is resolved by the use case (branch zone, pinned clock), not guessed from slots."""
    response = await demo_client.get(
        "/api/v1/availability", params={"service": BART, "staff": ANNA, "days": 1}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"service_id": BART, "from": "2026-12-01", "days": 1, "slots": []}
