"""The schedule's actions through the ASGI app: book (new and found customers, free times from
the availability use case, a double submit books once), move, cancel, mark completed or
no-show; refusals as German messages with 409/422 and nothing written; CSRF; other tenants."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY
from tests.clock_support import at
from tests.rest_support import ANNA, HERREN, JONAS, booking
from tests.web_support import OTHER_OWNER, STAFF, WebApp, web_app

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import AuditLog

API = {"Authorization": f"Bearer {DEMO_KEY}"}
_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
_SLOT = re.compile(r'name="slot" value="([^"]+)"')


@pytest.fixture
async def owner(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db):
        assert (await app.sign_in()).status_code == 303
        yield app


async def _rest_book(web: WebApp, hour: int, staff: str = ANNA, minute: int = 0) -> str:
    body = booking(at(1, hour, minute), staff_id=staff)
    body["customer"] = {"name": "Erika Mustermann", "phone": "+4915112345678"}
    response = await web.client.post("/api/v1/appointments", json=body, headers=API)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _appointments(web: WebApp) -> list[dict[str, Any]]:
    response = await web.client.get("/api/v1/appointments?limit=200", headers=API)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _form(web: WebApp, query: str = "") -> tuple[str, str, list[str]]:
    """The booking form's CSRF token, idempotency key and offered starts."""
    page = await web.client.get(f"/admin/schedule/book?service={HERREN}&date=2026-12-01{query}")
    assert page.status_code == 200, page.text
    token = await web.csrf_of("/admin/schedule")
    key = _KEY.search(page.text)
    assert key
    return token, key.group(1), _SLOT.findall(page.text)


def _new_customer(token: str, key: str, start: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "idempotency_key": key,
        "service": HERREN,
        "staff": ANNA,
        "date": "2026-12-01",
        "slot": start,
        "customer": "new",
        "name": "Neue Kundin",
        "phone": "0151 99887766",
        **extra,
    }


async def test_the_form_offers_the_free_times_the_rest_api_offers(owner: WebApp) -> None:
    await _rest_book(owner, 10)
    _, _, offered = await _form(owner, f"&staff={ANNA}")
    rest = await owner.client.get(
        f"/api/v1/availability?service={HERREN}&staff={ANNA}&from=2026-12-01&days=1",
        headers=API,
    )
    assert rest.status_code == 200, rest.text
    expected = [datetime.fromisoformat(slot["start"]) for slot in rest.json()["slots"]]
    starts = [datetime.fromisoformat(value) for value in offered]
    assert starts
    assert starts == expected
    assert at(1, 10) not in starts  # Anna is booked then


async def test_a_new_customer_is_booked_once_even_when_the_form_is_sent_twice(
    owner: WebApp,
) -> None:
    token, key, offered = await _form(owner, f"&staff={ANNA}")
    form = _new_customer(token, key, offered[0])
    first = await owner.client.post("/admin/schedule/book", data=form)
    second = await owner.client.post("/admin/schedule/book", data=form)
    for response in (first, second):
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/admin/schedule?date=2026-12-01&view=day"
    items = await _appointments(owner)
    assert len(items) == 1
    assert items[0]["source"] == "admin"
    assert items[0]["staff_id"] == ANNA
    board = await owner.client.get("/admin/schedule?date=2026-12-01")
    assert "Neue Kundin" in board.text
    assert "Der Termin ist gebucht." in board.text


async def test_a_found_customer_is_booked_by_their_record(owner: WebApp) -> None:
    await _rest_book(owner, 15)
    page = await owner.client.get(f"/admin/schedule/book?service={HERREN}&q=Musterm")
    found = re.search(r'name="customer" value="([0-9a-f-]{36})" checked', page.text)
    assert found, page.text
    token, key, offered = await _form(owner, f"&staff={JONAS}")
    form = _new_customer(token, key, offered[0], customer=found.group(1), staff=JONAS)
    form.update(name="", phone="")
    response = await owner.client.post("/admin/schedule/book", data=form)
    assert response.status_code == 303, response.text
    customers = {item["customer_id"] for item in await _appointments(owner)}
    assert customers == {found.group(1)}


