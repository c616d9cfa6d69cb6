"""Periodic jobs: each period's run is enqueued once, however many workers try.

Every worker, on every loop, enqueues the current period's run of each periodic kind with the
dedupe key ``periodic:{kind}:{period_start}``. The unique key and ``ON CONFLICT DO NOTHING``
turn all but the first insert into no-ops, so there is no leader election and no scheduler
process to keep alive: a period is run as long as any one worker is up during it.

Periods are aligned to the Unix epoch (an hourly job runs at :00 UTC), so workers agree on
period boundaries without talking to each other (given synchronised clocks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.jobs.queue import enqueue

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Periodic:
    """Run ``kind`` with ``payload`` once every ``every``."""

    kind: str
    every: timedelta
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.every < timedelta(seconds=1):
            raise ValueError(f"period of {self.kind!r} must be at least one second")

    def period_start(self, now: datetime) -> datetime:
        """The start of the period ``now`` falls in."""
        return EPOCH + ((now - EPOCH) // self.every) * self.every

    def dedupe_key(self, period_start: datetime) -> str:
        return f"periodic:{self.kind}:{period_start.isoformat()}"


async def enqueue_due_periods(
    session: AsyncSession, schedule: tuple[Periodic, ...], now: datetime
) -> list[int]:
    """Enqueue the current period's run of each entry; ids of the runs this call created.

    The caller commits. Runs created by another worker first are skipped silently.
    """
    created: list[int] = []
    for entry in schedule:
        start = entry.period_start(now)
        job_id = await enqueue(
            session,
            entry.kind,
            entry.payload,
            run_after=start,
            dedupe_key=entry.dedupe_key(start),
        )
        if job_id is not None:
            created.append(job_id)
    return created
