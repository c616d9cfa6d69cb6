"""What the settings pages list besides the use cases' own views: the tenant's staff (whose
weeks and absences the owner edits) and the transcript retention period it keeps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.owner import Owner
from frontdesk.business.retell import tenant_of
from frontdesk.db.repositories import catalog as catalog_rows


@dataclass(frozen=True, slots=True)
class StaffSummary:
    id: uuid.UUID
    name: str
    branch_id: uuid.UUID


async def staff_members(uow: UnitOfWork, owner: Owner) -> list[StaffSummary]:
    """The tenant's active staff, in the order the schedule shows them."""
    async with uow.reading() as session:
        rows = await catalog_rows.staff_of_tenant(session, owner.tenant_id)
    return [StaffSummary(row.id, row.name, row.branch_id) for row in rows]


async def transcript_retention(uow: UnitOfWork, owner: Owner) -> int:
    """The days a call's transcript is kept (ADR 0020)."""
    async with uow.reading() as session:
        return (await tenant_of(session, owner)).transcript_retention_days
