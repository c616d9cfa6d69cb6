"""The embedded worker: a task inside ``frontdesk serve``'s lifespan (the default mode).

With ``FRONTDESK_EMBEDDED_WORKER=false`` nothing runs here and jobs wait for separate
``frontdesk worker`` processes; both modes may also run side by side on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.worker import Worker
from frontdesk.resources import Resources

# The API shares the process: keep the worker small so it cannot starve requests of connections.
EMBEDDED_CONCURRENCY = 2
# uvicorn waits for the lifespan to finish; do not hold a deploy up for long.
EMBEDDED_GRACE_SECONDS = 10.0


@asynccontextmanager
async def embedded_worker(resources: Resources) -> AsyncIterator[Worker | None]:
    """Run a worker for the duration of the block when the settings ask for one."""
    if not resources.settings.embedded_worker:
        yield None
        return
    worker = Worker(
        resources.sessions,
        default_registry(),
        concurrency=EMBEDDED_CONCURRENCY,
        grace=EMBEDDED_GRACE_SECONDS,
        settings=resources.settings,
        clock=resources.clock,
        calendars=resources.calendars,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="frontdesk-embedded-worker")
    try:
        yield worker
    finally:
        stop.set()
        await task
