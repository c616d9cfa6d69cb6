"""The web app in Debian's Chromium, as an owner and a staff member use it (issue #14).

Also writes the screenshots of docs/screenshots/ shown in the README.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.axe_support import assert_accessible
from tests.clock_support import at
from tests.e2e_support import SCREENSHOTS, SEEDED, book
from tests.web_support import OWNER, PASSWORD, STAFF


def sign_in(page: Page, email: str = OWNER, password: str = PASSWORD) -> None:
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_the_owner_signs_in_and_sees_todays_schedule(page: Page) -> None:
    page.goto("/admin/schedule")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=/admin/schedule$"))
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    assert_accessible(page)
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/admin/schedule$"))
    expect(
        page.get_by_role("heading", name=re.compile("Dienstag, 1. Dezember 2026"))
    ).to_be_visible()
    for seeded in SEEDED:
        expect(page.get_by_text(seeded[0])).to_be_visible()
    expect(page.get_by_role("link", name="Einstellungen")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "schedule-day.png"), full_page=True)
    assert_accessible(page)
    page.get_by_label("Ansicht").select_option("week")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(re.compile(r"view=week"))
    expect(page.get_by_text("Woche vom 30.11.2026 bis 06.12.2026")).to_be_visible()
    expect(page.get_by_text("Paul Schneider")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "schedule-week.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("link", name="Nächste Woche").click()
    expect(page.get_by_text("Woche vom 07.12.2026 bis 13.12.2026")).to_be_visible()
    page.get_by_role("link", name="Heute").click()
    expect(page.get_by_text("Woche vom 30.11.2026 bis 06.12.2026")).to_be_visible()


def test_a_booking_from_the_phone_appears_without_a_reload(page: Page, server: str) -> None:
    page.goto("/admin/schedule?date=2026-12-01")
    sign_in(page)
    expect(page.get_by_text("Erika Mustermann")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    book(server, "Anruf Kundin", at(1, 16), "jonas", "bartpflege", "+4916012345678")
    expect(page.get_by_text("Anruf Kundin")).to_be_visible(timeout=10_000)
    assert page.evaluate("window.__sameDocument === true")  # swapped in, not reloaded


def test_the_phone_layout(browser_page_phone: Page) -> None:
    page = browser_page_phone
    page.goto("/admin/login")
    sign_in(page)
    expect(page.get_by_role("heading", name=re.compile("Dienstag"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "schedule-phone.png"))
    assert_accessible(page)


def test_staff_cannot_open_the_settings(page: Page) -> None:
    page.goto("/admin/login")
    sign_in(page, STAFF)
    expect(page.get_by_role("heading", name="Terminplan")).to_be_visible()
    expect(page.get_by_role("link", name="Einstellungen")).to_have_count(0)
    response = page.goto("/admin/settings")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_text("nur für Inhaberinnen und Inhaber")).to_be_visible()


def test_a_post_without_csrf_token_is_refused_and_logout_works(page: Page) -> None:
    page.goto("/admin/login")
    sign_in(page)
    expect(page.get_by_role("heading", name="Terminplan")).to_be_visible()
    forged = page.request.post("/admin/logout", form={"x": "1"}, max_redirects=0)
    assert forged.status == 403
    assert "Sicherheitstoken" in forged.text()
    page.reload()
    expect(page.get_by_role("heading", name="Terminplan")).to_be_visible()  # still signed in
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    page.goto("/admin/schedule")
    expect(page).to_have_url(re.compile(r"/admin/login"))


def test_wrong_passwords_are_throttled(page: Page) -> None:
    page.goto("/admin/login")
    for _ in range(5):
        sign_in(page, "niemand@salon-sonnenschein.de", "falsch")
        expect(page.get_by_role("alert")).to_have_text("E-Mail-Adresse oder Passwort ist falsch.")
    sign_in(page, "niemand@salon-sonnenschein.de", "falsch")
    expect(page.get_by_role("alert")).to_have_text(
        "Zu viele Versuche – bitte in 15 Minuten erneut versuchen."
    )
