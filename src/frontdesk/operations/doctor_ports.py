"""The narrow interfaces ``frontdesk doctor``'s checks read the installation through, and the
facts they answer with. The real implementations are in ``doctor_adapters``; tests may pass
fakes. Nothing here carries an opened secret: keys travel sealed, as stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from frontdesk.calendars.port import CalendarProbe, ProviderLink, Subscription

__all__ = [
    "CalendarLink",
    "CalendarProbe",
    "CalendarProbes",
    "DatabaseProbe",
    "RedisProbe",
    "Subscription",
    "TenantFacts",
]


@dataclass(frozen=True, slots=True)
class CalendarLink:
    """A branch on an outside calendar, as stored by ``calcom connect``."""

    branch: str
    link: ProviderLink
    # Event type id → our subscription's webhook id (``calendar_config["webhooks"]``).
    webhooks: Mapping[str, str] = field(default_factory=dict)
    # Whether the tenant has a webhook signing secret (set by connect or given by hand).
    webhook_secret: bool = False


@dataclass(frozen=True, slots=True)
class TenantFacts:
    slug: str
    sealed_retell_key: str | None
    numbers: Sequence[str]
    calendars: Sequence[CalendarLink]


class DatabaseProbe(Protocol):
    async def revision(self) -> str | None:
        """The Alembic revision the database is at (None: never migrated); raises when the
        database cannot be reached."""
        ...

    async def server_now(self) -> datetime | None:
        """The database server's clock, or None when it is this machine's (SQLite)."""
        ...

    async def tenants(self) -> Sequence[TenantFacts]: ...


class RedisProbe(Protocol):
    async def ping(self) -> None:
        """Round-trip one command; raises when Redis cannot be reached."""
        ...


class CalendarProbes(Protocol):
    def probe(self, link: ProviderLink) -> CalendarProbe:
        """The probe for ``link``; ``CalendarAuthFailed`` when its key cannot be opened."""
        ...
