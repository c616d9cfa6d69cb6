"""Reminders never twice with several workers (issue 15, item 3), as deployed: three real
``frontdesk worker`` processes against one PostgreSQL database, all scanning for due reminders
at once, deliver exactly one reminder to a real SMTP server on 127.0.0.1.

PostgreSQL only: several worker processes are a PostgreSQL deployment (docs/jobs.md; on SQLite
one process). The processes run on the wall clock, so the appointment is placed relative to it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.booking_support import ERIKA, TENANT, request
from tests.messages_support import MAIL_FROM, smtp_server
from tests.process_support import spawn, started_processes

from frontdesk.booking.service import BookingService
from frontdesk.db.tables import Appointment, Job, MessageDelivery, ReminderClaim, Tenant
from frontdesk.domain.clock import system_clock
from frontdesk.domain.model import JobState
from frontdesk.jobs.queue import enqueue
from frontdesk.messages.reminders import REMINDER_JOB, SCAN_JOB

pytestmark = [
    pytest.mark.parametrize(
        "engine", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
    pytest.mark.processes,  # left out of CI's shifted-clock stage (.ci/run)
]

Sessions = async_sessionmaker[AsyncSession]
BERLIN = ZoneInfo("Europe/Berlin")
WORKERS = 3
SCANS = 9  # scan jobs enqueued at once, so the workers claim side by side
WITHIN = 60.0  # seconds for start-up and for the work; the test fails, never hangs


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    with started_processes() as started:
        yield started


async def _due_now(sessions: Sessions, appointment_id: object) -> None:
    """The appointment an hour from the wall clock's now, booked two days ago: its 24-hour
    reminder is due. E-mail only, so quiet hours for SMS (the wall clock's time of day) play
    no part."""
    now = system_clock()
    async with sessions() as session:
        settings = {"reminder_hours": 24, "reminder_email": True, "reminder_sms": False}
        await session.execute(update(Tenant).where(Tenant.id == TENANT).values(**settings))
        row = await session.get(Appointment, appointment_id)
        assert row is not None
        length = row.ends_at - row.starts_at
        row.starts_at = now + timedelta(hours=1)
        row.ends_at = row.starts_at + length
        row.created_at = now - timedelta(days=2)
        await session.commit()


async def _wait(what: str, check: object, outputs: list[Path], within: float = WITHIN) -> None:
    """Poll ``check`` (an async callable) until true, or fail with the workers' output."""
    assert callable(check)
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in outputs)
    pytest.fail(f"{what} within {within} s; worker output:\n{logs}")


async def _jobs(sessions: Sessions, kind: str) -> list[Job]:
    async with sessions() as session:
        return list((await session.execute(select(Job).where(Job.kind == kind))).scalars())


async def _count(sessions: Sessions, table: type) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_three_worker_processes_deliver_one_reminder(
    db: AsyncEngine,
    sessions: Sessions,
    booking: BookingService,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],
) -> None:
    erika = replace(ERIKA, email="erika@example.org")
    booked = await booking.book(
        request(customer=erika, start=datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN))
    )
    await _due_now(sessions, booked.appointment.id)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    outputs = [tmp_path / f"worker-{n}.log" for n in range(WORKERS)]
    with smtp_server() as (inbox, port):
        env |= {
            "FRONTDESK_DATABASE_URL": db.url.render_as_string(hide_password=False),
            "FRONTDESK_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "FRONTDESK_MAIL_FROM": MAIL_FROM,
        }
        command = [sys.executable, "-m", "frontdesk", "worker", "--concurrency", "3",
                   "--poll", "0.1"]  # fmt: skip
        for path in outputs:
            with path.open("w") as output:
                spawn(processes, command, env, output)

        async def all_started() -> bool:
            return all("worker started" in p.read_text() for p in outputs)

        await _wait("not every worker started", all_started, outputs)
        async with sessions() as session:
            for _ in range(SCANS):
                await enqueue(session, SCAN_JOB, {})
            await session.commit()

        async def all_done() -> bool:
            scans = await _jobs(sessions, SCAN_JOB)
            sends = await _jobs(sessions, REMINDER_JOB)
            finished = (JobState.SUCCEEDED, JobState.DEAD)
            return (
                sum(j.state is JobState.SUCCEEDED for j in scans) >= SCANS
                and bool(sends)
                and all(j.state in finished for j in sends)
            )

        await _wait("the scans and the reminder's send did not finish", all_done, outputs)
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [await asyncio.to_thread(p.wait, 30) for p in processes]
        subjects = [str(m["Subject"]) for m in inbox.messages]
        recipients = [list(e.rcpt_tos) for e in inbox.envelopes]

    logs = [p.read_text() for p in outputs]
    assert codes == [0] * WORKERS, logs
    reminders = [s for s in subjects if "Terminerinnerung" in s]
    assert len(reminders) == 1, subjects
    assert ["erika@example.org"] in recipients
    # One claim wrote one send job per channel (the SMS one finds SMS off and does nothing).
    sends = await _jobs(sessions, REMINDER_JOB)
    assert sorted(str(j.payload["channel"]) for j in sends) == ["email", "sms"]
    assert all(j.state is JobState.SUCCEEDED for j in sends)
    assert await _count(sessions, ReminderClaim) == 1
    async with sessions() as session:
        delivered = (
            await session.execute(
                select(MessageDelivery.channel).where(MessageDelivery.kind == "reminder")
            )
        ).scalars()
        assert list(delivered) == ["email"]
    # Exactly one worker's scan won the claim; every worker was up and scanning.
    assert sum(log.count("reminders claimed") for log in logs) == 1, logs
    ran_scans = sum(log.count(SCAN_JOB) for log in logs)
    assert ran_scans >= SCANS, logs
