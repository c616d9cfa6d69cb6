"""Helpers for the job tests: a clock tests move by hand, and reading job rows back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.tables import Job

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """A clock that only moves when told to (``Worker(clock=...)``)."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


async def job_row(sessions: async_sessionmaker[AsyncSession], job_id: int) -> Job:
    async with sessions() as session:
        return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()


async def all_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[Job]:
    async with sessions() as session:
        return list((await session.execute(select(Job).order_by(Job.id))).scalars())
