"""Sessions of signed-in browsers (``web_session``), looked up by the digest of their token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Branch, Tenant, User, WebSession
from frontdesk.domain.model import CalendarProvider


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A session with what every page needs about its user and tenant, read in one query."""

    session: WebSession
    user: User
    tenant_locale: str
    tenant_timezone: str
    tenant_name: str
    calendar_connected: bool


async def add(session: AsyncSession, row: WebSession) -> None:
    session.add(row)
    await session.flush()


async def find(session: AsyncSession, token_hash: str) -> SessionRow | None:
    """The session of this token digest with its (active) user, or None."""
    connected = (
        exists()
        .where(Branch.tenant_id == WebSession.tenant_id)
        .where(Branch.calendar_provider != CalendarProvider.BUILTIN)
    )
    stmt = (
        select(WebSession, User, Tenant.locale, Tenant.timezone, Tenant.name, connected)
        .join(User, (User.id == WebSession.user_id) & (User.tenant_id == WebSession.tenant_id))
        .join(Tenant, Tenant.id == WebSession.tenant_id)
        .where(WebSession.token_hash == token_hash, User.active)
    )
    row = (await session.execute(stmt)).one_or_none()
    return SessionRow(*row) if row is not None else None


async def touch(session: AsyncSession, token_hash: str, at: datetime) -> None:
    await session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash).values(last_seen_at=at)
    )


async def remove(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


async def remove_others_of_user(
    session: AsyncSession, user_id: uuid.UUID, keep_token_hash: str
) -> None:
    """Sign the user out everywhere else (after a password change)."""
    await session.execute(
        delete(WebSession).where(
            WebSession.user_id == user_id, WebSession.token_hash != keep_token_hash
        )
    )


async def remove_expired_of_user(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Old sessions of a user go when they sign in again, so the table does not grow."""
    await session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at <= now)
    )