async def test_a_taken_time_is_refused_with_alternatives_and_nothing_written(
    owner: WebApp,
) -> None:
    token, key, offered = await _form(owner, f"&staff={ANNA}")
    taken_at = offered[0]
    await owner.client.post(
        "/admin/schedule/book",
        data=_new_customer(token, key, taken_at, phone="0151 11111111", name="Erste"),
    )
    token, key, _ = await _form(owner)
    response = await owner.client.post(
        "/admin/schedule/book", data=_new_customer(token, key, taken_at, name="Zweite")
    )
    assert response.status_code == 409
    assert "Diese Zeit ist leider schon vergeben." in response.text
    assert "Stattdessen frei" in response.text
    assert 'value="Zweite"' in response.text  # the form keeps what was entered
    assert len(await _appointments(owner)) == 1


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"slot": "2026-11-30T09:00:00+00:00"}, 422, "Vergangenheit"),
        ({"slot": "2026-12-01T22:00:00+00:00"}, 422, "arbeitet niemand"),
        ({"phone": "12"}, 422, "Telefonnummer ist ungültig"),
        ({"slot": ""}, 422, "Bitte eine freie Zeit wählen."),
        ({"name": ""}, 422, "bitte Name und Telefonnummer"),
        ({"customer": str(uuid.uuid4()), "name": ""}, 422, "Kunde wurde nicht gefunden"),
    ],
)
async def test_bad_bookings_get_a_german_message_and_write_nothing(
    owner: WebApp, change: dict[str, str], status: int, message: str
) -> None:
    token, key, offered = await _form(owner)
    response = await owner.client.post(
        "/admin/schedule/book", data=_new_customer(token, key, offered[0], **change)
    )
    assert response.status_code == status, response.text
    assert message in response.text
    assert 'role="alert"' in response.text
    assert await _appointments(owner) == []


async def test_staff_can_book_move_and_cancel(db: AsyncEngine) -> None:
    async for staff in web_app(db):
        assert (await staff.sign_in(STAFF)).status_code == 303
        token, key, offered = await _form(staff, f"&staff={ANNA}")
        booked = await staff.client.post(
            "/admin/schedule/book", data=_new_customer(token, key, offered[0])
        )
        assert booked.status_code == 303
        [item] = await _appointments(staff)
        moved = await staff.client.post(
            f"/admin/schedule/appointments/{item['id']}/move",
            data={"csrf_token": token, "slot": offered[-1], "version": str(item["version"])},
        )
        assert moved.status_code == 303, moved.text
        cancelled = await staff.client.post(
            f"/admin/schedule/appointments/{item['id']}/cancel",
            data={"csrf_token": token, "reason": "Krank"},
        )
        assert cancelled.status_code == 303
        [after] = await _appointments(staff)
        assert after["status"] == "cancelled"
        assert datetime.fromisoformat(after["start"]) == datetime.fromisoformat(offered[-1])


async def test_the_appointment_page_moves_to_a_free_time_once(owner: WebApp) -> None:
    appointment_id = await _rest_book(owner, 10)
    page = await owner.client.get(f"/admin/schedule/appointments/{appointment_id}")
    assert page.status_code == 200
    assert "Erika Mustermann" in page.text
    assert "Anna Becker" in page.text
    assert "Dienstag, 1. Dezember 2026, 10:00–10:30" in page.text
    offered = _SLOT.findall(page.text)
    token = await owner.csrf_of("/admin/schedule")
    form = {"csrf_token": token, "slot": offered[-1], "version": "1", "staff": ANNA}
    first = await owner.client.post(
        f"/admin/schedule/appointments/{appointment_id}/move", data=form
    )
    again = await owner.client.post(
        f"/admin/schedule/appointments/{appointment_id}/move", data=form
    )
    assert first.status_code == again.status_code == 303
    rest = await owner.client.get(f"/api/v1/appointments/{appointment_id}", headers=API)
    assert rest.json()["version"] == 2  # the second submit changed nothing
    moved_page = await owner.client.get(f"/admin/schedule/appointments/{appointment_id}")
    assert "10:00–10:30" not in moved_page.text


async def test_a_move_to_a_taken_time_is_refused_and_changes_nothing(owner: WebApp) -> None:
    moving = await _rest_book(owner, 10)
    await _rest_book(owner, 12)
    token = await owner.csrf_of("/admin/schedule")
    taken = at(1, 12).isoformat()
    response = await owner.client.post(
        f"/admin/schedule/appointments/{moving}/move",
        data={"csrf_token": token, "slot": taken, "staff": ANNA},
    )
    assert response.status_code == 409
    assert "schon vergeben" in response.text
    dragged = await owner.client.post(
        f"/admin/schedule/appointments/{moving}/move",
        data={"csrf_token": token, "slot": taken, "staff": ANNA},
        headers={"Accept": "application/json"},
    )
    assert dragged.status_code == 409
    assert dragged.json() == {"ok": False, "message": "Diese Zeit ist leider schon vergeben."}
    rest = await owner.client.get(f"/api/v1/appointments/{moving}", headers=API)
    assert rest.json()["version"] == 1


