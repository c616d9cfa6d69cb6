"""The calendar provider in the owner's settings: status, connect Cal.com (audited), and back
to the built-in calendar — with the catalogue version bumped, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.calcom_support import KEY, FakeCalcom
from tests.clock_support import FakeClock, FakeTime
from tests.factories import World, make_world
from tests.settings_support import BRANCH, OWNER, TENANT, settings_uow

from frontdesk import secrets
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import calendar
from frontdesk.business.owner import Owner
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect import ConnectFailed
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import AuditLog, Branch, Tenant
from frontdesk.domain.errors import SettingNotFound
from frontdesk.domain.model import CalendarProvider
from frontdesk.resilience.retry import RetryPolicy

SECRET_KEY = SecretStr(secrets.new_key())
DEFAULT_URL = "https://api.cal.com"


@pytest.fixture
def uow(db: AsyncEngine, clock: FakeClock, demo: DemoCredentials) -> UnitOfWork:
    return settings_uow(db, clock)


@pytest.fixture
async def http() -> AsyncIterator[tuple[FakeCalcom, httpx.AsyncClient]]:
    calcom = FakeCalcom()
    async with httpx.AsyncClient(transport=calcom.transport()) as client:
        yield calcom, client
    assert calcom.server.errors == [], "\n".join(calcom.server.errors)


def clients(http: httpx.AsyncClient, key: str) -> Callable[[str], CalcomClient]:
    time = FakeTime()
    guard = Guard.build(
        clock=time.now,
        monotonic=time.monotonic,
        sleep=time.sleep,
        retry=RetryPolicy(attempts=2, base=0.1, cap=0.2),
    )
    return lambda url: CalcomClient.for_tenant(
        http, tenant="salon", api_key=SecretStr(key), guard=guard, base_url=url
    )


async def branch_and_tenant(sessions: async_sessionmaker[AsyncSession]) -> tuple[Branch, Tenant]:
    async with sessions() as session:
        branch = await session.get(Branch, BRANCH)
        tenant = await session.get(Tenant, TENANT)
        assert branch is not None
        assert tenant is not None
        return branch, tenant


async def connect(uow: UnitOfWork, http: httpx.AsyncClient, key: str = KEY) -> object:
    return await calendar.connect_calendar(
        uow,
        OWNER,
        clients(http, key),
        SecretStr(key),
        "https://frontdesk.example/",
        default_api_url=DEFAULT_URL,
        secret_key=SECRET_KEY,
    )


async def test_connect_then_disconnect(
    uow: UnitOfWork,
    sessions: async_sessionmaker[AsyncSession],
    http: tuple[FakeCalcom, httpx.AsyncClient],
) -> None:
    status = await calendar.calendar_status(uow, OWNER, default_api_url=DEFAULT_URL, breaker=None)
    assert (status.linked, status.key) == (False, "missing")
    await connect(uow, http[1])
    status = await calendar.calendar_status(uow, OWNER, default_api_url=DEFAULT_URL, breaker=None)
    assert (status.linked, status.key) == (True, "encrypted")
    linked, _ = await branch_and_tenant(sessions)
    assert await calendar.disconnect_calendar(uow, OWNER, BRANCH)
    branch, tenant = await branch_and_tenant(sessions)
    assert branch.calendar_provider is CalendarProvider.BUILTIN
    assert branch.calendar_version > linked.calendar_version
    assert tenant.calcom_api_key is None
    assert not (
        await calendar.calendar_status(uow, OWNER, default_api_url=DEFAULT_URL, breaker=None)
    ).linked
    async with sessions() as session:
        entries = list((await session.execute(select(AuditLog).where(
            AuditLog.actor == OWNER.actor).order_by(AuditLog.created_at))).scalars())  # fmt: skip
    # Both at the test's one instant: PostgreSQL may return them in either order.
    assert sorted(e.action for e in entries) == ["calendar.connect", "calendar.disconnect"]
    assert all(KEY not in str(e.data) for e in entries)


async def test_a_refused_key_changes_nothing_and_is_not_audited(
    uow: UnitOfWork,
    sessions: async_sessionmaker[AsyncSession],
    http: tuple[FakeCalcom, httpx.AsyncClient],
) -> None:
    before, _ = await branch_and_tenant(sessions)
    with pytest.raises(ConnectFailed):
        await connect(uow, http[1], key="cal_live_wrong_key_000000000000")
    after, tenant = await branch_and_tenant(sessions)
    assert (after.calendar_provider, after.calendar_version) == (
        before.calendar_provider,
        before.calendar_version,
    )
    assert tenant.calcom_api_key is None
    async with sessions() as session:
        assert (await session.execute(select(AuditLog))).first() is None


async def test_another_tenants_branch_cannot_be_disconnected(
    uow: UnitOfWork, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        other: World = await make_world(session, slug="other")
    with pytest.raises(SettingNotFound):
        await calendar.disconnect_calendar(uow, OWNER, other.branch_id)
    with pytest.raises(SettingNotFound):
        await calendar.disconnect_calendar(uow, Owner(other.tenant_id, "user:x"), BRANCH)
