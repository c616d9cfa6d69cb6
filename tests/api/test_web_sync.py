"""The sync health page through the ASGI app (issue 14, item 6): appointments not in step with
the outside calendar and the decisions on them, the last reconciliation, dead jobs with retry;
staff kept out, CSRF, another tenant's ids.

The branch is put on Cal.com directly in the database (no provider is reachable in these
tests, so the decisions' sync jobs stay queued — which is what the tests look at)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY
from tests.clock_support import NOW, at
from tests.rest_support import ANNA, booking
from tests.settings_support import BRANCH, TENANT
from tests.web_support import OTHER_OWNER, STAFF, WebApp, web_app

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import Appointment, AuditLog, Branch, Job, ReconciliationRun
from frontdesk.domain.clock import system_clock
from frontdesk.domain.model import AppointmentStatus, CalendarProvider, JobState, SyncState

API = {"Authorization": f"Bearer {DEMO_KEY}"}


@pytest.fixture
async def owner(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db):
        assert (await app.sign_in()).status_code == 303
        yield app


async def conflict(web: WebApp, db: AsyncEngine, hour: int, name: str) -> uuid.UUID:
    """An appointment the calendar disagrees with."""
    body = booking(at(2, hour), staff_id=ANNA)
    body["customer"] = {"name": name, "phone": "+4915112345678"}
    response = await web.client.post("/api/v1/appointments", json=body, headers=API)
    assert response.status_code == 201, response.text
    appointment_id = uuid.UUID(response.json()["id"])
    async with create_session_factory(db, system_clock)() as session:
        await session.execute(
            update(Appointment)
            .where(Appointment.id == appointment_id)
            .values(
                sync_state=SyncState.CONFLICT,
                sync_error="Cal.com booking uid-7 clashes",
                external_uid=f"uid-{hour}",
            )
        )
        await session.commit()
    return appointment_id


async def on_calcom(db: AsyncEngine) -> None:
    async with create_session_factory(db, system_clock)() as session:
        await session.execute(
            # As connecting does: the new provider and a new catalogue version (caches).
            update(Branch)
            .where(Branch.id == BRANCH)
            .values(
                calendar_provider=CalendarProvider.CALCOM,
                calendar_version=Branch.calendar_version + 1,
            )
        )
        session.add(
            ReconciliationRun(
                tenant_id=TENANT, branch_id=BRANCH, started_at=NOW - timedelta(minutes=20),
                finished_at=NOW - timedelta(minutes=19), window_start=NOW,
                window_end=NOW + timedelta(days=14), counts={"missing_here": 1},
                items=[{"class": "missing_here", "appointment_id": None, "uid": "uid-99",
                        "fix": "imported", "note": "made in Cal.com"}],
            )
        )  # fmt: skip
        session.add(
            Job(tenant_id=TENANT, kind="calendar.sync", payload={}, state=JobState.DEAD,
                attempts=8, run_after=NOW, last_error="Cal.com refused the key (401)")
        )  # fmt: skip
        await session.commit()


async def one(db: AsyncEngine, table: type, *where: object) -> object:
    async with create_session_factory(db, system_clock)() as session:
        return (await session.execute(select(table).where(*where))).scalar_one()


async def all_of(db: AsyncEngine, table: type, *where: object) -> list[object]:
    async with create_session_factory(db, system_clock)() as session:
        return list((await session.execute(select(table).where(*where))).scalars())


async def post(web: WebApp, path: str) -> int:
    token = await web.csrf_of("/admin/sync")
    return (await web.client.post(path, data={"csrf_token": token})).status_code


async def test_the_page_shows_conflicts_the_last_report_and_dead_jobs(
    owner: WebApp, db: AsyncEngine
) -> None:
    schedule = await owner.client.get("/admin/schedule")
    assert 'href="/admin/sync"' not in schedule.text  # no outside calendar: not in the menu
    appointment_id = await conflict(owner, db, 10, "Erika Konflikt")
    await on_calcom(db)
    page = await owner.client.get("/admin/sync")
    assert page.status_code == 200
    assert 'href="/admin/sync"' in page.text
    assert f'data-appointment-id="{appointment_id}"' in page.text
    assert "Erika Konflikt" in page.text
    assert "Konflikt mit dem Kalender" in page.text
    assert "Cal.com booking uid-7 clashes" in page.text
    assert "02.12.2026 10:00–10:30" in page.text  # in the branch's zone
    assert "missing_here" in page.text
    assert "uid-99" in page.text
    assert "Cal.com refused the key (401)" in page.text


async def test_retry_accept_and_cancel(owner: WebApp, db: AsyncEngine) -> None:
    retried = await conflict(owner, db, 10, "Erika Erneut")
    accepted = await conflict(owner, db, 11, "Paul Kalender")
    cancelled = await conflict(owner, db, 12, "Lena Storno")
    await on_calcom(db)
    assert await post(owner, f"/admin/sync/appointments/{retried}/retry") == 303
    row = await one(db, Appointment, Appointment.id == retried)
    assert row.sync_state is SyncState.PENDING_SYNC  # type: ignore[attr-defined]
    jobs = await all_of(db, Job, Job.kind == "calendar.sync", Job.state == JobState.QUEUED)
    assert any(j.payload.get("appointment_id") == str(retried) for j in jobs)  # type: ignore[attr-defined]
    assert await post(owner, f"/admin/sync/appointments/{accepted}/accept") == 303
    row = await one(db, Appointment, Appointment.id == accepted)
    assert row.status is AppointmentStatus.CANCELLED  # type: ignore[attr-defined]
    assert row.sync_state is SyncState.SYNCED  # type: ignore[attr-defined]
    assert await post(owner, f"/admin/sync/appointments/{accepted}/accept") == 404  # decided
    assert await post(owner, f"/admin/sync/appointments/{cancelled}/cancel") == 303
    row = await one(db, Appointment, Appointment.id == cancelled)
    assert row.status is AppointmentStatus.CANCELLED  # type: ignore[attr-defined]
    assert row.sync_state is SyncState.PENDING_SYNC  # type: ignore[attr-defined]  # cancel in Cal.com
    actions = {a.action for a in await all_of(db, AuditLog, AuditLog.actor.startswith("user:"))}  # type: ignore[attr-defined]
    assert {"sync.retry", "sync.accept_calendar", "sync.cancel_ours"} <= actions
    page = await owner.client.get("/admin/sync")
    assert "· sync.retry · user:" in page.text  # the decision in the appointment's history
    assert "Paul Kalender" not in page.text
    assert "Lena Storno" in page.text  # still to be cancelled in Cal.com
    assert await post(owner, f"/admin/sync/appointments/{retried}/rewrite") == 404


async def test_a_dead_job_is_queued_again(owner: WebApp, db: AsyncEngine) -> None:
    await on_calcom(db)
    job = await one(db, Job, Job.state == JobState.DEAD)
    assert await post(owner, f"/admin/sync/jobs/{job.id}/retry") == 303  # type: ignore[attr-defined]
    again = await one(db, Job, Job.id == job.id)  # type: ignore[attr-defined]
    assert again.state is JobState.QUEUED  # type: ignore[attr-defined]
    assert again.attempts == 0  # type: ignore[attr-defined]
    assert await post(owner, f"/admin/sync/jobs/{job.id}/retry") == 404  # type: ignore[attr-defined]
    assert "Keine aufgegebenen Aufträge." in (await owner.client.get("/admin/sync")).text


async def test_staff_csrf_and_another_tenant(db: AsyncEngine) -> None:
    async for web in web_app(db):
        appointment_id = await conflict(web, db, 10, "Erika Konflikt")
        await on_calcom(db)
        job = await one(db, Job, Job.state == JobState.DEAD)
        actions = [
            f"/admin/sync/appointments/{appointment_id}/{a}" for a in ("retry", "accept", "cancel")
        ]
        actions.append(f"/admin/sync/jobs/{job.id}/retry")  # type: ignore[attr-defined]
        assert (await web.sign_in(STAFF)).status_code == 303
        assert (await web.client.get("/admin/sync")).status_code == 403
        token = await web.csrf_of("/admin/schedule")
        for path in actions:
            assert (await web.client.post(path, data={"csrf_token": token})).status_code == 403
        await web.client.post("/admin/logout", data={"csrf_token": token})
        assert (await web.sign_in(OTHER_OWNER)).status_code == 303
        assert "Erika Konflikt" not in (await web.client.get("/admin/sync")).text
        for path in actions:
            assert await post(web, path) == 404, path
            assert (await web.client.post(path, data={})).status_code == 403  # no token
    row = await one(db, Appointment, Appointment.id == appointment_id)
    assert row.sync_state is SyncState.CONFLICT  # type: ignore[attr-defined]
    assert (await one(db, Job, Job.id == job.id)).state is JobState.DEAD  # type: ignore[attr-defined]
