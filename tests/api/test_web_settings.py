"""The settings pages through the ASGI app (issue 14, item 5): each form's happy path and a
refusal (the form again with a German message, 4xx, nothing written), staff kept out (403),
forms without a CSRF token refused (403) and another tenant's ids not found (404)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.settings_support import ANNA, BRANCH, HERREN, JONAS
from tests.web_support import OTHER_OWNER, STAFF, WebApp, web_app

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import AuditLog, OpeningHours, PhoneNumber, Service, Tenant
from frontdesk.domain.clock import system_clock

HOURS = f"/admin/settings/branches/{BRANCH}/hours"
WEEK = f"/admin/settings/staff/{JONAS}/week"
TIMEOFF = f"/admin/settings/branches/{BRANCH}/timeoff"
SERVICES = f"/admin/settings/branches/{BRANCH}/services"
SERVICE = f"/admin/settings/services/{HERREN}"
RETELL_KEY = "key_0123456789abcdef0123456789ab"


@pytest.fixture
async def owner(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db):
        assert (await app.sign_in()).status_code == 303
        yield app


async def post(web: WebApp, path: str, data: dict[str, object], page: str = "") -> httpx.Response:
    """A form as the browser sends it: with the CSRF token of the page the form is on."""
    token = await web.csrf_of(page or "/admin/settings")
    return await web.client.post(path, data={"csrf_token": token, **data})  # type: ignore[dict-item]


def week_form(**days: tuple[str, str]) -> dict[str, str]:
    """``d5=("09:00", "14:00")`` → the hours form with one window on Saturday."""
    form: dict[str, str] = {}
    for key, (start, end) in days.items():
        form[f"{key}_0_start"], form[f"{key}_0_end"] = start, end
    return form


async def rows(db: AsyncEngine, table: type, *where: object) -> list:  # type: ignore[type-arg]
    async with create_session_factory(db, system_clock)() as session:
        return list((await session.execute(select(table).where(*where))).scalars())


def alert_near(page: str, field: str) -> str:
    found = re.search(rf'id="error-{field}">([^<]+)<', page)
    assert found, f"no message next to {field}"
    return found.group(1)


# -- the overview and who may see it --------------------------------------------------------


async def test_the_overview_links_every_settings_form(owner: WebApp) -> None:
    page = await owner.client.get("/admin/settings")
    assert page.status_code == 200
    for link in (HOURS, TIMEOFF, SERVICES, WEEK, "/admin/settings/phone-numbers",
                 "/admin/settings/retell-key", "/admin/settings/agent",
                 "/admin/settings/calendar", "/admin/settings/retention"):  # fmt: skip
        assert f'href="{link}"' in page.text, link
    assert "Eigener Retell-Schlüssel:</dt><dd>nicht hinterlegt" in page.text


PAGES = [
    "/admin/settings",
    HOURS,
    WEEK,
    TIMEOFF,
    SERVICES,
    SERVICE,
    "/admin/settings/phone-numbers",
    "/admin/settings/retell-key",
    "/admin/settings/agent",
    "/admin/settings/agent/export",
    "/admin/settings/calendar",
    "/admin/settings/retention",
]
FORMS = [
    HOURS,
    WEEK,
    f"/admin/settings/branches/{BRANCH}/absences",
    f"/admin/settings/branches/{BRANCH}/closures",
    SERVICES,
    SERVICE,
    f"{SERVICE}/active",
    "/admin/settings/phone-numbers",
    "/admin/settings/retell-key",
    "/admin/settings/retell-key/clear",
    "/admin/settings/agent/push",
    "/admin/settings/calendar/connect",
    f"/admin/settings/calendar/branches/{BRANCH}/disconnect",
    "/admin/settings/retention",
]


async def test_staff_get_403_on_every_settings_page_and_form(db: AsyncEngine) -> None:
    async for web in web_app(db):
        assert (await web.sign_in(STAFF)).status_code == 303
        token = await web.csrf_of("/admin/schedule")
        audited = len(await rows(db, AuditLog))
        for path in PAGES:
            page = await web.client.get(path)
            assert page.status_code == 403, path
            assert "nur für Inhaberinnen und Inhaber" in page.text
        for path in FORMS:
            answer = await web.client.post(path, data={"csrf_token": token, "days": "1"})
            assert answer.status_code == 403, path
        assert len(await rows(db, AuditLog)) == audited


async def test_every_form_without_its_csrf_token_is_refused(owner: WebApp, db: AsyncEngine) -> None:
    audited = len(await rows(db, AuditLog))
    for path in FORMS:
        answer = await owner.client.post(path, data={"days": "30", **week_form(d5=("9", "10"))})
        assert answer.status_code == 403, path
        assert "Sicherheitstoken" in answer.text
    assert len(await rows(db, AuditLog)) == audited


async def test_another_tenants_ids_are_not_found(db: AsyncEngine) -> None:
    async for web in web_app(db):
        assert (await web.sign_in(OTHER_OWNER)).status_code == 303
        audited = len(await rows(db, AuditLog))
        for path in (HOURS, WEEK, TIMEOFF, SERVICES, SERVICE, "/admin/settings/services/nope"):
            assert (await web.client.get(path)).status_code == 404, path
        forms = [p for p in FORMS if BRANCH.hex in p.replace("-", "") or JONAS.hex in
                 p.replace("-", "") or HERREN.hex in p.replace("-", "")]  # fmt: skip
        for path in forms:
            assert (await post(web, path, {"staff_id": str(ANNA)})).status_code == 404, path
        answer = await post(web, "/admin/settings/phone-numbers",
                            {"branch_id": str(BRANCH), "number": "030 555 123 45"})  # fmt: skip
        assert answer.status_code == 404
        answer = await post(web, "/admin/settings/calendar/connect",
                            {"branch_id": str(BRANCH), "api_key": "cal_live_x"})  # fmt: skip
        assert answer.status_code == 404
        assert len(await rows(db, AuditLog)) == audited


# -- opening hours and staff weeks ----------------------------------------------------------


async def test_the_owner_shortens_saturdays_opening_hours(owner: WebApp, db: AsyncEngine) -> None:
    page = await owner.client.get(HOURS)
    assert page.status_code == 200
    assert 'name="d5_0_start" value="09:00"' in page.text
    form = week_form(**{f"d{d}": ("09:00", "18:00") for d in range(5)}, d5=("9:00", "12.00"))
    answer = await post(owner, HOURS, form, HOURS)
    assert answer.status_code == 303
    assert answer.headers["location"] == HOURS
    page = await owner.client.get(HOURS)
    assert "Die Änderung ist gespeichert." in page.text
    assert 'name="d5_0_end" value="12:00"' in page.text
    saturday = await rows(db, OpeningHours, OpeningHours.weekday == 5)
    assert [(r.starts_at.hour, r.ends_at.hour) for r in saturday] == [(9, 12)]
    audit = await rows(db, AuditLog, AuditLog.action == "opening_hours.set")
    assert len(audit) == 1
    assert audit[0].actor.startswith("user:")


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"d5_0_start": "25:00", "d5_0_end": "14:00"}, "d5_0_start", "keine Uhrzeit"),
        ({"d5_0_start": "09:00"}, "d5_0_end", "fehlt Beginn oder Ende"),
        ({"d5_0_start": "14:00", "d5_0_end": "09:00"}, "form", "endet 14:00–09:00 nicht"),
    ],
)
async def test_bad_opening_hours_show_the_form_again_and_write_nothing(
    owner: WebApp, db: AsyncEngine, form: dict[str, str], field: str, words: str
) -> None:
    before = [(r.weekday, r.starts_at, r.ends_at) for r in await rows(db, OpeningHours)]
    audited = len(await rows(db, AuditLog))
    answer = await post(owner, HOURS, form, HOURS)
    assert answer.status_code == 422
    assert words in alert_near(answer.text, field)
    assert f'value="{form["d5_0_start"]}"' in answer.text  # what was typed is kept
    assert [(r.weekday, r.starts_at, r.ends_at) for r in await rows(db, OpeningHours)] == before
    assert len(await rows(db, AuditLog)) == audited


async def test_a_staff_week_with_breaks(owner: WebApp) -> None:
    form = week_form(d0=("09:00", "17:00")) | {"d0_0_breaks": "12:00-12:30, 15:00–15:15"}
    assert (await post(owner, WEEK, form, WEEK)).status_code == 303
    page = await owner.client.get(WEEK)
    assert 'value="12:00-12:30, 15:00-15:15"' in page.text
    assert 'name="d1_0_start" value=""' in page.text  # Tuesday off now
    refused = await post(owner, WEEK, form | {"d0_0_breaks": "18:00-18:30"}, WEEK)
    assert refused.status_code == 422
    assert "nicht innerhalb der Arbeitszeit" in refused.text
    assert 'value="12:00-12:30, 15:00-15:15"' in (await owner.client.get(WEEK)).text


# -- absences and closures ------------------------------------------------------------------


async def test_absences_and_closures_are_added_refused_and_removed(owner: WebApp) -> None:
    absence = {"staff_id": str(JONAS), "kind": "sick", "first_day": "2026-12-02",
               "last_day": "2026-12-03"}  # fmt: skip
    answer = await post(owner, f"/admin/settings/branches/{BRANCH}/absences", absence, TIMEOFF)
    assert answer.status_code == 303
    page = await owner.client.get(TIMEOFF)
    assert "Jonas Weber" in page.text
    assert "Krank" in page.text
    assert "02.12.2026 00:00 – 04.12.2026 00:00" in page.text
    overlap = await post(owner, f"/admin/settings/branches/{BRANCH}/absences", absence, TIMEOFF)
    assert overlap.status_code == 422
    assert "schon abwesend" in overlap.text
    bad_day = absence | {"first_day": "31.02.2026"}
    answer = await post(owner, f"/admin/settings/branches/{BRANCH}/absences", bad_day, TIMEOFF)
    assert answer.status_code == 422
    assert "kein gültiges Datum" in alert_near(answer.text, "first_day")
    closure = {"first_day": "24.12.2026", "last_day": "2026-12-26", "reason": "Weihnachten"}
    answer = await post(owner, f"/admin/settings/branches/{BRANCH}/closures", closure, TIMEOFF)
    assert answer.status_code == 303
    page = await owner.client.get(TIMEOFF)
    assert "Weihnachten" in page.text
    backwards = closure | {"last_day": "2026-12-20"}
    answer = await post(owner, f"/admin/settings/branches/{BRANCH}/closures", backwards, TIMEOFF)
    assert answer.status_code == 422
    assert "vor dem ersten" in answer.text
    for kind in ("absences", "closures"):
        found = re.search(
            rf'action="(/admin/settings/branches/[^"]+/{kind}/[^"]+/delete)"', page.text
        )
        assert found
        assert (await post(owner, found.group(1), {}, TIMEOFF)).status_code == 303
        again = await post(owner, found.group(1), {}, TIMEOFF)
        assert again.status_code == 404
    page = await owner.client.get(TIMEOFF)
    assert "Keine Abwesenheiten" in page.text
    assert "Keine Schließtage" in page.text


# -- services -------------------------------------------------------------------------------


async def test_a_new_service_with_a_german_price(owner: WebApp, db: AsyncEngine) -> None:
    form = {"name": "Kinderhaarschnitt", "duration_minutes": "20", "buffer_after_minutes": "5",
            "price": "1.250,5 €", "aliases": "Kinder\nKids", "staff_ids": [str(ANNA)]}  # fmt: skip
    answer = await post(owner, SERVICES, form, SERVICES)
    assert answer.status_code == 303
    (row,) = await rows(db, Service, Service.name == "Kinderhaarschnitt")
    assert (row.price_cents, row.duration_minutes, row.buffer_after_minutes) == (125050, 20, 5)
    assert row.aliases == ["Kinder", "Kids"]
    page = await owner.client.get(SERVICES)
    assert "1.250,50 €" in page.text
    assert "Kinder, Kids" in page.text
    edit = await owner.client.get(f"/admin/settings/services/{row.id}")
    assert 'value="1.250,50 €"' in edit.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"price": "zwölf"}, "price", "kein Preis"),
        ({"duration_minutes": "-5"}, "duration_minutes", "ganze Zahl"),
        ({"duration_minutes": "0"}, "duration_minutes", "mindestens 1"),
        ({"name": "Bartpflege"}, "name", "gibt es schon"),
        ({"staff_ids": []}, "staff_ids", "mindestens eine Person"),
    ],
)
async def test_a_refused_service_edit_writes_nothing(
    owner: WebApp, db: AsyncEngine, change: dict[str, object], field: str, words: str
) -> None:
    form: dict[str, object] = {"name": "Herrenhaarschnitt", "duration_minutes": "30",
                               "price": "25,00", "staff_ids": [str(JONAS)]} | change  # fmt: skip
    audited = len(await rows(db, AuditLog))
    answer = await post(owner, SERVICE, form, SERVICE)
    assert answer.status_code == 422
    assert words in alert_near(answer.text, field)
    (row,) = await rows(db, Service, Service.id == HERREN)
    assert row.duration_minutes != 0
    assert row.name == "Herrenhaarschnitt"
    assert len(await rows(db, AuditLog)) == audited


async def test_a_service_is_edited_deactivated_and_offered_again(
    owner: WebApp, db: AsyncEngine
) -> None:
    form = {"name": "Herrenschnitt", "duration_minutes": "45", "price": "32,50",
            "aliases": "Männerhaarschnitt", "staff_ids": [str(JONAS), str(ANNA)]}  # fmt: skip
    assert (await post(owner, SERVICE, form, SERVICE)).status_code == 303
    (row,) = await rows(db, Service, Service.id == HERREN)
    assert (row.name, row.duration_minutes, row.price_cents) == ("Herrenschnitt", 45, 3250)
    assert (await post(owner, f"{SERVICE}/active", {"active": "0"}, SERVICES)).status_code == 303
    assert "nicht angeboten" in (await owner.client.get(SERVICES)).text
    assert (await post(owner, f"{SERVICE}/active", {"active": "1"}, SERVICES)).status_code == 303
    (row,) = await rows(db, Service, Service.id == HERREN)
    assert row.active


# -- numbers, the Retell key, the agent, the calendar, retention ----------------------------


async def test_phone_numbers_are_added_refused_and_removed(owner: WebApp, db: AsyncEngine) -> None:
    path = "/admin/settings/phone-numbers"
    new = {"branch_id": str(BRANCH), "number": "030 555 123 45", "label": "Zweitnummer"}
    assert (await post(owner, path, new, path)).status_code == 303
    page = await owner.client.get(path)
    assert "<td>030 55512345</td><td>Mitte</td><td>Zweitnummer</td>" in page.text
    taken = await post(owner, path, new, path)
    assert taken.status_code == 409
    assert "schon vergeben" in alert_near(taken.text, "number")
    invalid = await post(owner, path, new | {"number": "12"}, path)
    assert invalid.status_code == 422
    assert "keine gültige Telefonnummer" in alert_near(invalid.text, "number")
    (row,) = await rows(db, PhoneNumber, PhoneNumber.label == "Zweitnummer")
    remove = f"{path}/{row.id}/delete"
    assert (await post(owner, remove, {}, path)).status_code == 303
    assert await rows(db, PhoneNumber, PhoneNumber.label == "Zweitnummer") == []


async def test_the_retell_key_is_write_only(owner: WebApp, db: AsyncEngine) -> None:
    path = "/admin/settings/retell-key"
    short = await post(owner, path, {"key": "kurz"}, path)
    assert short.status_code == 422
    assert "Retell-API-Schlüssel" in alert_near(short.text, "key")
    assert (await post(owner, path, {"key": RETELL_KEY}, path)).status_code == 303
    page = await owner.client.get(path)
    assert 'id="retell-state">hinterlegt' in page.text
    assert RETELL_KEY not in page.text
    (tenant,) = await rows(db, Tenant, Tenant.slug == "salon-sonnenschein")
    assert tenant.retell_api_key
    assert RETELL_KEY not in json.dumps([e.data for e in await rows(db, AuditLog)])
    assert (await post(owner, f"{path}/clear", {}, path)).status_code == 303
    assert 'id="retell-state">nicht hinterlegt' in (await owner.client.get(path)).text


async def test_the_agent_is_exported_as_a_download(owner: WebApp) -> None:
    page = await owner.client.get("/admin/settings/agent")
    assert page.status_code == 200
    assert "Herrenhaarschnitt" in page.text
    export = await owner.client.get("/admin/settings/agent/export")
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment;")
    config = export.json()
    assert "check_availability" in json.dumps(config)


async def test_pushing_the_agent_without_any_retell_key_says_so(owner: WebApp) -> None:
    answer = await post(owner, "/admin/settings/agent/push", {}, "/admin/settings/agent")
    assert answer.status_code == 422
    assert "kein Retell-API-Schlüssel" in answer.text


async def test_the_calendar_page_connects_only_with_a_key_and_goes_back_to_builtin(
    owner: WebApp, db: AsyncEngine
) -> None:
    path = "/admin/settings/calendar"
    page = await owner.client.get(path)
    assert page.status_code == 200
    assert "Eingebauter Kalender" in page.text
    missing = await post(owner, f"{path}/connect", {"branch_id": str(BRANCH), "api_key": ""}, path)
    assert missing.status_code == 422
    assert "API-Schlüssel angeben" in alert_near(missing.text, "api_key")
    back = await post(owner, f"{path}/branches/{BRANCH}/disconnect", {}, path)
    assert back.status_code == 303
    assert await rows(db, AuditLog, AuditLog.action == "calendar.disconnect")


async def test_the_transcript_retention_period(owner: WebApp, db: AsyncEngine) -> None:
    path = "/admin/settings/retention"
    assert 'value="90"' in (await owner.client.get(path)).text
    for bad, words in (("0", "zwischen 1 und 3650"), ("viele", "ganze Zahl")):
        answer = await post(owner, path, {"days": bad}, path)
        assert answer.status_code == 422
        assert words in alert_near(answer.text, "days")
    assert (await post(owner, path, {"days": "30"}, path)).status_code == 303
    (tenant,) = await rows(db, Tenant, Tenant.slug == "salon-sonnenschein")
    assert tenant.transcript_retention_days == 30
