"""Logins to the web app (``user_account``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import User


async def by_email(session: AsyncSession, email: str) -> User | None:
    """The login with this address, ignoring case (addresses are unique across tenants)."""
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    stmt = select(User).where(User.id == user_id, User.tenant_id == tenant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_password_hash(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, password_hash: str
) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id, User.tenant_id == tenant_id)
        .values(password_hash=password_hash)
    )


async def mark_signed_in(session: AsyncSession, user_id: uuid.UUID, at: datetime) -> None:
    await session.execute(update(User).where(User.id == user_id).values(last_login_at=at))


async def of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[User]:
    """The tenant's active logins by name."""
    stmt = (
        select(User)
        .where(User.tenant_id == tenant_id, User.active.is_(True))
        .order_by(User.name, User.id)
    )
    return list((await session.execute(stmt)).scalars())
