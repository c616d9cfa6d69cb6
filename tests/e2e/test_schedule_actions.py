"""The schedule's actions in Debian's Chromium, as the owner uses them (issue #14): book for a
new customer from real free times, move it, cancel it — and after each step the REST API and
the voice agent (check_availability through the signed endpoint) agree with the page.

One test for the whole story: the browser tests are few, and CI time is limited. Writes the
screenshots of the booking form and the appointment page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from tests.app_support import DEMO_KEY
from tests.clock_support import START, at
from tests.e2e_support import RETELL_KEY, SCREENSHOTS, post_signed, require_chromium, running_server
from tests.web_support import OWNER, PASSWORD

from frontdesk import demo

SALON = "+4930123456789"
HERREN = str(demo.demo_id("service", "herrenhaarschnitt"))
JONAS = str(demo.demo_id("staff", "jonas"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's server also answers the voice agent (the fallback Retell key)."""
    require_chromium()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRONTDESK_RETELL_API_KEY", RETELL_KEY)
        with running_server(tmp_path_factory.mktemp("e2e-actions")) as base_url:
            yield base_url


def _rest_appointment(server: str, start: datetime) -> dict[str, Any] | None:
    """The REST API's appointment starting at ``start`` (any status), if any."""
    response = httpx.get(
        f"{server}/api/v1/appointments",
        params={"from": at(1, 0).isoformat(), "to": at(2, 0).isoformat(), "limit": 200},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    found = [a for a in response.json()["items"] if datetime.fromisoformat(a["start"]) == start]
    return found[0] if found else None


def _voice_says(server: str, time: str) -> str:
    """check_availability for Jonas at ``time`` today, signed as Retell signs it."""
    payload = {
        "name": "check_availability",
        "args": {
            "service": "Herrenhaarschnitt",
            "date": "2026-12-01",
            "time": time,
            "staff": "Jonas",
        },
        "call": {"call_id": f"e2e-{time}", "to_number": SALON, "from_number": "+4917099887766"},
    }
    response = post_signed(server, "/retell/functions/check_availability", payload, START)
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


def test_book_move_and_cancel_agree_with_rest_and_voice(page: Page, server: str) -> None:
    page.goto("/admin/schedule/book?date=2026-12-01")
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Termin buchen")).to_be_visible()

    # The free times follow service and staff without a reload (HTMX), from availability.
    page.get_by_label("Leistung").select_option(HERREN)
    page.get_by_label("Mitarbeiter/in").select_option(JONAS)
    expect(page.get_by_text("15:00 · Jonas Weber")).to_be_visible()
    expect(page.get_by_text("11:30 · Jonas Weber")).to_have_count(0)  # Paul Schneider's
    page.get_by_text("15:00 · Jonas Weber").click()
    page.get_by_label("Name").fill("Clara Browser")
    page.get_by_label("Telefonnummer").fill("0151 23456789")
    page.screenshot(path=str(SCREENSHOTS / "schedule-book.png"), full_page=True)
    page.get_by_role("button", name="Termin buchen").click()

    expect(page).to_have_url(re.compile(r"/admin/schedule\?date=2026-12-01&view=day$"))
    expect(page.get_by_text("Der Termin ist gebucht.")).to_be_visible()
    expect(page.get_by_role("link", name="Clara Browser")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "schedule-day-booked.png"), full_page=True)
    booked = _rest_appointment(server, at(1, 15))
    assert booked is not None
    assert (booked["staff_id"], booked["source"], booked["status"]) == (JONAS, "admin", "confirmed")
    assert _voice_says(server, "15:00") == "unavailable"

    page.get_by_role("link", name="Clara Browser").click()
    expect(page.get_by_text("Dienstag, 1. Dezember 2026, 15:00–15:30")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "schedule-appointment.png"), full_page=True)
    page.get_by_text("16:00 · Jonas Weber").click()
    page.get_by_role("button", name="Auf diese Zeit verschieben").click()
    expect(page.get_by_text("Der Termin ist verschoben.")).to_be_visible()
    expect(page.get_by_text("16:00–16:30")).to_be_visible()
    assert _rest_appointment(server, at(1, 15)) is None
    moved = _rest_appointment(server, at(1, 16))
    assert moved is not None
    assert moved["id"] == booked["id"]
    assert (_voice_says(server, "15:00"), _voice_says(server, "16:00")) == (
        "available",
        "unavailable",
    )

    page.get_by_role("link", name="Clara Browser").click()
    page.get_by_label("Grund (optional)").fill("Kundin ist krank")
    page.get_by_role("button", name="Termin stornieren").click()
    expect(page.get_by_text("Der Termin ist storniert.")).to_be_visible()
    expect(page.get_by_role("link", name="Clara Browser")).to_have_count(0)
    cancelled = _rest_appointment(server, at(1, 16))
    assert cancelled is not None
    assert cancelled["status"] == "cancelled"
    assert _voice_says(server, "16:00") == "available"


def _drop_point(
    page: Page, staff: str, hour: int, appointment: str
) -> tuple[Any, dict[str, float]]:
    """The lane of ``staff`` and the point in it where ``appointment``'s block, held at its
    centre, starts at ``hour`` o'clock."""
    lane = page.locator(f'section.staff-column[aria-label="{staff}"] .lane')
    grid = page.locator(".day-grid")
    first = int(grid.get_attribute("data-first-hour") or "0")
    hours = int(grid.get_attribute("data-hours") or "1")
    box = lane.bounding_box()
    block = page.locator("li.appointment", has_text=appointment).bounding_box()
    assert box is not None
    assert block is not None
    y = (hour - first) / hours * box["height"] + block["height"] / 2
    return lane, {"x": box["width"] / 2, "y": y}


def test_dragging_an_appointment_moves_it_or_says_why_not(page: Page, server: str) -> None:
    page.goto("/admin/schedule?date=2026-12-01")
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    erika = page.locator("li.appointment", has_text="Erika Mustermann")
    expect(erika).to_contain_text("10:00–11:00")

    lane, point = _drop_point(page, "Jonas Weber", 15, "Erika Mustermann")
    erika.drag_to(lane, target_position=point)
    expect(page.locator("#board-message")).to_have_text(
        "Diese Mitarbeiterin bzw. dieser Mitarbeiter bietet die Leistung nicht an."
    )
    expect(erika).to_contain_text("10:00–11:00")  # still where it was
    assert _rest_appointment(server, at(1, 10)) is not None

    lane, point = _drop_point(page, "Anna Becker", 15, "Erika Mustermann")
    erika.drag_to(lane, target_position=point)
    expect(erika).to_contain_text("15:00–16:00")  # the board redrawn from the server
    expect(page.locator("#board-message")).to_be_hidden()
    assert _rest_appointment(server, at(1, 10)) is None
    moved = _rest_appointment(server, at(1, 15))
    assert moved is not None
    assert moved["staff_id"] == str(demo.demo_id("staff", "anna"))
