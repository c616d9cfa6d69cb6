"""The customer's manage page through the ASGI app, on SQLite and PostgreSQL: the link shows
the appointment without a login, cancels within the policy (and refuses with the fee text
outside it), moves to a free time; a tampered, foreign, used or expired link is refused
politely and changes nothing; the forms need the link's own form token."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY
from tests.clock_support import FakeClock, at
from tests.rest_support import ANNA, booking
from tests.web_support import WebApp, web_app

from frontdesk import demo
from frontdesk.booking.manage_link import LinkRef, derive_link_key, issue, manage_url
from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import Job, Tenant
from frontdesk.secrets import new_key
from frontdesk.settings import Settings

API = {"Authorization": f"Bearer {DEMO_KEY}"}
DAMEN = str(demo.demo_id("service", "damenhaarschnitt"))  # 15 € within 24 hours
SECRET = SecretStr(new_key())
_FORM = re.compile(r'name="csrf_token" value="([^"]+)"')
_SLOT = re.compile(r'name="slot" value="([^"]+)"')


@pytest.fixture
async def web(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db, secret_key=SECRET, base_url="https://salon.example"):
        yield app


async def _book(web: WebApp, start: datetime, service: str = DAMEN) -> dict[str, Any]:
    body = booking(start, service=service, staff_id=ANNA)
    body["customer"] = {"name": "Erika Mustermann", "phone": "+4915112345678"}
    response = await web.client.post("/api/v1/appointments", json=body, headers=API)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


async def _tenant_id(db: AsyncEngine) -> uuid.UUID:
    async with create_session_factory(db, FakeClock())() as session:
        found = await session.scalar(select(Tenant.id).where(Tenant.slug == demo.TENANT_SLUG))
    assert found is not None
    return found


async def _path(db: AsyncEngine, item: dict[str, Any]) -> str:
    settings = Settings(base_url="https://salon.example", secret_key=SECRET)
    start = datetime.fromisoformat(item["start"])
    url = manage_url(settings, await _tenant_id(db), uuid.UUID(item["id"]), start)
    return url.removeprefix("https://salon.example")


async def _status(web: WebApp, item: dict[str, Any]) -> dict[str, Any]:
    response = await web.client.get(f"/api/v1/appointments/{item['id']}", headers=API)
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


async def _form_token(web: WebApp, path: str) -> str:
    page = await web.client.get(path)
    assert page.status_code == 200, page.text
    found = _FORM.search(page.text)
    assert found
    return found.group(1)


async def test_the_link_shows_the_appointment_without_a_login(web: WebApp, db: AsyncEngine) -> None:
    item = await _book(web, at(3, 10))
    page = await web.client.get(await _path(db, item))
    assert page.status_code == 200, page.text
    assert "Ihr Termin bei Salon Sonnenschein" in page.text
    assert "Donnerstag, 3. Dezember 2026, 10:00–11:00" in page.text
    assert "Damenhaarschnitt" in page.text
    assert "Anna Becker" in page.text
    assert "Erika" not in page.text  # whoever holds the link sees no customer data
    assert "Sie können kostenlos absagen bis Mittwoch, 2. Dezember 2026, 10:00." in page.text
    assert "weniger als 24 Stunden vor dem Termin fällt eine Gebühr von 15,00\u00a0€" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "noindex" in page.headers["x-robots-tag"]
    assert _SLOT.findall(page.text)  # free times of that day to move to


async def test_cancel_within_the_policy_cancels_once_as_the_customer(
    web: WebApp, db: AsyncEngine
) -> None:
    item = await _book(web, at(3, 10))
    path = await _path(db, item)
    form = {"csrf_token": await _form_token(web, path)}
    done = await web.client.post(f"{path}/cancel", data=form)
    assert done.status_code == 303
    assert done.headers["location"] == f"{path}?done=cancelled"
    shown = await web.client.get(done.headers["location"])
    assert shown.status_code == 200
    assert "Ihr Termin wurde abgesagt." in shown.text
    after = await _status(web, item)
    assert after["status"] == "cancelled"
    again = await web.client.post(f"{path}/cancel", data=form)
    assert again.status_code == 410
    assert "Dieser Termin ist abgesagt." in again.text
    async with create_session_factory(db, FakeClock())() as session:
        jobs = (await session.scalars(select(Job).where(Job.kind.like("event.%")))).all()
    cancelled = [job.payload for job in jobs if job.kind == "event.appointment_cancelled"]
    assert [payload["actor"] for payload in cancelled] == ["customer:link"]


async def test_cancel_outside_the_policy_is_refused_with_the_fee_text(
    web: WebApp, db: AsyncEngine
) -> None:
    item = await _book(web, at(1, 15))  # seven hours ahead: the 24-hour fee applies
    path = await _path(db, item)
    page = await web.client.get(path)
    assert "Online können Sie nur kostenlos absagen." in page.text
    assert "Kostenlos absagen konnten Sie bis Montag, 30. November 2026, 15:00." in page.text
    refused = await web.client.post(
        f"{path}/cancel", data={"csrf_token": await _form_token(web, path)}
    )
    assert refused.status_code == 409
    assert (
        "Eine Absage so kurz vor dem Termin kostet 15,00\u00a0€ (weniger als 24 Stunden vorher)."
        in refused.text
    )
    assert "bitte rufen Sie Salon Sonnenschein an" in refused.text
    assert 'role="alert"' in refused.text
    assert (await _status(web, item))["status"] == "confirmed"


async def test_a_move_goes_to_the_chosen_free_time_and_the_old_link_is_used(
    web: WebApp, db: AsyncEngine
) -> None:
    item = await _book(web, at(3, 10))
    path = await _path(db, item)
    page = await web.client.get(f"{path}?date=2026-12-04")
    assert "Freie Zeiten am Freitag, 4. Dezember 2026" in page.text
    target = next(s for s in _SLOT.findall(page.text) if "T13:30:00+00:00" in s)
    form = {"csrf_token": await _form_token(web, path), "slot": target}
    moved = await web.client.post(f"{path}/move", data=form)
    assert moved.status_code == 303, moved.text
    new_path = moved.headers["location"].removesuffix("?done=moved")
    assert new_path != path
    shown = await web.client.get(moved.headers["location"])
    assert shown.status_code == 200
    assert "Ihr Termin wurde verschoben." in shown.text
    assert "Freitag, 4. Dezember 2026, 14:30–15:30" in shown.text
    assert datetime.fromisoformat((await _status(web, item))["start"]) == at(4, 14, 30)
    old = await web.client.get(path)
    assert old.status_code == 410
    assert "früheren Stand Ihres Termins" in old.text
    replay = await web.client.post(f"{path}/move", data=form)
    assert replay.status_code == 410
    assert datetime.fromisoformat((await _status(web, item))["start"]) == at(4, 14, 30)


async def test_a_taken_time_is_refused_with_alternatives_and_nothing_moves(
    web: WebApp, db: AsyncEngine
) -> None:
    item = await _book(web, at(3, 10))
    await _book(web, at(4, 10))
    path = await _path(db, item)
    taken = f"{at(4, 10).isoformat()}|{ANNA}"
    response = await web.client.post(
        f"{path}/move", data={"csrf_token": await _form_token(web, path), "slot": taken}
    )
    assert response.status_code == 409
    assert "Diese Zeit ist leider schon vergeben." in response.text
    assert "Stattdessen frei" in response.text
    assert datetime.fromisoformat((await _status(web, item))["start"]) == at(3, 10)


@pytest.mark.parametrize("position", [0, 10, 20, 40, 60, 70])
async def test_a_tampered_link_is_refused_and_reveals_nothing(
    web: WebApp, db: AsyncEngine, position: int
) -> None:
    item = await _book(web, at(3, 10))
    path = await _path(db, item)
    token = path.removeprefix("/m/")
    char = "A" if token[position] != "A" else "B"
    tampered = "/m/" + token[:position] + char + token[position + 1 :]
    page = await web.client.get(tampered)
    assert page.status_code == 404
    assert "Dieser Link ist leider ungültig." in page.text
    assert "Salon Sonnenschein" not in page.text
    form = {"csrf_token": await _form_token(web, path)}
    refused = await web.client.post(f"{tampered}/cancel", data=form)
    assert refused.status_code == 404
    assert "Dieser Link ist leider ungültig." in refused.text
    assert (await _status(web, item))["status"] == "confirmed"


async def test_a_link_of_another_tenant_or_a_deleted_appointment_reads_like_garbage(
    web: WebApp, db: AsyncEngine
) -> None:
    item = await _book(web, at(3, 10))
    start = datetime.fromisoformat(item["start"])
    key = derive_link_key(SECRET)
    foreign = issue(key, LinkRef(uuid.uuid4(), uuid.UUID(item["id"]), start))
    unknown = issue(key, LinkRef(await _tenant_id(db), uuid.uuid4(), start))
    garbage = await web.client.get("/m/not-a-token")
    for token in (foreign, unknown):
        page = await web.client.get(f"/m/{token}")
        assert page.status_code == 404
        assert page.text == garbage.text.replace("not-a-token", token)


async def test_a_link_signed_with_another_key_is_refused(web: WebApp, db: AsyncEngine) -> None:
    item = await _book(web, at(3, 10))
    start = datetime.fromisoformat(item["start"])
    ref = LinkRef(await _tenant_id(db), uuid.UUID(item["id"]), start)
    page = await web.client.get(f"/m/{issue(derive_link_key(SecretStr(new_key())), ref)}")
    assert page.status_code == 404


async def test_an_expired_link_says_so(web: WebApp, db: AsyncEngine) -> None:
    item = await _book(web, at(1, 15))
    path = await _path(db, item)
    web.clock.advance(timedelta(hours=8))  # 16:00, the appointment began at 15:00
    page = await web.client.get(path)
    assert page.status_code == 410
    assert "hat bereits begonnen oder ist vorbei" in page.text


async def test_the_forms_need_the_links_own_form_token(web: WebApp, db: AsyncEngine) -> None:
    first, second = await _book(web, at(3, 10)), await _book(web, at(3, 15))
    path, other = await _path(db, first), await _path(db, second)
    for form in ({}, {"csrf_token": "x" * 22}, {"csrf_token": await _form_token(web, other)}):
        response = await web.client.post(f"{path}/cancel", data=form)
        assert response.status_code == 403
        assert "Das Formular war nicht mehr gültig." in response.text
    assert (await _status(web, first))["status"] == "confirmed"


async def test_an_english_business_gets_the_page_in_english(web: WebApp, db: AsyncEngine) -> None:
    async with create_session_factory(db, FakeClock())() as session:
        await session.execute(
            update(Tenant).where(Tenant.slug == demo.TENANT_SLUG).values(locale="en-GB")
        )
        await session.commit()
    item = await _book(web, at(1, 15))
    path = await _path(db, item)
    page = await web.client.get(path)
    assert "Your appointment at Salon Sonnenschein" in page.text
    refused = await web.client.post(
        f"{path}/cancel", data={"csrf_token": await _form_token(web, path)}
    )
    assert "Cancelling this close to the appointment costs €15.00" in refused.text


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-13-01", "x"])
async def test_any_day_asked_for_shows_a_page(web: WebApp, db: AsyncEngine, day: str) -> None:
    path = await _path(db, await _book(web, at(3, 10)))
    page = await web.client.get(f"{path}?date={day}")
    assert page.status_code == 200
    assert "Freie Zeiten am Donnerstag, 3. Dezember 2026" in page.text


async def test_a_failure_behind_the_page_is_a_customers_page(
    web: WebApp, db: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = await _path(db, await _book(web, at(3, 10)))

    async def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("frontdesk.booking.manage.open_link", broken)
    page = await web.client.get(path)
    assert page.status_code == 500
    assert "text/html" in page.headers["content-type"]
    assert "Das hat gerade leider nicht geklappt." in page.text
    assert "boom" not in page.text
