"""``frontdesk calcom status``: a tenant's Cal.com link as one value, never with a secret in it.

The breaker's state is only worth showing when it is shared: with ``FRONTDESK_REDIS_URL`` every
process keeps it in Redis and this process can read it; without, each process has its own in
memory and a separate CLI process cannot see the server's, which the report says instead of
showing a "closed" that means nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk import secrets
from frontdesk.db.engine import SessionFactory
from frontdesk.db.repositories import calendar_links, tenants
from frontdesk.resilience.breaker import CircuitBreaker
from frontdesk.resilience.breaker_store import Snapshot


@dataclass(frozen=True, slots=True)
class LinkStatus:
    overview: calendar_links.LinkOverview
    base_url: str
    # Whether the URL is the tenant's own (set by connect --api-url) or the default setting.
    own_url: bool
    key: str  # "encrypted", "plain" or "missing"
    webhook_secret: bool
    # None: not visible from this process (no shared store).
    breaker: Snapshot | None

    @property
    def linked(self) -> bool:
        return bool(self.overview.branches)


async def link_status(
    sessions: SessionFactory,
    slug: str,
    *,
    default_api_url: str,
    breaker: CircuitBreaker | None,
) -> LinkStatus | None:
    """The tenant's link, or None when there is no such tenant."""
    async with sessions() as session:
        tenant = await tenants.get_by_slug(session, slug)
        if tenant is None:
            return None
        overview = await calendar_links.link_overview(session, tenant)
    stored = tenant.calcom_api_key
    key = "missing" if not stored else "encrypted" if secrets.is_encrypted(stored) else "plain"
    return LinkStatus(
        overview=overview,
        base_url=tenant.calcom_api_url or default_api_url,
        own_url=tenant.calcom_api_url is not None,
        key=key,
        webhook_secret=bool(tenant.calcom_webhook_secret),
        # The transport keys the breaker by the tenant's slug (CalcomClient.for_tenant).
        breaker=await breaker.snapshot(slug) if breaker is not None else None,
    )
