"""The call list and a call's detail through the ASGI app: what they show, the filters in the
URL, keyset paging, bad parameters on the page, and another tenant's calls never shown."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.web_records_support import SUMMARY, SeededCalls, seed_calls
from tests.web_support import OTHER_OWNER, STAFF, WebApp, web_app


@pytest.fixture
async def web(db: AsyncEngine) -> AsyncIterator[tuple[WebApp, SeededCalls]]:
    async for app in web_app(db):
        seeded = await seed_calls(app, db)
        assert (await app.sign_in()).status_code == 303
        yield app, seeded


async def test_the_list_shows_caller_time_duration_outcome_and_appointment(
    web: tuple[WebApp, SeededCalls],
) -> None:
    app, seeded = web
    page = await app.client.get("/admin/calls")
    assert page.status_code == 200
    text = page.text
    assert f'href="/admin/calls/{seeded.booked_call}"' in text
    assert "01.12.2026 07:00" in text  # Berlin time, not UTC
    assert "Erika Mustermann" in text
    assert "01511 2345678" in text  # the caller's number as written in Germany
    assert "2:00 min" in text
    assert "Gebucht" in text
    assert 'href="/admin/schedule?date=2026-12-01&amp;view=day">01.12.2026 10:00</a>' in text
    assert "Nummer unbekannt" in text  # the quiet call had no number
    # Newest first.
    assert text.index(str(seeded.quiet_call)) < text.index(str(seeded.booked_call))


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("outcome=booked", "booked_call", "quiet_call"),
        ("outcome=none", "quiet_call", "booked_call"),
        ("day=2026-12-01", "booked_call", None),
    ],
)
async def test_filters_by_outcome_and_day(
    web: tuple[WebApp, SeededCalls], query: str, shown: str, hidden: str | None
) -> None:
    app, seeded = web
    page = await app.client.get(f"/admin/calls?{query}")
    assert page.status_code == 200
    assert str(getattr(seeded, shown)) in page.text
    if hidden:
        assert str(getattr(seeded, hidden)) not in page.text


async def test_the_filter_form_shows_the_urls_filter(web: tuple[WebApp, SeededCalls]) -> None:
    app, _ = web
    page = await app.client.get("/admin/calls?outcome=booked&day=2026-12-01")
    assert '<option value="booked" selected>' in page.text
    assert 'value="2026-12-01"' in page.text


async def test_another_day_has_no_calls(web: tuple[WebApp, SeededCalls]) -> None:
    app, _ = web
    page = await app.client.get("/admin/calls?day=2026-12-02")
    assert "Keine Anrufe gefunden." in page.text
    assert 'value="2026-12-02"' in page.text


async def test_keyset_pages_keep_the_filter(
    web: tuple[WebApp, SeededCalls], monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.api.web import calls_page

    monkeypatch.setattr(calls_page, "PAGE_SIZE", 1)
    app, seeded = web
    first = await app.client.get("/admin/calls?day=2026-12-01")
    assert str(seeded.quiet_call) in first.text
    assert str(seeded.booked_call) not in first.text
    found = re.search(
        r'href="(/admin/calls\?day=2026-12-01&amp;after=[^"]+)" rel="next"', first.text
    )
    assert found, "no link to the next page"
    second = await app.client.get(found.group(1).replace("&amp;", "&"))
    assert str(seeded.booked_call) in second.text
    assert str(seeded.quiet_call) not in second.text
    assert 'rel="next"' not in second.text
    assert 'href="/admin/calls?day=2026-12-01"' in second.text  # back to the newest


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("outcome=maybe", "„maybe“ ist kein bekanntes Ergebnis"),
        ("day=2026-13-01", "„2026-13-01“ ist kein gültiges Datum"),
        ("after=not-a-cursor", "Dieser Seitenlink ist ungültig"),
    ],
)
async def test_bad_parameters_are_reported_on_the_page(
    web: tuple[WebApp, SeededCalls], query: str, message: str
) -> None:
    app, seeded = web
    page = await app.client.get(f"/admin/calls?{query}")
    assert page.status_code == 400
    assert message in page.text
    assert 'role="alert"' in page.text
    assert str(seeded.booked_call) in page.text  # the list without that filter


async def test_the_detail_shows_transcript_functions_and_the_booking(
    web: tuple[WebApp, SeededCalls],
) -> None:
    app, seeded = web
    page = await app.client.get(f"/admin/calls/{seeded.booked_call}")
    assert page.status_code == 200
    text = page.text
    assert "Anruf vom 01.12.2026 um 07:00" in text
    assert "Einen Haarschnitt morgen um zehn, bitte." in text
    assert SUMMARY in text
    assert "Positiv" in text  # the sentiment, in German
    assert "book_appointment" in text
    assert "321 ms" in text
    assert "„Ihr Termin ist gebucht.“" in text
    assert "&#34;service&#34;: &#34;Herrenhaarschnitt&#34;" in text  # arguments, escaped
    assert 'href="/admin/schedule?date=2026-12-01&amp;view=day">01.12.2026 10:00</a>' in text
    assert "Herrenhaarschnitt · Anna Becker" in text
    assert 'href="/admin/customers/' in text  # the caller's record


async def test_staff_see_calls_too(db: AsyncEngine) -> None:
    async for app in web_app(db):
        seeded = await seed_calls(app, db)
        assert (await app.sign_in(STAFF)).status_code == 303
        assert (await app.client.get("/admin/calls")).status_code == 200
        detail = await app.client.get(f"/admin/calls/{seeded.booked_call}")
        assert detail.status_code == 200


@pytest.mark.parametrize("ident", ["other", "00000000-0000-0000-0000-000000000000", "nonsense"])
async def test_another_tenants_unknown_or_malformed_call_is_not_found(
    web: tuple[WebApp, SeededCalls], ident: str
) -> None:
    app, seeded = web
    path = f"/admin/calls/{seeded.other_call if ident == 'other' else ident}"
    page = await app.client.get(path)
    assert page.status_code == 404
    assert "nicht gefunden" in page.text
    assert "Otto" not in page.text


async def test_another_tenants_owner_sees_only_their_calls(db: AsyncEngine) -> None:
    async for app in web_app(db):
        seeded = await seed_calls(app, db)
        assert (await app.sign_in(OTHER_OWNER)).status_code == 303
        page = await app.client.get("/admin/calls")
        assert str(seeded.other_call) in page.text
        assert str(seeded.booked_call) not in page.text
        assert (await app.client.get(f"/admin/calls/{seeded.booked_call}")).status_code == 404


async def test_signed_out_the_call_goes_to_the_login(db: AsyncEngine) -> None:
    async for app in web_app(db):
        page = await app.client.get("/admin/calls?outcome=booked")
        assert page.status_code == 303
        assert page.headers["location"] == "/admin/login?next=/admin/calls%3Foutcome%3Dbooked"
