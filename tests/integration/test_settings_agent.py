"""The agent in the owner's settings: exported without its key, pushed to Retell with the
tenant's own sealed key (opened for the push only), the push audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from retell import Retell
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.retell_support import FakeRetell
from tests.settings_support import OWNER, settings_uow

from frontdesk import secrets
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import agent, retell
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import AuditLog
from frontdesk.domain.errors import InvalidSetting

SALON_KEY = "key_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRET_KEY = SecretStr(secrets.new_key())
BASE_URL = "https://frontdesk.example.de"


@pytest.fixture
def uow(db: AsyncEngine, clock: FakeClock, demo: DemoCredentials) -> UnitOfWork:
    return settings_uow(db, clock)


@pytest.fixture
def fake() -> Iterator[FakeRetell]:
    with FakeRetell(api_key=SALON_KEY).serve() as served:
        yield served


async def test_the_agent_is_pushed_with_the_tenants_sealed_key(
    uow: UnitOfWork, fake: FakeRetell, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await retell.set_retell_key(uow, OWNER, SecretStr(SALON_KEY), SECRET_KEY)
    result = await agent.push_agent(
        uow,
        OWNER,
        lambda key: Retell(api_key=key, base_url=fake.base_url),
        BASE_URL,
        fallback_key=SecretStr("key_of_the_installation_not_this_tenant"),
        secret_key=SECRET_KEY,
    )
    assert result.created
    assert {r.authorization for r in fake.requests} == {f"Bearer {SALON_KEY}"}
    async with sessions() as session:
        entry = (
            await session.execute(select(AuditLog).where(AuditLog.action == "agent.push"))
        ).scalar_one()
    assert entry.data["after"]["agent_id"] == result.agent_id
    assert SALON_KEY not in str(entry.data)


async def test_the_export_holds_no_key(uow: UnitOfWork) -> None:
    await retell.set_retell_key(uow, OWNER, SecretStr(SALON_KEY), SECRET_KEY)
    config = await agent.export_agent(
        uow, OWNER, BASE_URL, voice_id="11labs-Anna", secret_key=SECRET_KEY
    )
    assert set(config) == {"llm", "agent"}
    assert "Salon Sonnenschein" in str(config)
    assert SALON_KEY not in str(config)


async def test_no_key_at_all_is_refused_in_german(uow: UnitOfWork, fake: FakeRetell) -> None:
    with pytest.raises(InvalidSetting) as refused:
        await agent.push_agent(
            uow,
            OWNER,
            lambda key: Retell(api_key=key, base_url=fake.base_url),
            BASE_URL,
            fallback_key=None,
            secret_key=SECRET_KEY,
        )
    assert refused.value.message == "Es ist kein Retell-API-Schlüssel hinterlegt."
    assert fake.requests == []
