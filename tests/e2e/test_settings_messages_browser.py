"""The owner's messages settings in Debian's Chromium (issue 15; ADR 0024): reached from the
settings overview by keyboard, a refused number of hours explained next to the field, then
reminders, channels, a branch address and a login's e-mail opt-in changed and shown again after
the round trip. axe-core finds no serious violation; writes docs/screenshots/settings-messages.png.

A module of its own: its server's changed settings never meet the other browser tests'."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.axe_support import assert_accessible, tab_to
from tests.e2e_support import SCREENSHOTS
from tests.web_support import OWNER, PASSWORD

SAVED = "Die Änderung ist gespeichert."


def sign_in(page: Page) -> None:
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_the_owner_sets_reminders_address_and_team_e_mail(page: Page) -> None:
    page.goto("/admin/settings")
    sign_in(page)
    expect(page.get_by_role("heading", name="Einstellungen", exact=True)).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Nachrichten", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    expect(page.get_by_text("SMS nur an Handynummern")).to_be_visible()
    expect(page.get_by_text("Keine SMS zwischen 21 und 8 Uhr")).to_be_visible()
    assert_accessible(page)

    # A number of hours out of range: explained next to the field, nothing stored.
    hours = page.get_by_label("Stunden vor dem Termin")
    expect(hours).to_have_value("24")
    hours.fill("1000")
    save = page.get_by_role("button", name="Speichern", exact=True)
    save.click()
    expect(page.get_by_role("alert")).to_contain_text("1 bis 168 Stunden vor dem Termin")
    expect(page.get_by_label("Stunden vor dem Termin")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    # Reminders 48 hours before, by e-mail only: by keyboard from the field to the button.
    page.get_by_label("Stunden vor dem Termin").fill("48")
    page.get_by_role("checkbox", name="SMS").uncheck()
    tab_to(page, page.get_by_role("button", name="Speichern", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(SAVED)
    expect(page.get_by_label("Stunden vor dem Termin")).to_have_value("48")
    expect(page.get_by_role("checkbox", name="E-Mail", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="SMS")).not_to_be_checked()
    expect(page.get_by_role("radio", name="Erinnerungen senden")).to_be_checked()

    # The branch's address as the messages show it.
    address = page.get_by_label("Adresse der Filiale Mitte")
    address.fill("Sonnenallee 1, 12045 Berlin")
    page.get_by_role("button", name="Speichern Adresse der Filiale Mitte").click()
    expect(page.get_by_role("status")).to_have_text(SAVED)
    expect(page.get_by_label("Adresse der Filiale Mitte")).to_have_value(
        "Sonnenallee 1, 12045 Berlin"
    )

    # Anna's login hears of phone bookings, cancellations and sync conflicts.
    anna = page.get_by_role("row", name="anna@salon-sonnenschein.de")
    expect(anna.get_by_role("cell", name="aus", exact=True)).to_be_visible()
    tab_to(page, anna.get_by_role("button", name="Einschalten Anna"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(SAVED)
    anna = page.get_by_role("row", name="anna@salon-sonnenschein.de")
    expect(anna.get_by_role("cell", name="an", exact=True)).to_be_visible()
    expect(anna.get_by_role("button", name="Ausschalten Anna")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "settings-messages.png"), full_page=True)

    # Reminders off: the choice is kept.
    page.get_by_role("radio", name="Keine Erinnerungen").check()
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(SAVED)
    expect(page.get_by_role("radio", name="Keine Erinnerungen")).to_be_checked()


def test_the_page_fits_a_phone(browser_page_phone: Page) -> None:
    page = browser_page_phone
    page.goto("/admin/settings/messages")
    sign_in(page)
    expect(page.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    # Wide tables scroll inside their box; the page itself never scrolls sideways.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    assert_accessible(page)
