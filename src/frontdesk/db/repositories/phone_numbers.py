"""Dialled numbers: which tenant and branch a call to an E.164 number belongs to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Branch, PhoneNumber, Tenant


@dataclass(frozen=True, slots=True)
class NumberRoute:
    """Everything a voice request needs before it can be verified and answered."""

    tenant_id: uuid.UUID
    branch_id: uuid.UUID
    retell_api_key: str | None
    calendar_version: int
    branch_updated_at: datetime


async def route(session: AsyncSession, e164: str) -> NumberRoute | None:
    """The tenant and branch behind a dialled number (one query), or ``None``."""
    stmt = (
        select(
            PhoneNumber.tenant_id,
            PhoneNumber.branch_id,
            Tenant.retell_api_key,
            Branch.calendar_version,
            Branch.updated_at,
        )
        .join(Tenant, Tenant.id == PhoneNumber.tenant_id)
        .join(Branch, Branch.id == PhoneNumber.branch_id)
        .where(PhoneNumber.e164 == e164)
    )
    row = (await session.execute(stmt)).one_or_none()
    return NumberRoute(*row) if row else None
