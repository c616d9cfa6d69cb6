"""Helpers for the job tests: reading job rows back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.tables import Job


async def job_row(sessions: async_sessionmaker[AsyncSession], job_id: int) -> Job:
    async with sessions() as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def all_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[Job]:
    async with sessions() as session:
        return list((await session.execute(select(Job).order_by(Job.id))).scalars())
