"""The customer's manage page in Debian's Chromium (issue #15 item 4): a link from the owner's
appointment page opens without a login; cancelling within the policy works, outside it the page
refuses with the fee text; moving to another free time works and the REST API agrees; a
tampered link is refused politely. axe-core finds no serious violation on any of these pages.

The server signs with the suite's FRONTDESK_LINK_KEY (tests/e2e_support.py), so this test can
make links too.
Writes docs/screenshots/manage-link.png and manage-link-refused.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr
from tests.app_support import DEMO_KEY
from tests.axe_support import assert_accessible
from tests.clock_support import at
from tests.e2e_support import LINK_KEY, SCREENSHOTS, book, require_chromium, running_server
from tests.web_support import OWNER, PASSWORD

from frontdesk import demo
from frontdesk.booking.manage_link import manage_url
from frontdesk.secrets import new_key
from frontdesk.settings import Settings

SECRET = new_key()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRONTDESK_SECRET_KEY", SECRET)
        with running_server(tmp_path_factory.mktemp("e2e-manage")) as base_url:
            yield base_url


def _appointment(server: str, start: datetime) -> dict[str, Any]:
    response = httpx.get(
        f"{server}/api/v1/appointments",
        params={"from": at(1, 0).isoformat(), "to": at(6, 0).isoformat(), "limit": 200},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    [found] = [a for a in response.json()["items"] if datetime.fromisoformat(a["start"]) == start]
    item: dict[str, Any] = found
    return item


def _link(server: str, start: datetime) -> str:
    item = _appointment(server, start)
    # The e2e server signs every customer link with the suite's link key (tests/e2e_support.py).
    settings = Settings(base_url=server, secret_key=SecretStr(SECRET), link_key=LINK_KEY)
    return manage_url(settings, demo.demo_id(), uuid.UUID(item["id"]), start)


def test_the_customer_cancels_within_the_policy_and_is_refused_outside_it(
    page: Page, server: str
) -> None:
    # Erika's Damenhaarschnitt today at 10:00, two hours ahead: the 24-hour fee applies.
    page.goto(_link(server, at(1, 10)))
    expect(page.get_by_role("heading", name="Ihr Termin bei Salon Sonnenschein")).to_be_visible()
    expect(page.get_by_text("Dienstag, 1. Dezember 2026, 10:00–11:00")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Termin absagen").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Eine Absage so kurz vor dem Termin kostet 15,00\u00a0€")
    expect(refusal).to_contain_text("bitte rufen Sie Salon Sonnenschein an")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "manage-link-refused.png"), full_page=True)
    assert _appointment(server, at(1, 10))["status"] == "confirmed"

    book(server, "Clara Browser", at(3, 10), "anna", "damenhaarschnitt", "+4915123456789")
    link = _link(server, at(3, 10))
    page.goto(link)
    expect(page.get_by_text("Sie können kostenlos absagen bis")).to_be_visible()
    page.get_by_role("button", name="Termin absagen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Ihr Termin wurde abgesagt. Vielen Dank, dass Sie Bescheid gegeben haben."
    )
    assert_accessible(page)
    assert _appointment(server, at(3, 10))["status"] == "cancelled"
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("Dieser Termin ist abgesagt.")


def test_the_customer_moves_to_another_free_time(page: Page, server: str) -> None:
    book(server, "Max Browser", at(3, 12), "anna", "damenhaarschnitt", "+4915123456788")
    link = _link(server, at(3, 12))
    page.goto(link)
    page.get_by_label("Tag").fill("2026-12-04")
    page.get_by_role("button", name="Freie Zeiten zeigen").click()
    expect(page.get_by_text("Freie Zeiten am Freitag, 4. Dezember 2026")).to_be_visible()
    page.get_by_text("14:30 · Anna Becker").click()
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "manage-link.png"), full_page=True)
    page.get_by_role("button", name="Auf diese Zeit verschieben").click()
    expect(page.get_by_role("status")).to_have_text("Ihr Termin wurde verschoben.")
    expect(page.get_by_text("Freitag, 4. Dezember 2026, 14:30–15:30")).to_be_visible()
    moved = _appointment(server, at(4, 14, 30))
    assert (moved["status"], moved["staff_id"]) == (
        "confirmed",
        str(demo.demo_id("staff", "anna")),
    )
    page.goto(link)  # the link from before the move
    expect(page.get_by_role("alert")).to_contain_text("früheren Stand Ihres Termins")
    assert_accessible(page)


def test_a_tampered_link_is_refused_politely(page: Page, server: str) -> None:
    link = _link(server, at(1, 14))
    tampered = link[:-5] + ("AAAAA" if link[-5:] != "AAAAA" else "BBBBB")
    page.goto(tampered)
    expect(page.get_by_role("heading", name="Link nicht mehr gültig")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Dieser Link ist leider ungültig.")
    expect(page.get_by_text("Salon Sonnenschein")).to_have_count(0)
    assert_accessible(page)


def test_the_owner_finds_the_customers_link_on_the_appointment_page(
    page: Page, server: str
) -> None:
    page.goto("/admin/login")
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    item = _appointment(server, at(1, 14))
    page.goto(f"/admin/schedule/appointments/{item['id']}")
    shown = page.locator("#manage-link").input_value()
    # The server's FRONTDESK_BASE_URL (the default here) and this appointment's token.
    assert shown == "http://127.0.0.1:8000" + _link(server, at(1, 14)).removeprefix(server)
    assert_accessible(page)
    page.goto(shown.removeprefix("http://127.0.0.1:8000"))
    expect(page.get_by_text("Dienstag, 1. Dezember 2026, 14:00–16:00")).to_be_visible()
