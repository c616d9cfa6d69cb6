"""The dialect's INSERT that supports ``ON CONFLICT`` (PostgreSQL and SQLite share the API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_on_conflict(session: AsyncSession, table: Any) -> Any:
    """``insert(table)`` of the session's dialect, with ``on_conflict_do_nothing/update``.

    Both dialects expose the same methods, which is what makes race-free "create unless it
    exists" writes (job dedupe, idempotency claims, call upserts, audit entries) portable.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
