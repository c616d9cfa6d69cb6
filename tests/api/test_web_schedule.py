"""The schedule page through the ASGI app: what it shows, its polling, bad parameters, and
the static files it links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY
from tests.clock_support import at
from tests.rest_support import ANNA, booking
from tests.web_support import OTHER_OWNER, STAFF, WebApp, web_app

API = {"Authorization": f"Bearer {DEMO_KEY}"}
_VERSION = re.compile(r'data-version="([0-9a-f]+)"')


@pytest.fixture
async def owner(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db, web_poll_seconds=7):
        assert (await app.sign_in()).status_code == 303
        yield app


async def _book(web: WebApp, hour: int, day: int = 1, name: str = "Erika Mustermann") -> str:
    body = booking(at(day, hour), staff_id=ANNA)
    body["customer"] = {"name": name, "phone": "+4915112345678"}
    response = await web.client.post("/api/v1/appointments", json=body, headers=API)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_the_day_view_shows_todays_appointments_per_staff_member(owner: WebApp) -> None:
    appointment_id = await _book(owner, 10)
    page = await owner.client.get("/admin/schedule")
    assert page.status_code == 200
    assert "Dienstag, 1. Dezember 2026" in page.text  # today from the injected clock
    for name in ("Anna Becker", "Jonas Weber", "Mia Schulz"):
        assert name in page.text
    assert f'data-appointment-id="{appointment_id}"' in page.text
    assert "10:00–10:30" in page.text
    assert "Erika Mustermann" in page.text
    assert "Pause" in page.text  # the lunch break 13:00–13:30
    assert 'hx-trigger="every 7s"' in page.text


async def test_the_week_view_lists_the_weeks_appointments(owner: WebApp) -> None:
    await _book(owner, 11, day=3, name="Max Muster")
    page = await owner.client.get("/admin/schedule?date=2026-12-03&view=week")
    assert page.status_code == 200
    assert "Woche vom 30.11.2026 bis 06.12.2026" in page.text
    assert "Max Muster" in page.text
    assert "Herrenhaarschnitt · Anna Becker" in page.text
    assert 'href="/admin/schedule?date=2026-11-23&amp;view=week"' in page.text  # previous week


async def test_holidays_and_days_off_are_shown(owner: WebApp) -> None:
    christmas = await owner.client.get("/admin/schedule?date=2026-12-25")
    assert "Feiertag: Erster Weihnachtstag" in christmas.text
    monday = await owner.client.get("/admin/schedule?date=2026-11-30")
    assert monday.text.count("Nicht im Dienst") == 3


async def test_date_navigation_links(owner: WebApp) -> None:
    page = await owner.client.get("/admin/schedule?date=2026-12-10")
    assert 'href="/admin/schedule?date=2026-12-09&amp;view=day" rel="prev"' in page.text
    assert 'href="/admin/schedule?date=2026-12-11&amp;view=day" rel="next"' in page.text
    assert 'href="/admin/schedule?date=2026-12-01&amp;view=day"' in page.text  # Heute


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "date=2026-13-45",
            "„2026-13-45“ ist kein gültiges Datum (JJJJ-MM-TT) – gezeigt wird heute.",
        ),
        ("date=<script>", "„&lt;script&gt;“ ist kein gültiges Datum"),
        ("view=month", "Unbekannte Ansicht „month“ – gezeigt wird die Tagesansicht."),
    ],
)
async def test_bad_parameters_give_a_message_on_the_page(
    owner: WebApp, query: str, message: str
) -> None:
    page = await owner.client.get(f"/admin/schedule?{query}")
    assert page.status_code == 400
    assert message in page.text
    assert "Anna Becker" in page.text  # today's day view instead


async def test_polling_answers_204_until_a_booking_changes_the_day(owner: WebApp) -> None:
    page = await owner.client.get("/admin/schedule")
    found = _VERSION.search(page.text)
    assert found
    version = found.group(1)
    poll = f"/admin/schedule/updates?date=2026-12-01&view=day&version={version}"
    quiet = await owner.client.get(poll, headers={"HX-Request": "true"})
    assert quiet.status_code == 204
    await _book(owner, 14, name="Telefon Kundin")  # as the phone agent would
    changed = await owner.client.get(poll, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert "Telefon Kundin" in changed.text
    assert "<html" not in changed.text  # a fragment, not a page
    new_version = _VERSION.search(changed.text)
    assert new_version
    assert new_version.group(1) != version
    other_day = await owner.client.get(
        f"/admin/schedule/updates?date=2026-12-02&view=day&version={version}"
    )
    assert other_day.status_code == 200  # a different day has its own version


async def test_staff_see_the_schedule(db: AsyncEngine) -> None:
    async for web in web_app(db):
        await web.sign_in(email=STAFF)
        await _book(web, 10)
        page = await web.client.get("/admin/schedule")
        assert page.status_code == 200
        assert "Erika Mustermann" in page.text


async def test_another_tenant_never_sees_the_demos_appointments(db: AsyncEngine) -> None:
    async for web in web_app(db):
        await _book(web, 10)
        await web.sign_in(email=OTHER_OWNER)
        page = await web.client.get("/admin/schedule")
        assert page.status_code == 200
        assert "Erika Mustermann" not in page.text
        week = await web.client.get("/admin/schedule?view=week")
        assert "Erika Mustermann" not in week.text


async def test_static_files_have_versioned_urls_and_long_caching(owner: WebApp) -> None:
    page = await owner.client.get("/admin/schedule")
    css = re.search(r'href="(/admin/static/[0-9a-f]{12}/app\.css)"', page.text)
    js = re.search(r'src="(/admin/static/[0-9a-f]{12}/vendor/htmx/htmx\.min\.js)"', page.text)
    assert css
    assert js
    response = await owner.client.get(css.group(1))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "text/css" in response.headers["content-type"]
    stale = await owner.client.get("/admin/static/000000000000/app.css")
    assert stale.headers["cache-control"] == "no-cache"
    missing = await owner.client.get("/admin/static/000000000000/nothing.js")
    assert missing.status_code == 404
    escape = await owner.client.get("/admin/static/000000000000/../../security.py")
    assert escape.status_code == 404
