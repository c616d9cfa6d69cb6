"""The settings in Debian's Chromium (issue 14, item 5): the owner shortens Saturday's opening
hours in the browser and the phone agent stops offering the time at once. Also writes the
settings screenshots of docs/screenshots/.

A module of its own, so its server's changed hours never meet the schedule tests' server."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from tests.clock_support import START
from tests.e2e_support import SCREENSHOTS, ask_the_agent, require_chromium, running_server
from tests.web_support import OWNER, PASSWORD

from frontdesk import demo
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.tables import Appointment, Branch, Customer, Job, ReconciliationRun
from frontdesk.domain.clock import system_clock
from frontdesk.domain.model import CalendarProvider, JobState, SyncState

SATURDAY = "2026-12-05"
DATABASE: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The conftest's server, remembering where its database is (the sync page's test puts
    the branch on Cal.com there, as connecting would)."""
    require_chromium()
    tmp_dir = tmp_path_factory.mktemp("e2e-settings")
    DATABASE["path"] = tmp_dir / "e2e.db"
    with running_server(tmp_dir) as base_url:
        yield base_url


def sign_in(page: Page) -> None:
    page.get_by_label("E-Mail-Adresse").fill(OWNER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def haircut_on_saturday(server: str, at_time: str | None = None) -> dict[str, object]:
    args = {"service": "Herrenhaarschnitt", "date": SATURDAY, "staff": "Jonas"}
    if at_time is not None:
        args["time"] = at_time
    return ask_the_agent(server, "check_availability", args, START)


def test_change_opening_hours_and_watch_the_agents_answer_change(page: Page, server: str) -> None:
    assert haircut_on_saturday(server, "13:00")["status"] == "available"
    page.goto("/admin/settings")
    sign_in(page)
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


async def _on_calcom_with_a_conflict(url: str) -> None:
    """The branch on Cal.com, Paul Schneider's appointment in conflict, a reconciliation
    report and a dead job: what the sync page is for."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine, system_clock)() as session:
            branch = demo.demo_id("branch", "mitte")
            await session.execute(
                update(Branch)
                .where(Branch.id == branch)
                .values(calendar_provider=CalendarProvider.CALCOM,
                        calendar_version=Branch.calendar_version + 1)
            )  # fmt: skip
            paul = await session.scalar(
                select(Appointment.id)
                .join(Customer, Customer.id == Appointment.customer_id)
                .where(Customer.name == "Paul Schneider")
            )
            await session.execute(
                update(Appointment)
                .where(Appointment.id == paul)
                .values(sync_state=SyncState.CONFLICT, external_uid="cal-4711",
                        sync_error="Cal.com booking cal-4712 at 11:30 clashes here")
            )  # fmt: skip
            session.add(
                ReconciliationRun(
                    tenant_id=demo.demo_id(), branch_id=branch,
                    started_at=START - timedelta(minutes=30),
                    finished_at=START - timedelta(minutes=29),
                    window_start=START, window_end=START + timedelta(days=14),
                    counts={"missing_here": 1, "time_differs": 1},
                    items=[{"class": "missing_here", "appointment_id": None, "uid": "cal-4712",
                            "fix": "none", "note": "clashes with Paul Schneider"},
                           {"class": "time_differs", "appointment_id": str(paul), "uid": "cal-4711",
                            "fix": "none", "note": "moved on Cal.com"}],
                )
            )  # fmt: skip
            session.add(
                Job(tenant_id=demo.demo_id(), kind="calendar.sync", payload={}, state=JobState.DEAD,
                    attempts=8, run_after=START, last_error="Cal.com refused the key (401)")
            )  # fmt: skip
            await session.commit()
    finally:
        await engine.dispose()


def test_the_sync_page_when_cal_com_disagrees(page: Page) -> None:
    url = f"sqlite+aiosqlite:///{DATABASE['path']}"
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _on_calcom_with_a_conflict(url)).result()
    page.goto("/admin/login")
    sign_in(page)
    page.get_by_role("link", name="Sync").click()
    expect(page.get_by_role("heading", name="Kalender-Abgleich")).to_be_visible()
    expect(page.get_by_text("Konflikt mit dem Kalender")).to_be_visible()
    expect(page.get_by_text("Cal.com refused the key (401)")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "sync.png"), full_page=True)
    page.get_by_role("button", name="Erneut übertragen Paul Schneider").click()
    expect(page.get_by_role("status")).to_have_text(
        "Der Termin wird erneut an den Kalender übertragen."
    )
    expect(page.get_by_text("Wartet auf Übertragung")).to_be_visible()
