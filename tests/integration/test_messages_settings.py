"""The owner's message settings: reminders off or N hours, channels, sender, a branch's address
and the staff opt-in — checked, stored, audited; and the CLI that shows and changes them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import TENANT
from tests.clock_support import FakeClock
from typer.testing import CliRunner

from frontdesk import demo
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.messaging import (
    MessageSettings,
    message_settings,
    set_branch_address,
    set_message_settings,
    set_notify_by_email,
)
from frontdesk.business.owner import Owner
from frontdesk.cli import app
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import AuditLog, Branch, User
from frontdesk.domain.errors import InvalidSetting, SettingNotFound
from frontdesk.settings import get_settings

OWNER = Owner(TENANT, "user:test")


async def test_settings_are_checked_stored_and_audited(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> None:
    uow = UnitOfWork(sessions, clock=clock)
    assert await message_settings(uow, OWNER) == MessageSettings(24, True, True, None)
    wanted = MessageSettings(48, True, False, "Termine@Salon.Example")
    stored = await set_message_settings(uow, OWNER, wanted)
    assert stored == MessageSettings(48, True, False, "Termine@salon.example")
    assert await message_settings(uow, OWNER) == stored
    off = await set_message_settings(uow, OWNER, MessageSettings(None, True, True, None))
    assert off.reminder_hours is None
    with pytest.raises(InvalidSetting):
        await set_message_settings(uow, OWNER, MessageSettings(0, True, True, None))
    with pytest.raises(InvalidSetting):
        await set_message_settings(uow, OWNER, MessageSettings(24, True, True, "kein@"))
    with pytest.raises(InvalidSetting) as no_channel:  # reminders on, but by no way
        await set_message_settings(uow, OWNER, MessageSettings(24, False, False, None))
    assert no_channel.value.field == "reminder_channels"
    assert (await message_settings(uow, OWNER)).reminder_hours is None  # nothing written
    async with sessions() as s:
        actions = (await s.execute(select(AuditLog.action))).scalars().all()
    assert list(actions).count("message_settings.set") == 2


async def test_branch_address_and_staff_opt_in(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> None:
    uow = UnitOfWork(sessions, clock=clock)
    async with sessions() as s:
        branch_id = (
            await s.execute(select(Branch.id).where(Branch.tenant_id == TENANT))
        ).scalar_one()
        user_id = (
            (await s.execute(select(User.id).where(User.tenant_id == TENANT))).scalars().first()
        )
    assert await set_branch_address(uow, OWNER, branch_id, " Sonnenallee 1, 12045 Berlin ") == (
        "Sonnenallee 1, 12045 Berlin"
    )
    assert user_id is not None
    assert await set_notify_by_email(uow, OWNER, user_id, True) is True
    async with sessions() as s:
        branch = await s.get(Branch, branch_id)
        user = await s.get(User, user_id)
    assert branch is not None
    assert branch.address == "Sonnenallee 1, 12045 Berlin"
    assert user is not None
    assert user.notify_by_email is True
    other = Owner(uuid.UUID(int=7), "user:x")
    with pytest.raises(SettingNotFound):
        await set_branch_address(uow, other, branch_id, "x")


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("FRONTDESK_DEMO_API_KEY", raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_the_cli_shows_and_changes_reminder_settings(sqlite_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    shown = runner.invoke(app, ["messages", "settings", "--tenant", demo.TENANT_SLUG])
    assert shown.exit_code == 0, shown.output
    assert "24 h before" in shown.output
    changed = runner.invoke(
        app,
        [
            "messages",
            "settings",
            "--tenant",
            demo.TENANT_SLUG,
            "--reminder-hours",
            "off",
            "--no-reminder-sms",
        ],
    )
    assert changed.exit_code == 0, changed.output
    assert "reminders: off" in changed.output
    assert "SMS off" in changed.output
    refused = runner.invoke(
        app, ["messages", "settings", "--tenant", demo.TENANT_SLUG, "--reminder-hours", "999"]
    )
    assert refused.exit_code == 1
