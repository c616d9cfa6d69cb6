"""Operating the queue: `frontdesk jobs list/retry`, and the worker embedded in the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.jobs_support import job_row
from typer.testing import CliRunner, Result

from frontdesk import cli as frontdesk_cli
from frontdesk.app import create_app
from frontdesk.cli import app as cli
from frontdesk.db.tables import Job
from frontdesk.domain.model import JobState
from frontdesk.jobs.queue import enqueue
from frontdesk.settings import Settings, get_settings

Sessions = async_sessionmaker[AsyncSession]
runner = CliRunner()


@pytest.fixture
def cli_env(db: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", db.url.render_as_string(hide_password=False))
    # rich wraps table cells to the terminal's width, which the CLI's console read when it was
    # imported (COLUMNS set here would come too late under pytest-xdist's collection).
    monkeypatch.setattr(frontdesk_cli.console, "width", 200)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def invoke(*args: str) -> Result:
    """The CLI runs its own event loop, so it runs in a thread of its own here."""
    return await asyncio.to_thread(runner.invoke, cli, list(args))


async def test_jobs_list_shows_dead_jobs_and_retry_requeues_them(
    cli_env: None, sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as session:
        dead = Job(
            kind="calendar.sync",
            state=JobState.DEAD,
            attempts=8,
            run_after=clock(),
            last_error="Traceback (most recent call last):\n  ...\nTimeoutError: cal.com",
        )
        done = Job(kind="reminders.send", state=JobState.SUCCEEDED, run_after=clock())
        session.add_all([dead, done])
        await session.commit()

    listed = await invoke("jobs", "list", "--state", "dead")
    assert listed.exit_code == 0, listed.output
    assert "calendar.sync" in listed.output
    assert "TimeoutError: cal.com" in listed.output
    assert "8/8" in listed.output
    assert "reminders.send" not in listed.output
    everything = await invoke("jobs", "list", "--limit", "10")
    assert "reminders.send" in everything.output

    retried = await invoke("jobs", "retry", str(dead.id))
    assert retried.exit_code == 0, retried.output
    job = await job_row(sessions, dead.id)
    assert (job.state, job.attempts) == (JobState.QUEUED, 0)
    # The CLI is an edge of its own: it runs on the wall clock.
    assert job.run_after <= datetime.now(UTC)

    again = await invoke("jobs", "retry", str(dead.id))
    assert again.exit_code == 1
    assert "No dead job" in again.output


async def test_embedded_worker_runs_jobs_during_the_app_lifespan_on_the_apps_clock(
    db: AsyncEngine, sessions: Sessions, clock: FakeClock
) -> None:
    """The embedded worker judges "due" by the app's clock: a job due in an hour by that clock
    stays queued even though the wall clock (any day after the test's NOW) is long past it."""
    settings = Settings(database_url=db.url.render_as_string(hide_password=False))
    assert settings.embedded_worker
    async with sessions() as session:
        due_now = await enqueue(session, "maintenance.purge", {})
        due_later = await enqueue(
            session, "maintenance.purge", {}, run_after=clock() + timedelta(hours=1)
        )
        await session.commit()
    assert due_now is not None
    assert due_later is not None
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        assert _embedded_worker_running()
        for _ in range(200):
            if (await job_row(sessions, due_now)).state is JobState.SUCCEEDED:
                break
            await asyncio.sleep(0.05)
    assert (await job_row(sessions, due_now)).state is JobState.SUCCEEDED
    # Both were in the table before the first claim: had the worker read the wall clock, the
    # claim that took the first would have taken the second too.
    assert (await job_row(sessions, due_later)).state is JobState.QUEUED


async def test_app_without_embedded_worker_leaves_jobs_alone(
    db: AsyncEngine, sessions: Sessions
) -> None:
    url = db.url.render_as_string(hide_password=False)
    async with sessions() as session:
        job_id = await enqueue(session, "maintenance.purge", {})
        await session.commit()
    assert job_id is not None
    app = create_app(Settings(database_url=url, embedded_worker=False))
    async with app.router.lifespan_context(app):
        # Deterministic, unlike waiting a while: no worker task exists at all.
        assert not _embedded_worker_running()
    assert (await job_row(sessions, job_id)).state is JobState.QUEUED


def _embedded_worker_running() -> bool:
    return any(t.get_name() == "frontdesk-embedded-worker" for t in asyncio.all_tasks())
