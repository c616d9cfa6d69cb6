"""Tenants and their API keys."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import ApiKey, Tenant
from frontdesk.security import api_key_digest, api_key_display_prefix


async def count_tenants(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Tenant))).scalar_one()


async def get_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    return (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()


async def delete_by_slug(session: AsyncSession, slug: str) -> None:
    """Remove a tenant and, through ON DELETE CASCADE, everything it owns."""
    await session.execute(delete(Tenant).where(Tenant.slug == slug))


async def add_api_key(session: AsyncSession, tenant_id: uuid.UUID, name: str, key: str) -> ApiKey:
    row = ApiKey(
        tenant_id=tenant_id,
        name=name,
        key_hash=api_key_digest(key),
        display_prefix=api_key_display_prefix(key),
        scopes=["*"],
    )
    session.add(row)
    await session.flush()
    return row


async def find_active_api_key(session: AsyncSession, key: str) -> ApiKey | None:
    """The unrevoked key with this secret, looked up by digest (never by the secret itself)."""
    stmt = select(ApiKey).where(ApiKey.key_hash == api_key_digest(key), ApiKey.revoked_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await session.get(Tenant, tenant_id)
