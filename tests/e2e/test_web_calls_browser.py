"""Calls and customers in Debian's Chromium (issue #14): a simulated phone call, made through
the signed voice endpoints, seen with its transcript and its booking; the customer found by
phone number. Every page opened is checked with axe-core, the main actions by keyboard.

Writes docs/screenshots/calls.png, call.png and customer.png (shown in the README).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.axe_support import assert_accessible, tab_to
from tests.e2e_calls_support import CALLER_NAME, SUMMARY, simulate_booking_call
from tests.e2e_support import SCREENSHOTS
from tests.web_support import OWNER, PASSWORD


def sign_in(page: Page) -> None:
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


@pytest.fixture(scope="module")
def booked_call(server: str) -> dict[str, Any]:
    """The phone call both tests look at (made once per server): the agent's booking answer."""
    return simulate_booking_call(server)


def test_a_simulated_call_with_transcript_and_its_booking(
    page: Page, booked_call: dict[str, Any]
) -> None:
    answer = booked_call
    page.goto("/admin/calls")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    assert_accessible(page)
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/admin/calls$"))

    # The list: the call with its caller, outcome and the appointment it booked.
    row = page.get_by_role("row", name=re.compile(CALLER_NAME))
    expect(row).to_contain_text("0176 12349876")
    expect(row).to_contain_text("Gebucht")
    expect(row).to_contain_text("02.12.2026 10:00")
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Anzeigen"))
    page.screenshot(path=str(SCREENSHOTS / "calls.png"), full_page=True)

    # Filtering is in the URL, and the back button returns to the unfiltered list.
    page.get_by_label("Ergebnis").select_option("none")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(re.compile(r"outcome=none"))
    expect(page.get_by_text("Keine Anrufe gefunden.")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("row", name=re.compile(CALLER_NAME))).to_be_visible()

    # The detail: transcript, summary, the function with its answer, the booked appointment.
    page.get_by_role("row", name=re.compile(CALLER_NAME)).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Anruf vom 01.12.2026 um 07:57")).to_be_visible()
    expect(
        page.get_by_text("Ich hätte gern morgen um zehn einen Herrenhaarschnitt")
    ).to_be_visible()
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    expect(page.get_by_text("Anrufer/in hat aufgelegt")).to_be_visible()
    expect(page.get_by_text("book_appointment")).to_be_visible()
    expect(page.get_by_text(f"„{answer['message']}“")).to_be_visible()
    booked = page.get_by_role("link", name="02.12.2026 10:00")
    expect(booked).to_have_attribute("href", "/admin/schedule?date=2026-12-02&view=day")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "call.png"), full_page=True)

    # The appointment on the schedule, from the call's link.
    booked.click()
    expect(
        page.get_by_role("heading", name=re.compile("Mittwoch, 2. Dezember 2026"))
    ).to_be_visible()
    expect(page.get_by_text(CALLER_NAME)).to_be_visible()
    assert_accessible(page)


def test_the_caller_found_by_phone_number_and_their_record(
    page: Page, booked_call: dict[str, Any]
) -> None:
    # The customer, found by the number as written in Germany.
    page.goto("/admin/customers")
    sign_in(page)
    expect(page.get_by_role("heading", name="Kunden")).to_be_visible()
    assert_accessible(page)
    search = page.get_by_label("Name oder Telefonnummer")
    tab_to(page, search)
    page.keyboard.type("0176 1234 9876")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/customers\?q=0176"))
    page.get_by_role("link", name=CALLER_NAME).click()
    expect(page.get_by_role("heading", name=CALLER_NAME, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="02.12.2026 10:00")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("01.12.2026 07:57"))).to_be_visible()
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Notizen speichern"))
    page.screenshot(path=str(SCREENSHOTS / "customer.png"), full_page=True)

    # Recording a consent by keyboard only.
    tab_to(page, page.get_by_label("Wie erteilt"))
    page.keyboard.type("am Telefon")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Die Einwilligung wurde erfasst.")).to_be_visible()
    expect(page.get_by_role("cell", name="am Telefon")).to_be_visible()

    # The confirmation pages of the owner's irreversible actions; both left by "Abbrechen".
    page.get_by_role("link", name="Kundendaten löschen …").click()
    expect(page.get_by_label(f"Zur Bestätigung den Namen eingeben: {CALLER_NAME}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Abbrechen").click()
    page.get_by_label("Anderen Eintrag suchen").fill("Erika")
    page.get_by_label("Anderen Eintrag suchen").press("Enter")
    page.get_by_role("link", name=re.compile("Erika Mustermann .* übernehmen")).click()
    expect(page.get_by_role("heading", name="Einträge zusammenführen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Abbrechen").click()
    expect(page.get_by_role("heading", name=CALLER_NAME, level=1)).to_be_visible()


def test_the_accessibility_check_catches_violations(page: Page) -> None:
    """The check itself can fail: an unlabelled field and an image without text are caught."""
    page.set_content('<html lang="de"><body><main><input><img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "'id': 'label'" in str(failure.value)
    assert "'id': 'image-alt'" in str(failure.value)
