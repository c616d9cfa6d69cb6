"""The real ``frontdesk doctor`` probes: the database through its engine and repository, Redis
through its client, outside calendars through their clients (``CalcomProbe``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.calendars.port import ProviderLink
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db import migrate
from frontdesk.db.engine import SessionFactory
from frontdesk.db.repositories import doctor as rows
from frontdesk.domain.model import CalendarProvider
from frontdesk.operations.doctor_ports import CalendarLink, CalendarProbe, TenantFacts


class MissingDatabaseFile(Exception):
    """The SQLite file does not exist (connecting would create an empty one)."""


def revisions() -> tuple[str, list[str]]:
    """The newest migration of this version of frontdesk and every one it knows."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head, [s.revision for s in script.walk_revisions()]


class SqlDatabaseProbe:
    def __init__(self, engine: AsyncEngine, sessions: SessionFactory) -> None:
        self._engine = engine
        self._sessions = sessions

    async def revision(self) -> str | None:
        url = self._engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(url.database or "")
            if not await asyncio.to_thread(path.exists):
                raise MissingDatabaseFile(f"{path} does not exist")
        return await migrate.current_revision(self._engine)

    async def server_now(self) -> datetime | None:
        async with self._sessions() as session:
            return await rows.server_now(session)

    async def tenants(self) -> Sequence[TenantFacts]:
        async with self._sessions() as session:
            found = await rows.tenants_with_setup(session)
        return [_facts(r) for r in found]


def _facts(found: rows.TenantRows) -> TenantFacts:
    tenant = found.tenant
    links = [
        CalendarLink(
            branch=branch.name,
            link=ProviderLink(
                tenant_id=tenant.id,
                tenant_slug=tenant.slug,
                provider=CalendarProvider(branch.calendar_provider),
                sealed_key=tenant.calcom_api_key,
                api_url=tenant.calcom_api_url,
                config=dict(branch.calendar_config or {}),
            ),
            webhooks={
                str(et): str(hook)
                for et, hook in dict((branch.calendar_config or {}).get("webhooks") or {}).items()
            },
            webhook_secret=bool(tenant.calcom_webhook_secret),
        )
        for branch in found.branches
        if CalendarProvider(branch.calendar_provider) is not CalendarProvider.BUILTIN
    ]
    return TenantFacts(tenant.slug, tenant.retell_api_key, found.numbers, links)


class Unusable:
    """The probe of something that could not even be set up (a URL that does not parse, a
    driver that is not installed): every question raises what setting it up raised, so the
    runner reports it like any other failure."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    async def revision(self) -> str | None:
        raise self._error

    async def server_now(self) -> datetime | None:
        raise self._error

    async def tenants(self) -> Sequence[TenantFacts]:
        raise self._error

    async def ping(self) -> None:
        raise self._error


class RedisPing:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def ping(self) -> None:
        await self._redis.ping()


class ProviderProbes:
    """Probes built by the doctor's ``CalendarProviders`` (its key opening and base URL)."""

    def __init__(self, providers: CalendarProviders, *, seconds: float) -> None:
        self._providers = providers
        self._seconds = seconds

    def probe(self, link: ProviderLink) -> CalendarProbe:
        return self._providers.probe(link, seconds=self._seconds)
