"""The owner's messages settings page through the ASGI app (issue 15; ADR 0024): reminders,
channels, sender, branch address and the team's e-mail opt-in changed and read back through the
use cases; refusals shown as German sentences with nothing written; staff kept out (403) and
forms without a CSRF token refused (403)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeClock
from tests.settings_support import BRANCH, OWNER, settings_uow
from tests.web_support import OTHER_OWNER, STAFF, WebApp, web_app

from frontdesk import demo
from frontdesk.business import messaging
from frontdesk.business.messaging import MessageSettings
from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import AuditLog, User
from frontdesk.domain.clock import system_clock

PAGE = "/admin/settings/messages"
ADDRESS = f"{PAGE}/branches/{BRANCH}/address"
DEFAULTS = MessageSettings(24, True, True, None)


@pytest.fixture
async def owner(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db):
        assert (await app.sign_in()).status_code == 303
        yield app


async def post(web: WebApp, path: str, data: dict[str, str]) -> httpx.Response:
    token = await web.csrf_of(PAGE)
    return await web.client.post(path, data={"csrf_token": token, **data})


async def stored(db: AsyncEngine) -> MessageSettings:
    return await messaging.message_settings(settings_uow(db, FakeClock()), OWNER)


async def audited(db: AsyncEngine) -> int:
    async with create_session_factory(db, system_clock)() as session:
        return len((await session.execute(select(AuditLog.id))).all())


async def user_id(db: AsyncEngine, email: str) -> str:
    async with create_session_factory(db, system_clock)() as session:
        found = await session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return str(found)


def alert_near(page: str, field: str) -> str:
    found = re.search(rf'id="error-{re.escape(field)}">([^<]+)<', page)
    assert found, f"no message next to {field}"
    return found.group(1)


def reminder_form(**fields: str) -> dict[str, str]:
    """The reminders form as the browser posts it: an unticked box (``""`` here) is not sent."""
    form = {"reminders": "on", "reminder_hours": "24", "reminder_email": "1", "mail_from": ""}
    boxes = ("reminder_email", "reminder_sms")
    return {key: value for key, value in (form | fields).items() if value or key not in boxes}


async def test_the_page_shows_the_settings_and_explains_the_messages(owner: WebApp) -> None:
    overview = await owner.client.get("/admin/settings")
    assert f'href="{PAGE}"' in overview.text
    page = await owner.client.get(PAGE)
    assert page.status_code == 200
    assert "<h1>Nachrichten</h1>" in page.text
    for words in ("Bestätigung", "Verschiebung und Absage", "Erinnerung",
                  "nur an Handynummern", "zugestimmt", "zwischen 21 und 8 Uhr"):  # fmt: skip
        assert words in page.text, words
    assert 'name="reminder_hours" value="24"' in page.text
    assert re.search(r'name="reminder_sms" value="1" checked', page.text)
    assert "E-Mail bei Telefonbuchungen, Absagen und Sync-Konflikten" in page.text
    assert demo.OWNER_EMAIL in page.text
    assert STAFF in page.text
    assert OTHER_OWNER not in page.text  # another tenant's login


async def test_the_owner_changes_reminders_channels_and_sender(
    owner: WebApp, db: AsyncEngine
) -> None:
    assert await stored(db) == DEFAULTS
    form = reminder_form(reminder_hours="48", mail_from="Termine@Salon.Example")
    answer = await post(owner, PAGE, form)
    assert answer.status_code == 303
    assert answer.headers["location"] == PAGE
    assert await stored(db) == MessageSettings(48, True, False, "Termine@salon.example")
    page = await owner.client.get(PAGE)
    assert "Die Änderung ist gespeichert." in page.text
    assert 'name="reminder_hours" value="48"' in page.text
    assert 'value="Termine@salon.example"' in page.text

    sms_only = reminder_form(reminder_hours="3", reminder_email="", reminder_sms="1")
    assert (await post(owner, PAGE, sms_only)).status_code == 303
    assert await stored(db) == MessageSettings(3, False, True, None)

    off = {"reminders": "off", "reminder_hours": "", "reminder_email": "1"}
    assert (await post(owner, PAGE, off)).status_code == 303
    assert await stored(db) == MessageSettings(None, True, False, None)
    assert 'value="off" checked' in (await owner.client.get(PAGE)).text


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"reminder_hours": "0"}, "reminder_hours", "1 bis 168 Stunden"),
        ({"reminder_hours": "1000"}, "reminder_hours", "1 bis 168 Stunden"),
        ({"reminder_hours": "morgen"}, "reminder_hours", "ganze Zahl"),
        ({"reminder_email": ""}, "reminder_channels", "E-Mail, SMS oder beides"),
        ({"mail_from": "kein@"}, "mail_from", "keine gültige E-Mail-Adresse"),
    ],
)
async def test_refused_input_is_explained_and_changes_nothing(
    owner: WebApp, db: AsyncEngine, fields: dict[str, str], field: str, words: str
) -> None:
    before = await audited(db)
    answer = await post(owner, PAGE, reminder_form(**fields))
    assert answer.status_code == 422
    assert words in alert_near(answer.text, field)
    assert f'value="{fields.get("reminder_hours", "24")}"' in answer.text  # the typed value
    assert await stored(db) == DEFAULTS
    assert await audited(db) == before


async def test_the_branch_address(owner: WebApp, db: AsyncEngine) -> None:
    answer = await post(owner, ADDRESS, {"address": " Sonnenallee 1, 12045 Berlin "})
    assert answer.status_code == 303
    uow = settings_uow(db, FakeClock())
    (branch,) = [b for b in await messaging.branch_addresses(uow, OWNER) if b.id == BRANCH]
    assert branch.address == "Sonnenallee 1, 12045 Berlin"
    assert 'value="Sonnenallee 1, 12045 Berlin"' in (await owner.client.get(PAGE)).text

    too_long = "x" * 301
    refused = await post(owner, ADDRESS, {"address": too_long})
    assert refused.status_code == 422
    assert "höchstens 300 Zeichen" in alert_near(refused.text, f"address-{BRANCH}")
    assert f'value="{too_long}"' in refused.text
    (branch,) = [b for b in await messaging.branch_addresses(uow, OWNER) if b.id == BRANCH]
    assert branch.address == "Sonnenallee 1, 12045 Berlin"

    assert (await post(owner, ADDRESS, {"address": ""})).status_code == 303
    (branch,) = [b for b in await messaging.branch_addresses(uow, OWNER) if b.id == BRANCH]
    assert branch.address is None


async def test_the_team_opt_in_per_login(owner: WebApp, db: AsyncEngine) -> None:
    uow = settings_uow(db, FakeClock())
    staff = await user_id(db, STAFF)
    notify = f"{PAGE}/logins/{staff}/notify"

    async def opted_in() -> dict[str, bool]:
        return {login.email: login.notify_by_email for login in await messaging.logins(uow, OWNER)}

    assert await opted_in() == {demo.OWNER_EMAIL: False, STAFF: False}
    assert (await post(owner, notify, {"notify": "1"})).status_code == 303
    assert await opted_in() == {demo.OWNER_EMAIL: False, STAFF: True}
    page = (await owner.client.get(PAGE)).text
    assert re.search(r"Ausschalten<span class=\"visually-hidden\"> Anna", page)
    assert (await post(owner, notify, {"notify": "0"})).status_code == 303
    assert await opted_in() == {demo.OWNER_EMAIL: False, STAFF: False}


async def test_staff_are_refused_and_nothing_changes(db: AsyncEngine) -> None:
    async for web in web_app(db):
        assert (await web.sign_in(STAFF)).status_code == 303
        staff_id = await user_id(db, STAFF)
        token = await web.csrf_of("/admin/schedule")
        before = await audited(db)
        page = await web.client.get(PAGE)
        assert page.status_code == 403
        assert "nur für Inhaberinnen und Inhaber" in page.text
        for path, data in (
            (PAGE, reminder_form(reminders="off")),
            (ADDRESS, {"address": "Anderswo 1"}),
            (f"{PAGE}/logins/{staff_id}/notify", {"notify": "1"}),
        ):
            answer = await web.client.post(path, data={"csrf_token": token, **data})
            assert answer.status_code == 403, path
        assert await audited(db) == before
        assert await stored(db) == DEFAULTS


async def test_forms_without_the_csrf_token_are_refused(owner: WebApp, db: AsyncEngine) -> None:
    staff = await user_id(db, STAFF)
    before = await audited(db)
    for path, data in (
        (PAGE, reminder_form(reminders="off")),
        (ADDRESS, {"address": "Anderswo 1"}),
        (f"{PAGE}/logins/{staff}/notify", {"notify": "1"}),
    ):
        answer = await owner.client.post(path, data=data)
        assert answer.status_code == 403, path
        assert "Sicherheitstoken" in answer.text
    assert await audited(db) == before
    assert await stored(db) == DEFAULTS


async def test_another_tenants_branch_and_login_are_not_found(db: AsyncEngine) -> None:
    async for web in web_app(db):
        staff = await user_id(db, STAFF)
        assert (await web.sign_in(OTHER_OWNER)).status_code == 303
        before = await audited(db)
        for path, data in (
            (ADDRESS, {"address": "Anderswo 1"}),
            (f"{PAGE}/logins/{staff}/notify", {"notify": "1"}),
            (f"{PAGE}/logins/nope/notify", {"notify": "1"}),
        ):
            assert (await post(web, path, data)).status_code == 404, path
        assert await audited(db) == before
