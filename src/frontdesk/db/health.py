"""Readiness probe of the database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.db.engine import READ_ONLY


async def ping(engine: AsyncEngine) -> None:
    """Round-trip one trivial query; raises when the database cannot be reached."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(**READ_ONLY)
        await conn.execute(text("SELECT 1"))
