"""A worker process for the job tests: ``python job_worker_script.py URL WORKER_ID LEASE GRACE``.

It runs the same ``run_worker_process`` as ``frontdesk worker`` (signals included) with one
handler, ``test.sleep``, that sleeps ``payload["seconds"]`` and then appends the job id to the
file ``payload["marker"]``, so the test sees whether a run completed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from frontdesk.domain.clock import system_clock
from frontdesk.jobs.process import run_worker_process
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.observability.logging import configure_logging
from frontdesk.settings import Settings

registry = HandlerRegistry()


@registry.register("test.sleep")
async def sleep_then_mark(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Idempotent enough for the tests: each completed run appends one line."""
    await asyncio.sleep(float(payload["seconds"]))
    append_line(Path(payload["marker"]), f"{ctx.job_id} attempt {ctx.attempt}")


def append_line(path: Path, line: str) -> None:
    """One small local write; not worth a thread hop in a test handler."""
    with path.open("a") as out:
        out.write(f"{line}\n")


def main(url: str, worker_id: str, lease: str, grace: str) -> None:
    configure_logging("INFO", "console")
    asyncio.run(
        run_worker_process(
            Settings(database_url=url, embedded_worker=False),
            registry,
            concurrency=1,
            lease=timedelta(seconds=float(lease)),
            grace=float(grace),
            poll_interval=0.05,
            worker_id=worker_id,
            clock=system_clock,
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