async def test_cancel_with_a_reason_twice_is_one_cancellation(owner: WebApp) -> None:
    appointment_id = await _rest_book(owner, 10)
    token = await owner.csrf_of("/admin/schedule")
    form = {"csrf_token": token, "reason": "Kundin hat abgesagt", "version": "1"}
    for _ in range(2):
        response = await owner.client.post(
            f"/admin/schedule/appointments/{appointment_id}/cancel", data=form
        )
        assert response.status_code == 303
    rest = await owner.client.get(f"/api/v1/appointments/{appointment_id}", headers=API)
    assert rest.json()["status"] == "cancelled"
    page = await owner.client.get(f"/admin/schedule/appointments/{appointment_id}")
    assert "Kundin hat abgesagt" in page.text
    assert "Termin stornieren" not in page.text


async def test_completed_and_no_show_only_after_the_start_and_audited(
    owner: WebApp, db: AsyncEngine
) -> None:
    appointment_id = await _rest_book(owner, 10)
    token = await owner.csrf_of("/admin/schedule")
    path = f"/admin/schedule/appointments/{appointment_id}/status"
    early = await owner.client.post(path, data={"csrf_token": token, "status": "completed"})
    assert early.status_code == 409
    assert "erst ab Terminbeginn" in early.text
    owner.clock.advance(timedelta(hours=3))  # 11:00, the appointment was at 10:00
    bad = await owner.client.post(path, data={"csrf_token": token, "status": "gone"})
    assert bad.status_code == 422
    for status in ("no_show", "completed", "completed"):
        response = await owner.client.post(path, data={"csrf_token": token, "status": status})
        assert response.status_code == 303
    rest = await owner.client.get(f"/api/v1/appointments/{appointment_id}", headers=API)
    assert rest.json()["status"] == "completed"
    async with create_session_factory(db, owner.clock)() as session:
        actions = (
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity_id == appointment_id)
                .order_by(AuditLog.created_at)
            )
        ).all()
    assert sorted(actions) == ["appointment_completed", "appointment_no_show"]


async def test_forms_without_csrf_are_refused(owner: WebApp) -> None:
    appointment_id = await _rest_book(owner, 10)
    _, key, offered = await _form(owner)
    refused = await owner.client.post(
        "/admin/schedule/book", data=_new_customer("", key, offered[0])
    )
    assert refused.status_code == 403
    for action in ("move", "cancel", "status"):
        response = await owner.client.post(
            f"/admin/schedule/appointments/{appointment_id}/{action}", data={"status": "no_show"}
        )
        assert response.status_code == 403
    rest = await owner.client.get(f"/api/v1/appointments/{appointment_id}", headers=API)
    assert rest.json()["status"] == "confirmed"
    assert len(await _appointments(owner)) == 1


async def test_another_tenants_appointment_is_not_found(db: AsyncEngine) -> None:
    async for web in web_app(db):
        appointment_id = await _rest_book(web, 10)
        assert (await web.sign_in(OTHER_OWNER)).status_code == 303
        token = await web.csrf_of("/admin/schedule")
        page = await web.client.get(f"/admin/schedule/appointments/{appointment_id}")
        assert page.status_code == 404
        assert (await web.client.get("/admin/schedule/appointments/not-an-id")).status_code == 404
        for action in ("move", "cancel", "status"):
            response = await web.client.post(
                f"/admin/schedule/appointments/{appointment_id}/{action}",
                data={"csrf_token": token, "status": "no_show", "slot": at(1, 15).isoformat()},
            )
            assert response.status_code == 404
        rest = await web.client.get(f"/api/v1/appointments/{appointment_id}", headers=API)
        assert rest.json()["status"] == "confirmed"
        assert rest.json()["version"] == 1


async def test_a_drop_moves_to_the_wall_clock_time_of_the_branch(owner: WebApp) -> None:
    appointment_id = await _rest_book(owner, 10)
    token = await owner.csrf_of("/admin/schedule")
    dropped = await owner.client.post(
        f"/admin/schedule/appointments/{appointment_id}/move",
        data={"slot": "2026-12-01T15:00", "staff": JONAS},
        headers={"Accept": "application/json", "X-CSRF-Token": token},
    )
    assert dropped.status_code == 200, dropped.text
    assert dropped.json() == {"ok": True, "version": 2}
    rest = await owner.client.get(f"/api/v1/appointments/{appointment_id}", headers=API)
    assert datetime.fromisoformat(rest.json()["start"]) == at(1, 15)
    assert rest.json()["staff_id"] == JONAS
    board = await owner.client.get("/admin/schedule?date=2026-12-01")
    assert f'data-staff-id="{JONAS}"' in board.text
    assert 'draggable="true"' in board.text
