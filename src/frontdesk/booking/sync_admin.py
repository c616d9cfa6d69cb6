"""Sync health (issue 14, item 6): what a person sees and decides when the outside calendar
and ours disagree — the appointments not in step (pending, failed, conflicting) with their
history, the last reconciliation of each branch, the tenant's dead jobs — and the decisions:

- **retry**: push our appointment to the calendar again (``pending_sync`` and a sync job due
  now: the saga of booking/sync.py does the rest);
- **accept the calendar's version**: ours leaves our schedule without telling the calendar
  (cancelled here, ``synced``); what the calendar has stays, and the next reconciliation takes
  its bookings in (ADR 0017);
- **cancel ours**: the cancel use case, which also cancels it in the calendar;
- **retry a dead job**: the same as ``frontdesk jobs retry``, for this tenant's jobs only.

Every decision is audited (``sync.*``) with the person's actor id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from frontdesk.booking import sync
from frontdesk.booking.cancel import cancel
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import audit, jobs
from frontdesk.db.repositories import sync_admin as rows
from frontdesk.db.tables import Appointment, Branch, ReconciliationRun
from frontdesk.domain.errors import AppointmentNotFound, NotFound
from frontdesk.domain.model import AppointmentStatus, SyncState

SHOWN = 100  # appointments and dead jobs listed at most (the page says when there are more)
ACCEPTED_REASON = "Kalender hat Vorrang (Sync)"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    action: str
    actor: str


@dataclass(frozen=True, slots=True)
class UnsyncedAppointment:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    customer: str
    service: str
    staff: str
    status: str
    sync_state: str
    sync_error: str | None
    external_uid: str | None
    last_synced_at: datetime | None
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    branch: str
    timezone: str
    started_at: datetime
    window: tuple[datetime, datetime]
    counts: dict[str, int]
    items: tuple[dict[str, Any], ...]
    error: str | None


@dataclass(frozen=True, slots=True)
class DeadJob:
    id: int
    kind: str
    attempts: int
    last_error: str | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class SyncHealth:
    appointments: tuple[UnsyncedAppointment, ...]
    reports: tuple[ReconciliationReport, ...]
    dead_jobs: tuple[DeadJob, ...]


async def sync_health(uow: UnitOfWork, tenant_id: uuid.UUID) -> SyncHealth:
    async with uow.reading() as session:
        found = await rows.unsynced(session, tenant_id, SHOWN)
        ids = [r.appointment.id for r in found]
        history = await rows.appointment_history(session, tenant_id, ids)
        runs = await rows.last_runs(session, tenant_id)
        dead = await rows.dead_jobs(session, tenant_id, SHOWN)
    by_id: dict[str, list[HistoryEntry]] = {}
    for entry in history:
        by_id.setdefault(entry.entity_id or "", []).append(
            HistoryEntry(entry.created_at, entry.action, entry.actor)
        )
    return SyncHealth(
        tuple(_unsynced(r, by_id.get(str(r.appointment.id), [])) for r in found),
        tuple(_report(branch, run) for branch, run in runs),
        tuple(DeadJob(j.id, j.kind, j.attempts, j.last_error, j.finished_at) for j in dead),
    )


async def retry_sync(
    uow: UnitOfWork, tenant_id: uuid.UUID, appointment_id: uuid.UUID, actor: str
) -> None:
    """Push the appointment to the calendar again, now."""
    async with uow.writing() as session:
        row = await _unsynced_row(uow, session, tenant_id, appointment_id)
        await sync.request_sync(session, row, uow.clock(), delay=timedelta(0))
        await _audit(uow, session, tenant_id, actor, "sync.retry", row)
        await uow.commit(session)


async def accept_calendar(
    uow: UnitOfWork, tenant_id: uuid.UUID, appointment_id: uuid.UUID, actor: str
) -> None:
    """The calendar's version wins: ours is cancelled here only (nothing is sent)."""
    async with uow.writing() as session:
        row, catalog, _ = await uow.load_for_change(session, tenant_id, appointment_id)
        _check_unsynced(row, appointment_id)
        if row.status not in (AppointmentStatus.CANCELLED, AppointmentStatus.COMPLETED):
            row.status = AppointmentStatus.CANCELLED
            row.cancelled_at = uow.clock()
            row.cancellation_reason = ACCEPTED_REASON
        row.sync_state = SyncState.SYNCED
        row.sync_error = None
        await uow.flush(session)
        await uow.touch(session, catalog, (row.starts_at, row.ends_at), provider_changed=False)
        await _audit(uow, session, tenant_id, actor, "sync.accept_calendar", row)
        await uow.commit(session)


