"""Workers as real processes: SIGKILL mid-job, SIGTERM drain and release, `frontdesk worker`.

Runs on both databases; for SQLite the file URL is shared by the processes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.integration.job_worker_script import append_line
from tests.jobs_support import job_row
from tests.process_support import spawn, started_processes

from frontdesk.db.repositories import jobs as job_rows
from frontdesk.domain.clock import Clock, system_clock
from frontdesk.domain.model import JobState
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.settings import Settings

# Starts real frontdesk processes (left out of CI's shifted-clock stage: .ci/run).
pytestmark = pytest.mark.processes

Sessions = async_sessionmaker[AsyncSession]
SCRIPT = Path(__file__).with_name("job_worker_script.py")


def _url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def clock() -> Clock:
    """Real processes run on the wall clock, so the test's sessions do too (under a shifted
    system clock every process of the run agrees: libfaketime shifts them all)."""
    return system_clock


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    with started_processes() as started:
        yield started


def _script_worker(
    processes: list[subprocess.Popen[str]],
    engine: AsyncEngine,
    worker_id: str,
    *,
    lease: float,
    grace: float,
) -> subprocess.Popen[str]:
    command = [sys.executable, str(SCRIPT), _url(engine), worker_id, str(lease), str(grace)]
    return spawn(processes, command)


async def _enqueue_sleep(sessions: Sessions, seconds: float, marker: Path) -> int:
    async with sessions() as session:
        job_id = await enqueue(session, "test.sleep", {"seconds": seconds, "marker": str(marker)})
        await session.commit()
    assert job_id is not None
    return job_id


async def _wait_for(
    sessions: Sessions,
    job_id: int,
    process: subprocess.Popen[str],
    *,
    state: JobState,
    locked_by: str | None = None,
    within: float = 30.0,
) -> None:
    """Poll the row until it reaches ``state`` (held by ``locked_by``), or fail with output."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        job = await job_row(sessions, job_id)
        if job.state is state and (locked_by is None or job.locked_by == locked_by):
            return
        if process.poll() is not None:
            break
        await asyncio.sleep(0.05)
    if process.poll() is None:
        process.kill()
    output = process.communicate()[0]
    pytest.fail(f"job {job_id} never reached {state}; worker output:\n{output}")


async def _exit_code(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = await asyncio.to_thread(process.communicate, None, 30.0)
    return process.returncode, output


async def test_job_of_a_sigkilled_worker_is_completed_by_another(
    db: AsyncEngine, sessions: Sessions, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    marker = tmp_path / "runs.txt"
    job_id = await _enqueue_sleep(sessions, 60, marker)
    doomed = _script_worker(processes, db, "doomed", lease=2, grace=30)
    await _wait_for(sessions, job_id, doomed, state=JobState.RUNNING, locked_by="doomed")
    doomed.send_signal(signal.SIGKILL)
    assert await asyncio.to_thread(doomed.wait, 30) == -signal.SIGKILL

    registry = HandlerRegistry()

    @registry.register("test.sleep")
    async def finish_now(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: appends one line per completed run."""
        append_line(Path(payload["marker"]), f"{ctx.job_id} attempt {ctx.attempt}")

    # The survivor's clock is past the dead worker's lease (2 s, no heartbeat since the kill).
    survivor_clock = FakeClock(system_clock() + timedelta(seconds=10))
    survivor = Worker(
        sessions,
        registry,
        worker_id="survivor",
        lease=timedelta(seconds=2),
        clock=survivor_clock,
        settings=Settings(),
        periodic=(),
    )
    assert await survivor.run_until_idle() == 1
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 2)
    assert marker.read_text() == f"{job_id} attempt 2\n"


async def test_sigterm_lets_the_in_flight_job_finish_then_exits_cleanly(
    db: AsyncEngine, sessions: Sessions, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    marker = tmp_path / "runs.txt"
    job_id = await _enqueue_sleep(sessions, 1.0, marker)
    process = _script_worker(processes, db, "draining", lease=30, grace=30)
    await _wait_for(sessions, job_id, process, state=JobState.RUNNING, locked_by="draining")
    process.send_signal(signal.SIGTERM)
    code, output = await _exit_code(process)
    assert code == 0, output
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 1), output
    assert marker.read_text() == f"{job_id} attempt 1\n"


async def test_sigterm_past_the_grace_period_releases_the_job(
    db: AsyncEngine, sessions: Sessions, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    marker = tmp_path / "runs.txt"
    job_id = await _enqueue_sleep(sessions, 60, marker)
    process = _script_worker(processes, db, "impatient", lease=30, grace=0.2)
    await _wait_for(sessions, job_id, process, state=JobState.RUNNING, locked_by="impatient")
    process.send_signal(signal.SIGTERM)
    code, output = await _exit_code(process)
    assert code == 0, output
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts, job.locked_by) == (JobState.QUEUED, 0, None), output
    assert not marker.exists()


async def test_frontdesk_worker_command_runs_jobs_and_stops_on_sigterm(
    db: AsyncEngine, sessions: Sessions, processes: list[subprocess.Popen[str]]
) -> None:
    """The real CLI with the built-in handlers: it schedules and runs the hourly purge."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["FRONTDESK_DATABASE_URL"] = _url(db)
    command = [sys.executable, "-m", "frontdesk", "worker", "--concurrency", "2", "--poll", "0.1"]
    process = spawn(processes, command, env)
    deadline = asyncio.get_running_loop().time() + 30
    purge_id: int | None = None
    while purge_id is None and asyncio.get_running_loop().time() < deadline:
        async with sessions() as session:
            done = await job_rows.list_jobs(session, state=JobState.SUCCEEDED)
            purge_id = next((j.id for j in done if j.kind == "maintenance.purge"), None)
        if process.poll() is not None:
            break
        await asyncio.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    code, output = await _exit_code(process)
    assert purge_id is not None, output
    assert code == 0, output
    assert "worker stopped" in output
    job = await job_row(sessions, purge_id)
    assert job.dedupe_key is not None
    assert job.dedupe_key.startswith("periodic:maintenance.purge:")
