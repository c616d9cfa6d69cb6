"""The names of a tenant's services and staff, for pages that list appointments by id (a
customer's history): one read of two small tables instead of a join per row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.repositories import catalog as catalog_rows


@dataclass(frozen=True, slots=True)
class CatalogNames:
    services: dict[uuid.UUID, str]
    staff: dict[uuid.UUID, str]


async def catalog_names(uow: UnitOfWork, tenant_id: uuid.UUID) -> CatalogNames:
    """Active services and staff by id (a retired one is missing: the page shows a dash)."""
    async with uow.reading() as session:
        services = await catalog_rows.services_of_tenant(session, tenant_id)
        staff = await catalog_rows.staff_of_tenant(session, tenant_id)
    return CatalogNames({s.id: s.name for s in services}, {s.id: s.name for s in staff})
