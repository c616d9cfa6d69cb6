"""Read-only queries for listings (services, staff, appointments, customers, calls) and the
tenant outline the voice agent is configured from.

Kept apart from the write use cases: no rules, no events, one read-only session per query.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from pydantic import SecretStr

from frontdesk.booking.views import AppointmentView, TenantOutline
from frontdesk.db.engine import SessionFactory, reading
from frontdesk.db.repositories import appointments, calls, catalog, customers, tenants
from frontdesk.db.tables import Call, Customer, Service, Staff
from frontdesk.domain.model import AppointmentStatus
from frontdesk.domain.paging import Cursor, Page
from frontdesk.secrets import opened


class Queries:
    def __init__(self, sessions: SessionFactory, secret_key: SecretStr | None = None) -> None:
        self._sessions = sessions
        # Opens the tenant's sealed Retell key for the agent push (``tenant_outline``).
        self._secret_key = secret_key

    async def services(self, tenant_id: uuid.UUID) -> list[tuple[Service, list[uuid.UUID]]]:
        """Active services with the ids of the staff who perform each."""
        async with reading(self._sessions) as session:
            rows = await catalog.services_of_tenant(session, tenant_id)
            links = await catalog.staff_links_of_tenant(session, tenant_id)
        staff_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for service_id, staff_id in links:
            staff_of[service_id].append(staff_id)
        return [(row, sorted(staff_of[row.id])) for row in rows]

    async def staff(self, tenant_id: uuid.UUID) -> list[Staff]:
        async with reading(self._sessions) as session:
            return await catalog.staff_of_tenant(session, tenant_id)

    async def appointments(
        self,
        tenant_id: uuid.UUID,
        *,
        start_from: datetime | None,
        start_to: datetime | None,
        statuses: Collection[AppointmentStatus],
        after: Cursor | None,
        limit: int,
    ) -> Page[AppointmentView]:
        async with reading(self._sessions) as session:
            page = await appointments.page(
                session,
                tenant_id,
                start_from=start_from,
                start_to=start_to,
                statuses=statuses,
                after=after,
                limit=limit,
            )
        return page.map(AppointmentView.of)

    async def customers(
        self, tenant_id: uuid.UUID, *, query: str | None, after: Cursor | None, limit: int
    ) -> Page[Customer]:
        async with reading(self._sessions) as session:
            return await customers.page(session, tenant_id, query=query, after=after, limit=limit)

    async def calls(self, tenant_id: uuid.UUID, *, after: Cursor | None, limit: int) -> Page[Call]:
        async with reading(self._sessions) as session:
            return await calls.page(session, tenant_id, after=after, limit=limit)

    async def tenant_outline(self, slug: str) -> TenantOutline | None:
        """The tenant with ``slug`` and the names of its active services and staff, or None."""
        async with reading(self._sessions) as session:
            tenant = await tenants.get_by_slug(session, slug)
            if tenant is None:
                return None
            services = await catalog.services_of_tenant(session, tenant.id)
            staff = await catalog.staff_of_tenant(session, tenant.id)
        return TenantOutline(
            slug=tenant.slug,
            name=tenant.name,
            locale=tenant.locale,
            timezone=tenant.timezone,
            services=_unique(service.name for service in services),
            staff=_unique(member.name for member in staff),
            retell_api_key=opened(tenant.retell_api_key, self._secret_key),
        )


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    """The non-empty names, each once, in their order."""
    return tuple(dict.fromkeys(name for name in names if name))
