"""The customer pages through the ASGI app: search by name and by phone number in German
notations, the record with its history, notes and consents, the GDPR export, merge and erasure
(owners only, confirmed), CSRF on every form, and another tenant's customers never reached."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeClock
from tests.people_support import ERIKA_ID
from tests.web_records_support import TRANSCRIPT, SeededCalls, seed_calls
from tests.web_support import STAFF, WebApp, web_app

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import AuditLog, Customer

ERIKA = f"/admin/customers/{ERIKA_ID}"


@pytest.fixture
async def web(db: AsyncEngine) -> AsyncIterator[tuple[WebApp, SeededCalls]]:
    async for app in web_app(db):
        seeded = await seed_calls(app, db)
        assert (await app.sign_in()).status_code == 303
        yield app, seeded


@pytest.fixture
async def staff(db: AsyncEngine) -> AsyncIterator[tuple[WebApp, SeededCalls]]:
    async for app in web_app(db):
        seeded = await seed_calls(app, db)
        assert (await app.sign_in(STAFF)).status_code == 303
        yield app, seeded


async def _twin(db: AsyncEngine, name: str = "Erika M.", phone: str = "+4930123456") -> uuid.UUID:
    """A second record of Erika, as made at the desk with her landline."""
    async with create_session_factory(db, FakeClock())() as session:
        twin = Customer(tenant_id=(await session.get(Customer, ERIKA_ID)).tenant_id, name=name)  # type: ignore[union-attr]
        twin.phone_e164 = phone
        twin.notes = "Festnetz"
        session.add(twin)
        await session.commit()
        return twin.id


@pytest.mark.parametrize("text", ["Mustermann", "0151 12345678", "+49 (0)151 1234 5678", "01511"])
async def test_search_by_name_or_german_phone_notation(
    web: tuple[WebApp, SeededCalls], text: str
) -> None:
    app, _ = web
    page = await app.client.get("/admin/customers", params={"q": text})
    assert page.status_code == 200
    assert f'href="{ERIKA}">Erika Mustermann</a>' in page.text
    assert "01511 2345678" in page.text
    assert "Otto Fremd" not in page.text  # another tenant's customer


async def test_an_empty_search_shows_the_form_and_a_bad_one_says_why(
    web: tuple[WebApp, SeededCalls],
) -> None:
    app, _ = web
    empty = await app.client.get("/admin/customers")
    assert empty.status_code == 200
    assert 'id="q"' in empty.text
    nothing = await app.client.get("/admin/customers?q=Niemand")
    assert "Keine Kunden gefunden." in nothing.text
    too_long = await app.client.get("/admin/customers", params={"q": "x" * 101})
    assert too_long.status_code == 400
    assert "Der Suchtext ist zu lang" in too_long.text


async def test_the_record_shows_history_consents_and_actions(
    web: tuple[WebApp, SeededCalls],
) -> None:
    app, seeded = web
    page = await app.client.get(ERIKA)
    assert page.status_code == 200
    text = page.text
    assert "<h1>Erika Mustermann</h1>" in text
    assert "01.12.2026 10:00" in text
    assert "Herrenhaarschnitt" in text
    assert "Anna Becker" in text
    assert f'href="/admin/calls/{seeded.booked_call}"' in text
    assert "Nicht erfasst" in text  # no consent recorded yet
    assert f'href="{ERIKA}/export"' in text
    assert f'href="{ERIKA}/erase"' in text
    assert 'id="merge_q"' in text


async def test_notes_are_saved_and_audited_without_their_text(
    web: tuple[WebApp, SeededCalls], db: AsyncEngine
) -> None:
    app, _ = web
    token = await app.csrf_of(ERIKA)
    saved = await app.client.post(
        f"{ERIKA}/notes", data={"csrf_token": token, "notes": "Mag kurze Haare."}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == ERIKA
    page = await app.client.get(ERIKA)
    assert "Mag kurze Haare.</textarea>" in page.text
    assert "Die Notizen wurden gespeichert." in page.text
    async with create_session_factory(db, FakeClock())() as session:
        entries = (
            (
                await session.execute(
                    select(AuditLog).where(AuditLog.action == "customer_notes_changed")
                )
            )
            .scalars()
            .all()
        )
    assert [e.entity_id for e in entries] == [str(ERIKA_ID)]
    assert "kurze" not in json.dumps(entries[0].data)
    too_long = await app.client.post(
        f"{ERIKA}/notes", data={"csrf_token": token, "notes": "x" * 2001}
    )
    assert too_long.status_code == 400
    assert "Die Eingabe ist ungültig" in too_long.text


async def test_consent_is_recorded_with_time_and_source_then_withdrawn(
    web: tuple[WebApp, SeededCalls],
) -> None:
    app, _ = web
    token = await app.csrf_of(ERIKA)
    form = {"csrf_token": token, "channel": "sms", "granted": "yes", "source": "am Telefon"}
    assert (await app.client.post(f"{ERIKA}/consent", data=form)).status_code == 303
    page = await app.client.get(ERIKA)
    assert "<td>Erteilt</td>" in page.text
    assert "am Telefon" in page.text
    assert "01.12.2026 08:00" in page.text  # when, by the injected clock, in Berlin time
    app.clock.now += timedelta(minutes=5)  # statements are ordered by when they were made
    form |= {"granted": "no", "source": "per E-Mail widerrufen"}
    assert (await app.client.post(f"{ERIKA}/consent", data=form)).status_code == 303
    page = await app.client.get(ERIKA)
    assert "<td>Widerrufen</td>" in page.text
    assert "per E-Mail widerrufen" in page.text
    assert "01.12.2026 08:05" in page.text
    missing_source = await app.client.post(f"{ERIKA}/consent", data=form | {"source": " "})
    assert missing_source.status_code == 400
    wrong_channel = await app.client.post(f"{ERIKA}/consent", data=form | {"channel": "fax"})
    assert wrong_channel.status_code == 400


async def test_the_export_is_a_json_download_that_is_not_cached(
    web: tuple[WebApp, SeededCalls],
) -> None:
    app, seeded = web
    response = await app.client.get(f"{ERIKA}/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="kunde-{ERIKA_ID}.json"'
    )
    assert response.headers["cache-control"] == "no-store"
    document = response.json()
    assert document["format"] == "frontdesk.customer-export/1"
    assert document["customer"]["name"] == "Erika Mustermann"
    [call] = [c for c in document["calls"] if c["id"] == str(seeded.booked_call)]
    assert call["transcript"] == TRANSCRIPT


async def test_merge_is_confirmed_then_moves_everything(
    web: tuple[WebApp, SeededCalls], db: AsyncEngine
) -> None:
    app, _ = web
    twin = await _twin(db)
    found = await app.client.get(ERIKA, params={"merge_q": "Erika M."})
    assert f'href="{ERIKA}/merge?other={twin}"' in found.text
    confirm = await app.client.get(f"{ERIKA}/merge", params={"other": str(twin)})
    assert confirm.status_code == 200
    assert "„Erika M.“ wird in „Erika Mustermann“ übernommen." in confirm.text
    assert "030 123456" in confirm.text
    token = await app.csrf_of(ERIKA)
    merged = await app.client.post(f"{ERIKA}/merge", data={"csrf_token": token, "other": str(twin)})
    assert merged.status_code == 303
    page = await app.client.get(ERIKA)
    assert "Die Einträge wurden zusammengeführt." in page.text
    assert "Festnetz" in page.text  # the twin's notes were appended
    assert (await app.client.get(f"/admin/customers/{twin}")).status_code == 404
    itself = await app.client.post(
        f"{ERIKA}/merge", data={"csrf_token": token, "other": str(ERIKA_ID)}
    )
    assert itself.status_code == 400


async def test_erasure_needs_the_typed_name_and_keeps_the_appointment(
    web: tuple[WebApp, SeededCalls], db: AsyncEngine
) -> None:
    app, seeded = web
    confirm = await app.client.get(f"{ERIKA}/erase")
    assert confirm.status_code == 200
    assert "Zur Bestätigung den Namen eingeben: Erika Mustermann" in confirm.text
    token = await app.csrf_of(f"{ERIKA}/erase")
    wrong = await app.client.post(
        f"{ERIKA}/erase", data={"csrf_token": token, "confirm_name": "Erika"}
    )
    assert wrong.status_code == 400
    assert "stimmt nicht überein – es wurde nichts gelöscht" in wrong.text
    assert "Erika Mustermann" in (await app.client.get(ERIKA)).text
    erased = await app.client.post(
        f"{ERIKA}/erase", data={"csrf_token": token, "confirm_name": "  erika  MUSTERMANN "}
    )
    assert erased.status_code == 303
    page = await app.client.get(ERIKA)
    assert "Die Kundendaten wurden gelöscht." in page.text
    assert "Mustermann" not in page.text
    assert "01.12.2026 10:00" in page.text  # the appointment stays, anonymous
    call = await app.client.get(f"/admin/calls/{seeded.booked_call}")
    assert "Einen Haarschnitt" not in call.text
    assert "Der Gesprächsinhalt wurde am 01.12.2026 gelöscht" in call.text
    again = await app.client.get(f"{ERIKA}/erase")
    assert again.status_code == 409
    async with create_session_factory(db, FakeClock())() as session:
        audited = (
            await session.execute(select(AuditLog).where(AuditLog.action == "customer_erased"))
        ).scalar_one()
    assert audited.entity_id == str(ERIKA_ID)
    assert audited.actor.startswith("user:")


async def test_staff_see_and_edit_customers_but_may_not_erase_or_merge(
    staff: tuple[WebApp, SeededCalls], db: AsyncEngine
) -> None:
    app, _ = staff
    page = await app.client.get(ERIKA)
    assert page.status_code == 200
    assert f'href="{ERIKA}/erase"' not in page.text
    assert 'id="merge_q"' not in page.text
    assert "können nur Inhaberinnen und Inhaber" in page.text
    assert (await app.client.get(f"{ERIKA}/export")).status_code == 200
    twin = await _twin(db)
    token = await app.csrf_of(ERIKA)
    for path, data in (
        (f"{ERIKA}/erase", {"confirm_name": "Erika Mustermann"}),
        (f"{ERIKA}/merge", {"other": str(twin)}),
    ):
        assert (await app.client.get(path, params=data)).status_code == 403
        refused = await app.client.post(path, data={"csrf_token": token, **data})
        assert refused.status_code == 403
    notes = await app.client.post(f"{ERIKA}/notes", data={"csrf_token": token, "notes": "ok"})
    assert notes.status_code == 303
    assert "Erika Mustermann" in (await app.client.get(ERIKA)).text


_ACTIONS = [
    ("notes", {"notes": "x"}),
    ("consent", {"channel": "sms", "granted": "yes", "source": "am Telefon"}),
    ("merge", {"other": "TWIN"}),
    ("erase", {"confirm_name": "Erika Mustermann"}),
]


@pytest.mark.parametrize(("action", "data"), _ACTIONS)
async def test_every_form_without_or_with_a_wrong_csrf_token_is_refused(
    web: tuple[WebApp, SeededCalls], db: AsyncEngine, action: str, data: dict[str, str]
) -> None:
    app, _ = web
    twin = await _twin(db)
    data = {key: str(twin) if value == "TWIN" else value for key, value in data.items()}
    for token in (None, "wrong-token"):
        form = data | ({"csrf_token": token} if token else {})
        refused = await app.client.post(f"{ERIKA}/{action}", data=form)
        assert refused.status_code == 403
        assert "Sicherheitstoken" in refused.text
    page = await app.client.get(ERIKA)
    assert "Erika Mustermann" in page.text  # nothing was erased
    assert (await app.client.get(f"/admin/customers/{twin}")).status_code == 200  # nor merged


@pytest.mark.parametrize(("action", "data"), _ACTIONS)
async def test_another_tenants_customer_is_not_found_by_any_action(
    web: tuple[WebApp, SeededCalls], db: AsyncEngine, action: str, data: dict[str, str]
) -> None:
    app, seeded = web
    other = f"/admin/customers/{seeded.other_customer}"
    token = await app.csrf_of(ERIKA)
    data = {k: str(ERIKA_ID) if v == "TWIN" else v for k, v in data.items()}
    posted = await app.client.post(f"{other}/{action}", data={"csrf_token": token, **data})
    assert posted.status_code == 404
    for path in (other, f"{other}/export", f"{other}/erase", f"{other}/merge?other={ERIKA_ID}"):
        page = await app.client.get(path)
        assert page.status_code == 404, path
        assert "Otto" not in page.text
    # Nor can the other tenant's record be merged into one of ours.
    if action == "merge":
        into_ours = await app.client.post(
            f"{ERIKA}/merge", data={"csrf_token": token, "other": str(seeded.other_customer)}
        )
        assert into_ours.status_code == 404
        chosen = await app.client.get(
            f"{ERIKA}/merge", params={"other": str(seeded.other_customer)}
        )
        assert chosen.status_code == 404
    async with create_session_factory(db, FakeClock())() as session:
        otto = await session.get(Customer, seeded.other_customer)
        assert otto is not None
        assert otto.name == "Otto Fremd"
        assert otto.notes is None


@pytest.mark.parametrize("ident", ["00000000-0000-0000-0000-000000000000", "nonsense"])
async def test_unknown_or_malformed_customer_ids_are_not_found(
    web: tuple[WebApp, SeededCalls], ident: str
) -> None:
    app, _ = web
    for suffix in ("", "/export", "/erase"):
        assert (await app.client.get(f"/admin/customers/{ident}{suffix}")).status_code == 404


async def test_search_results_page_with_the_query_kept(
    web: tuple[WebApp, SeededCalls], db: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.api.web import customers_page

    monkeypatch.setattr(customers_page, "PAGE_SIZE", 1)
    app, _ = web
    await _twin(db, phone="+4915112345670")
    names = set()
    path: str | None = "/admin/customers?q=0151+1234567"  # both numbers begin so
    while path:
        page = await app.client.get(path)
        assert page.status_code == 200
        names |= {n for n in ("Erika Mustermann", "Erika M.") if f">{n}</a>" in page.text}
        found = re.search(
            r'href="(/admin/customers\?q=[^"]+&amp;after=[^"]+)" rel="next"', page.text
        )
        path = found.group(1).replace("&amp;", "&") if found else None
    assert names == {"Erika Mustermann", "Erika M."}
    bad = await app.client.get("/admin/customers?q=Erika&after=xyz")
    assert bad.status_code == 400
    assert "Dieser Seitenlink ist ungültig" in bad.text
