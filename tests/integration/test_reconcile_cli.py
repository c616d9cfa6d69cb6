"""`frontdesk reconcile` as an operator runs it, on both databases, with a fake Cal.com team
behind the command: a table per class, exit 0 when fixed, 1 when Cal.com cannot be read."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.calendar_support import EVENT_TYPES, HOSTS, FakeCalendar, FakeProviders, link_demo
from typer.testing import CliRunner

from frontdesk import cli_reconcile, secrets
from frontdesk.calendars.port import Attendee, ExternalBooking
from frontdesk.cli import app
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Appointment
from frontdesk.domain.clock import system_clock
from frontdesk.settings import get_settings

SLUG = "salon-sonnenschein"
runner = CliRunner()


@pytest.fixture
def calendar() -> FakeCalendar:
    return FakeCalendar()


@pytest.fixture
async def cli_env(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calendar: FakeCalendar,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[None]:
    await link_demo(sessions)
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("FRONTDESK_BASE_URL", "https://frontdesk.example")
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", secrets.new_key())
    monkeypatch.delenv("FRONTDESK_REDIS_URL", raising=False)
    monkeypatch.setattr(cli_reconcile, "calendar_ports", lambda _r: FakeProviders(calendar))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def invoke(*args: str) -> Result:
    """The command in a thread of its own: it runs its own event loop, as from a shell."""
    return await asyncio.to_thread(runner.invoke, app, list(args))


def _tomorrow_page_booking() -> ExternalBooking:
    start = (system_clock() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return ExternalBooking(
        uid="page-cli",
        event_type=str(EVENT_TYPES["herrenhaarschnitt"]),
        start=start,
        end=start + timedelta(minutes=30),
        status="accepted",
        hosts=(str(HOSTS["jonas"]),),
        attendee=Attendee(name="Karla Kolumna", time_zone="Europe/Berlin"),
    )


@pytest.mark.usefixtures("cli_env")
async def test_reconcile_prints_a_table_per_class_then_nothing_to_fix(
    sessions: async_sessionmaker[AsyncSession], calendar: FakeCalendar
) -> None:
    calendar.bookings["page-cli"] = _tomorrow_page_booking()
    first = await invoke("reconcile", "--tenant", SLUG, "--days", "3")
    assert first.exit_code == 0, first.stdout
    assert "missing_here (1)" in first.stdout
    assert "page-cli" in first.stdout
    async with sessions() as s:
        [row] = list(await s.scalars(select(Appointment)))
    assert row.external_uid == "page-cli"
    second = await invoke("reconcile", "--tenant", SLUG, "--days", "3")
    assert second.exit_code == 0, second.stdout
    assert "In sync: nothing to fix." in second.stdout


@pytest.mark.usefixtures("cli_env")
async def test_reconcile_exits_1_when_cal_com_cannot_be_read(calendar: FakeCalendar) -> None:
    calendar.faults["list"] = ["down"]
    result = await invoke("reconcile", "--days", "2")
    assert result.exit_code == 1, result.stdout
    assert "Cal.com could not be read: down" in result.stdout
