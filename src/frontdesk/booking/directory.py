"""Lookups at the door, before any use case: who a dialled number or an API key belongs to.

Both are cached per process for a short time (``TtlCache``): a moved number, a changed Retell
key or a revoked API key takes effect within that time (documented in the runbook). While the
database is down, a number's last known route is used past that time (ADR 0016).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import SecretStr

from frontdesk.booking.outage import DATABASE_ERRORS, DatabaseOutage, database_down
from frontdesk.cache.memory import TtlCache
from frontdesk.db.engine import SessionFactory, reading
from frontdesk.db.repositories import phone_numbers, tenants
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.observability.logging import get_logger
from frontdesk.resilience.outage import degraded
from frontdesk.secrets import SecretUnreadable, opened
from frontdesk.security import api_key_digest

__all__ = ["CACHE_TTL_S", "BranchRef", "DialledNumber", "Directory"]

CACHE_TTL_S = 30.0
log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class DialledNumber:
    """A dialled number's tenant and branch, with the tenant's own Retell key (if any)."""

    tenant_id: uuid.UUID
    branch_id: uuid.UUID
    retell_api_key: str | None
    branch: BranchRef


class Directory:
    """Dialled numbers and API keys → tenants, one short-lived cache each."""

    def __init__(
        self,
        sessions: SessionFactory,
        ttl: float = CACHE_TTL_S,
        outage: DatabaseOutage | None = None,
        secret_key: SecretStr | None = None,
    ) -> None:
        self._sessions = sessions
        # Opens tenants' sealed Retell keys (``Settings.secret_key``; ADR 0021).
        self._secret_key = secret_key
        self.outage = outage or DatabaseOutage()
        self._numbers: TtlCache[str, DialledNumber] = TtlCache(ttl)
        self._keys: TtlCache[str, uuid.UUID] = TtlCache(ttl)

    async def number(self, e164: str) -> DialledNumber | None:
        async def load() -> DialledNumber | None:
            async with reading(self._sessions) as session:
                row = await phone_numbers.route(session, e164)
            if row is None:
                return None
            branch = BranchRef(
                row.branch_id, row.tenant_id, row.calendar_version, row.branch_updated_at
            )
            key = self._retell_key(row.tenant_id, row.retell_api_key)
            return DialledNumber(row.tenant_id, row.branch_id, key, branch)

        known = self._numbers.stale(e164)
        if known is not None and self.outage.suspected:
            # Do not wait for a database that just failed to answer (ADR 0016).
            return known
        try:
            return await self._numbers.get_or_load(e164, load)
        except DATABASE_ERRORS as exc:
            # The database is down: a number known a while ago still routes, so the caller
            # hears the apology from their own branch (ADR 0016). Unknown ones cannot.
            if known is None or not database_down(exc):
                raise
            degraded("database", "directory", exc)
            return known

    def _retell_key(self, tenant_id: uuid.UUID, sealed: str | None) -> str | None:
        """The tenant's own Retell key opened; one that cannot be opened (the secret key
        changed) is logged and left out, so the installation's key verifies instead of the
        caller hearing a server error."""
        try:
            return opened(sealed, self._secret_key)
        except SecretUnreadable as exc:
            log.error("tenant retell key unreadable", tenant_id=str(tenant_id), problem=str(exc))
            return None

    async def tenant_of_api_key(self, key: str) -> uuid.UUID | None:
        """The tenant of an unrevoked API key (looked up and cached by digest only)."""

        async def load() -> uuid.UUID | None:
            async with reading(self._sessions) as session:
                found = await tenants.find_active_api_key(session, key)
            return found.tenant_id if found is not None else None

        return await self._keys.get_or_load(api_key_digest(key), load)
