"""Running a worker as its own process: ``frontdesk worker`` (and the tests' worker scripts).

SIGTERM and SIGINT set the stop event: the worker stops claiming, lets in-flight jobs finish
within the grace period, releases the rest and returns, so the process exits with status 0.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

from frontdesk.domain.clock import Clock
from frontdesk.jobs.registry import HandlerRegistry
from frontdesk.jobs.worker import DEFAULT_LEASE, Worker
from frontdesk.resources import open_resources
from frontdesk.settings import Settings

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_worker_process(
    settings: Settings,
    registry: HandlerRegistry,
    *,
    concurrency: int,
    lease: timedelta = DEFAULT_LEASE,
    grace: float = 30.0,
    poll_interval: float = 1.0,
    worker_id: str | None = None,
    clock: Clock,
) -> None:
    """Open the process's resources and run one worker until a stop signal arrives.

    This is the edge of a ``frontdesk worker`` process: ``clock`` is its one clock.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        async with open_resources(settings, clock) as resources:
            worker = Worker(
                resources.sessions,
                registry,
                worker_id=worker_id,
                concurrency=concurrency,
                lease=lease,
                grace=grace,
                poll_interval=poll_interval,
                settings=settings,
                clock=resources.clock,
                calendars=resources.calendars,
            )
            await worker.run(stop)
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