async def cancel_ours(
    uow: UnitOfWork, tenant_id: uuid.UUID, appointment_id: uuid.UUID, actor: str
) -> None:
    """Cancel our appointment here and in the calendar (the cancel use case; no fee)."""
    async with uow.reading() as session:
        await _unsynced_row(uow, session, tenant_id, appointment_id)
    await cancel(uow, tenant_id, appointment_id, reason="Storniert (Sync)", accept_fee=True)
    async with uow.writing() as session:
        row = await _unsynced_row(uow, session, tenant_id, appointment_id, any_state=True)
        await _audit(uow, session, tenant_id, actor, "sync.cancel_ours", row)
        await uow.commit(session)


async def retry_dead_job(uow: UnitOfWork, tenant_id: uuid.UUID, job_id: int, actor: str) -> None:
    """Queue the tenant's dead job again, due now, its attempts reset (``jobs retry``)."""
    async with uow.writing() as session:
        job = await rows.dead_job(session, tenant_id, job_id)
        if job is None or not await jobs.retry_dead(session, job.id, uow.clock()):
            raise NotFound(f"no dead job {job_id}")
        await audit.record_once(
            session, entry_id=uuid.uuid4(), tenant_id=tenant_id, actor=actor,
            action="sync.retry_job", entity_type="job", entity_id=str(job_id),
            data={"kind": job.kind}, at=uow.clock(),
        )  # fmt: skip
        await uow.commit(session)


async def _unsynced_row(
    uow: UnitOfWork,
    session: DbSession,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    *,
    any_state: bool = False,
) -> Appointment:
    row, _, _ = await uow.load_for_change(session, tenant_id, appointment_id)
    if not any_state:
        _check_unsynced(row, appointment_id)
    return row


def _check_unsynced(row: Appointment, appointment_id: uuid.UUID) -> None:
    """Only appointments the page lists can be decided on (a second click finds nothing)."""
    if row.sync_state not in rows.UNSYNCED:
        raise AppointmentNotFound(f"appointment {appointment_id} is in sync")


async def _audit(
    uow: UnitOfWork, session: DbSession, tenant_id: uuid.UUID, actor: str, action: str,
    row: Appointment,
) -> None:  # fmt: skip
    await audit.record_once(
        session, entry_id=uuid.uuid4(), tenant_id=tenant_id, actor=actor, action=action,
        entity_type="appointment", entity_id=str(row.id),
        data={"sync_state": row.sync_state.value, "status": row.status.value}, at=uow.clock(),
    )  # fmt: skip


def _unsynced(found: rows.UnsyncedRow, history: list[HistoryEntry]) -> UnsyncedAppointment:
    a = found.appointment
    return UnsyncedAppointment(
        a.id, a.starts_at, a.ends_at, found.customer, found.service, found.staff,
        a.status.value, a.sync_state.value, a.sync_error, a.external_uid, a.last_synced_at,
        tuple(history),
    )  # fmt: skip


def _report(branch: Branch, run: ReconciliationRun) -> ReconciliationReport:
    return ReconciliationReport(
        branch.name, branch.timezone, run.started_at, (run.window_start, run.window_end),
        {str(k): int(v) for k, v in (run.counts or {}).items()},
        tuple(dict(i) for i in (run.items or [])), run.error,
    )  # fmt: skip
