"""Readiness probes of the database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from frontdesk.db.engine import READ_ONLY

_PING = text("SELECT 1")


async def ping(engine: AsyncEngine) -> None:
    """Round-trip one trivial query; raises when the database cannot be reached."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(**READ_ONLY)
        await conn.execute(_PING)


async def ping_session(session: AsyncSession) -> None:
    """``ping`` in a session the caller opened (e.g. a reading one)."""
    await session.execute(_PING)
