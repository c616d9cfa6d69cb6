"""The per-process catalogue cache: reloads when the branch's version moves on, never back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import NOW

from frontdesk import demo as demo_ids
from frontdesk.booking.catalog import CatalogCache
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.db.seed import DemoCredentials

TENANT = demo_ids.demo_id()
HERREN = demo_ids.demo_id("service", "herrenhaarschnitt")


async def current_ref(sessions: async_sessionmaker[AsyncSession]) -> BranchRef:
    async with sessions() as session:
        ref = await catalog_rows.branch_of_service(session, TENANT, HERREN)
    assert ref is not None
    return ref


async def test_a_newer_version_reloads_and_an_older_reference_does_not(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads: list[Any] = []
    real = catalog_rows.load_catalog

    async def counting(*args: Any, **kwargs: Any) -> Any:
        loads.append(args[1])
        return await real(*args, **kwargs)

    monkeypatch.setattr(catalog_rows, "load_catalog", counting)
    cache = CatalogCache()
    old = await current_ref(sessions)
    async with sessions() as session:
        await cache.get(session, old, NOW)
        await catalog_rows.bump_calendar_version(session, old.branch_id)
        await session.commit()
    new = await current_ref(sessions)
    assert new.calendar_version == old.calendar_version + 1
    async with sessions() as session:
        await cache.get(session, new, NOW)  # moved on: reload
        # A caller still holding the old reference (the voice router's 30 s route cache) gets
        # the newer catalogue instead of reloading the old state over it.
        await cache.get(session, old, NOW)
        await cache.get(session, new, NOW)
    assert len(loads) == 2
