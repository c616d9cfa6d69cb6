"""The tenant facts the agent is built from, loaded through the read-only queries."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from frontdesk.booking.queries import Queries
from frontdesk.booking.views import TenantOutline

AGENT_NAME_PREFIX: Final = "frontdesk:"


@dataclass(frozen=True, slots=True)
class AgentProfile(TenantOutline):
    """The tenant facts the agent configuration is built from."""

    @property
    def is_english(self) -> bool:
        return self.locale.lower().startswith("en")

    @property
    def agent_name(self) -> str:
        """The name that finds this tenant's agent in Retell (there is no id column for it)."""
        return f"{AGENT_NAME_PREFIX}{self.slug}"

    @classmethod
    def of(cls, tenant: TenantOutline) -> AgentProfile:
        return cls(**{f.name: getattr(tenant, f.name) for f in fields(tenant)})


async def load_profile(queries: Queries, slug: str) -> AgentProfile | None:
    """The tenant with ``slug`` and its active service and staff names, or None."""
    tenant = await queries.tenant_outline(slug)
    return AgentProfile.of(tenant) if tenant is not None else None
