"""The settings in Debian's Chromium (issue 14, item 5): the owner shortens Saturday's opening
hours in the browser and the phone agent stops offering the time at once. Also writes the
settings screenshots of docs/screenshots/.

A module of its own, so its server's changed hours never meet the schedule tests' server."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.clock_support import START
from tests.e2e_support import SCREENSHOTS, ask_the_agent
from tests.web_support import OWNER, PASSWORD

SATURDAY = "2026-12-05"


def haircut_on_saturday(server: str, at_time: str | None = None) -> dict[str, object]:
    args = {"service": "Herrenhaarschnitt", "date": SATURDAY, "staff": "Jonas"}
    if at_time is not None:
        args["time"] = at_time
    return ask_the_agent(server, "check_availability", args, START)


def test_change_opening_hours_and_watch_the_agents_answer_change(page: Page, server: str) -> None:
    assert haircut_on_saturday(server, "13:00")["status"] == "available"
    page.goto("/admin/settings")
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Einstellungen", exact=True)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "settings.png"), full_page=True)
    page.get_by_role("link", name="Öffnungszeiten Mitte").click()
    expect(page.get_by_role("heading", name="Öffnungszeiten: Mitte")).to_be_visible()
    saturday = page.get_by_role("group", name="Samstag")
    closing = saturday.get_by_label("Bis Samstag 1")
    expect(closing).to_have_value("14:00")
    closing.fill("11:60")  # a typing mistake first: refused, nothing written
    page.get_by_role("button", name="Speichern").click()
    expect(saturday.get_by_role("alert")).to_contain_text("keine Uhrzeit")
    assert haircut_on_saturday(server, "13:00")["status"] == "available"
    closing.fill("12:00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Die Änderung ist gespeichert.")
    expect(page.get_by_role("group", name="Samstag").get_by_label("Bis Samstag 1")).to_have_value(
        "12:00"
    )
    page.screenshot(path=str(SCREENSHOTS / "settings-opening-hours.png"), full_page=True)
    assert haircut_on_saturday(server, "13:00")["status"] != "available"
    day = haircut_on_saturday(server)
    ends = [str(slot["end"]) for slot in day["slots"]]  # type: ignore[attr-defined]
    assert ends, day
    assert all(re.search(r"T(0\d|1[01]):\d\d|T12:00", end) for end in ends), ends
