"""The reads ``frontdesk doctor`` makes: the database server's clock and every tenant with its
numbers and branches (a handful of rows per tenant; doctor is run by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Branch, PhoneNumber, Tenant


@dataclass(frozen=True, slots=True)
class TenantRows:
    tenant: Tenant
    numbers: list[str]
    branches: list[Branch]


async def server_now(session: AsyncSession) -> datetime | None:
    """PostgreSQL's ``now()`` (its own clock), or None on SQLite, which reads this machine's."""
    if session.get_bind().dialect.name == "sqlite":
        return None
    value = (await session.execute(text("SELECT now()"))).scalar_one()
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


async def tenants_with_setup(session: AsyncSession) -> list[TenantRows]:
    tenants = list((await session.execute(select(Tenant).order_by(Tenant.slug))).scalars())
    numbers = (
        await session.execute(
            select(PhoneNumber.tenant_id, PhoneNumber.e164).order_by(PhoneNumber.e164)
        )
    ).all()
    branches = list(
        (await session.execute(select(Branch).order_by(Branch.created_at, Branch.name))).scalars()
    )
    return [
        TenantRows(
            tenant,
            [e164 for tenant_id, e164 in numbers if tenant_id == tenant.id],
            [b for b in branches if b.tenant_id == tenant.id],
        )
        for tenant in tenants
    ]
