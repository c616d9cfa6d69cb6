"""The booking saga: an appointment on an outside calendar (Cal.com) is written here first,
then to the provider, and converges whatever fails in between.

Every change of such an appointment commits with ``sync_state = pending_sync`` and an outbox
job (``calendar.sync``) in the same transaction; the request that made the change may try the
provider at once within its deadline (``inline``), and the job finishes what that could not.
``synchronise`` makes the provider match the row — the desired state is the row itself, so a
job that runs twice, late or after a crash does the right thing:

- active, no provider uid → look our id up first (a create that timed out may have happened;
  Cal.com has no idempotency key), then create; the host Cal.com assigned is mapped back;
- active with a uid, pending → the row was moved: look up, then reschedule (a new uid; the
  chain is kept in ``appointment_external_uid``);
- cancelled with a uid → cancel (repeating is harmless); without one → cancel what a look-up
  finds.

A refusal of the time by the provider is ``conflict`` for a person to decide (the local row
keeps its place); a bad key or a rejected request is ``sync_failed``; an outage leaves
``pending_sync`` and the job retries. Nothing is silently dropped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from frontdesk.booking.catalog import BranchCatalog
from frontdesk.booking.reconcile_diff import active_there
from frontdesk.booking.unit_of_work import UnitOfWork, booked_event
from frontdesk.booking.views import AppointmentView
from frontdesk.calendars.errors import (
    CalendarError,
    CalendarNotFound,
    CalendarUnavailable,
    SlotTaken,
)
from frontdesk.calendars.port import Attendee, BookingRequest, CalendarPort, ExternalBooking
from frontdesk.db.engine import DbSession
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import providers as provider_rows
from frontdesk.db.repositories.providers import SyncSubject
from frontdesk.db.tables import Appointment
from frontdesk.domain.model import ACTIVE_STATUSES, AppointmentStatus, SyncState
from frontdesk.jobs.queue import enqueue
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import CALENDAR_SYNC
from frontdesk.resilience.deadline import Deadline

SYNC_JOB = "calendar.sync"
# The job written with a change waits this long, so the change's own request (which tries the
# provider at once, within at most this budget) never races it.
INLINE_BUDGET = timedelta(seconds=8)
JOB_DELAY = timedelta(seconds=20)
# Kept back from a caller's deadline: the provider call ends this long before it (room for
# recording its answer), and the caller stops waiting ANSWER_MARGIN_S before it (room to
# answer). What is not recorded by then is finished in the background; the caller hears
# "noted" — never the timeout apology for a booking that exists (seen in the Cal.com bench).
PROVIDER_MARGIN_S = 0.6
ANSWER_MARGIN_S = 0.15
# What a provider call may take when no caller is waiting (the job).
BACKGROUND_BUDGET_S = 15.0
# Why a refused time is retried instead of becoming a conflict (see ``_own_changes_pending``).
OWN_CHANGES_PENDING = "own_changes_pending"
# Bookings starting this long before a refused time are listed to find what holds it.
HOLDER_MARGIN = timedelta(hours=12)
# A run's claim on its appointment outlasts its deadline by this much (recording the answer).
CLAIM_MARGIN_S = 10.0

log = get_logger(__name__)


class Outcome(StrEnum):
    SYNCED = "synced"
    PENDING = "pending"
    # Another run holds the appointment's claim: try again after it (nothing was sent).
    BUSY = "busy"
    TAKEN = "taken"
    CONFLICT = "conflict"
    FAILED = "failed"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    error: CalendarError | None = None
    # The appointment as adopted (synced or conflict), so the caller needs no second read.
    view: AppointmentView | None = None


async def request_sync(
    session: DbSession, row: Appointment, now: datetime, *, delay: timedelta = JOB_DELAY
) -> None:
    """Mark ``row`` for the provider and write the job that makes sure it gets there, in the
    change's own transaction (the outbox)."""
    row.sync_state = SyncState.PENDING_SYNC
    await enqueue(
        session,
        SYNC_JOB,
        {"tenant_id": str(row.tenant_id), "appointment_id": str(row.id)},
        tenant_id=row.tenant_id,
        run_after=now + delay,
    )


async def synchronise(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    *,
    deadline: Deadline,
    inline: bool = False,
) -> Result:
    """Make the provider match the appointment (see the module docstring). ``inline``: the
    first attempt of a new booking by the request that made it — no look-up is needed, and a
    refused time releases the row (the caller hears alternatives) instead of a conflict."""
    async with uow.reading() as session:
        subject = await provider_rows.sync_subject(session, tenant_id, appointment_id)
        link = None
        if subject is not None:
            link = await provider_rows.link_of_branch(session, subject.appointment.branch_id)
    if subject is None or link is None or uow.calendars is None:
        return Result(Outcome.NOTHING)
    row = subject.appointment
    if row.sync_state not in (SyncState.PENDING_SYNC, SyncState.SYNC_FAILED):
        return Result(Outcome.NOTHING)
    until = await _claim(uow, row, deadline)
    if until is None:
        CALENDAR_SYNC.labels(outcome=Outcome.BUSY.value).inc()
        return Result(Outcome.BUSY)
    try:
        result = await _run(uow, uow.calendars.port(link), subject, deadline, inline)
    finally:
        await _release_claim(uow, row, until)
    CALENDAR_SYNC.labels(outcome=result.outcome.value).inc()
    return result


async def _run(
    uow: UnitOfWork, port: CalendarPort, subject: SyncSubject, deadline: Deadline, inline: bool
) -> Result:
    row = subject.appointment
    try:
        found = await _apply(port, subject, deadline, inline)
    except SlotTaken as exc:
        if inline and row.external_uid is None:
            await _release(uow, row)
            return Result(Outcome.TAKEN, exc)
        if await _own_changes_pending(uow, port, subject, deadline):
            # The time may still be held there by one of our own bookings of that host that
            # was cancelled or moved here and is not yet changed there: not a clash yet.
            waiting = CalendarUnavailable(
                f"provider refused the time while our own changes are pending: {exc.message}",
                reason=OWN_CHANGES_PENDING,
                maybe_applied=False,
            )
            await _note(uow, row, waiting)
            return Result(Outcome.PENDING, waiting)
        await _mark(uow, row, SyncState.CONFLICT, f"provider refused the time: {exc.message}")
        return Result(Outcome.CONFLICT, exc)
    except CalendarUnavailable as exc:
        await _note(uow, row, exc)
        return Result(Outcome.PENDING, exc)
    except CalendarError as exc:
        state = SyncState.CONFLICT if isinstance(exc, CalendarNotFound) else SyncState.SYNC_FAILED
        await _mark(uow, row, state, exc.message)
        return Result(Outcome.FAILED if state is SyncState.SYNC_FAILED else Outcome.CONFLICT, exc)
    return await _adopt(uow, row, found)


async def _own_changes_pending(
    uow: UnitOfWork, port: CalendarPort, subject: SyncSubject, deadline: Deadline
) -> bool:
    """Whether the refused time is held at the provider by one of our own bookings whose
    appointment still owes it a change (cancelled or moved here, not yet there). A booking made
    on Cal.com, or ours as it stands, is a true clash. When the provider cannot be listed now,
    the refusal is retried too (a conflict is for certain clashes only)."""
    row = subject.appointment
    try:
        listed = await port.list_bookings(
            row.starts_at - HOLDER_MARGIN, row.ends_at, deadline=deadline
        )
    except CalendarError:
        return True
    holders = {
        b.appointment_id
        for b in listed
        if b.appointment_id is not None
        and b.appointment_id != row.id
        and active_there(b)
        and (subject.host is None or subject.host in b.hosts)
        and b.start < row.ends_at
        and b.end > row.starts_at
    }
    if not holders:
        return False
    async with uow.reading() as session:
        return await provider_rows.any_pending(session, row.tenant_id, holders)


async def _claim(uow: UnitOfWork, row: Appointment, deadline: Deadline) -> datetime | None:
    """Claim the appointment for this run, or None while another run holds it. Two runs for
    one appointment (the jobs of a booking and of its reschedule, two workers, a request's
    inline attempt) would otherwise both create it: Cal.com refuses the second as a taken
    time (a false conflict) or, with another free host, books it twice. The claim lasts as
    long as this run may talk to the provider, so a crashed run's claim simply expires."""
    now = uow.clock()
    until = now + timedelta(seconds=max(deadline.remaining(), 0.0) + CLAIM_MARGIN_S)
    async with uow.writing() as session:
        claimed = await provider_rows.claim_sync(session, row.tenant_id, row.id, now, until)
        await uow.commit(session)
    return until if claimed else None


async def _release_claim(uow: UnitOfWork, row: Appointment, until: datetime) -> None:
    async with uow.writing() as session:
        await provider_rows.release_sync(session, row.tenant_id, row.id, until)
        await uow.commit(session)


async def _apply(
    port: CalendarPort, subject: SyncSubject, deadline: Deadline, inline: bool
) -> ExternalBooking | None:
    """The provider call(s) for the row's state; the booking it now holds (None: none)."""
    row = subject.appointment
    event_type = subject.event_type
    if event_type is None:
        raise CalendarNotFound("the service is not linked to a provider event type")
    active = row.status in ACTIVE_STATUSES
    if active and row.external_uid is None:
        if inline:
            return await port.create(_request(subject, event_type), deadline=deadline)
        found = await port.find(
            row.id, event_type=event_type, around=row.starts_at, deadline=deadline
        )
        if found is not None and found.status != "cancelled":
            # A create whose answer was lost, made before the row was moved: move it too
            # (adopting it as it is would record a booking at the old time as synced).
            return await _moved_to_row(port, subject, found, deadline)
        try:
            return await port.create(_request(subject, event_type), deadline=deadline)
        except SlotTaken:
            # The time may be held by our own earlier create (its answer lost, and not yet
            # listed when we looked): then it is ours, not a clash.
            found = await port.find(
                row.id, event_type=event_type, around=row.starts_at, deadline=deadline
            )
            if found is not None and found.status != "cancelled":
                return await _moved_to_row(port, subject, found, deadline)
            raise
    if active and row.external_uid is not None:
        found = await port.find(
            row.id, event_type=event_type, around=row.starts_at, deadline=deadline
        )
        if found is not None and found.status != "cancelled" and found.start == row.starts_at:
            return found
        return await port.reschedule(
            row.external_uid, row.starts_at, host=subject.host, deadline=deadline
        )
    uid = row.external_uid
    if uid is None:
        found = await port.find(
            row.id, event_type=event_type, around=row.starts_at, deadline=deadline
        )
        if found is None or found.status == "cancelled":
            return None
        uid = found.uid
    return await port.cancel(uid, reason=row.cancellation_reason, deadline=deadline)


async def _moved_to_row(
    port: CalendarPort, subject: SyncSubject, found: ExternalBooking, deadline: Deadline
) -> ExternalBooking:
    """``found`` (our booking at the provider) at the row's time: as it is, or rescheduled."""
    row = subject.appointment
    if found.start == row.starts_at and found.end == row.ends_at:
        return found
    return await port.reschedule(found.uid, row.starts_at, host=subject.host, deadline=deadline)


def _request(subject: SyncSubject, event_type: str) -> BookingRequest:
    row = subject.appointment
    return BookingRequest(
        appointment_id=row.id,
        event_type=event_type,
        start=row.starts_at,
        duration_minutes=int((row.ends_at - row.starts_at).total_seconds() // 60),
        attendee=Attendee(
            name=subject.customer_name,
            time_zone=subject.timezone,
            email=subject.customer_email,
            phone=subject.customer_phone,
            language=subject.locale.split("-")[0],
        ),
        host=subject.host,
        call_id=None if row.call_id is None else str(row.call_id),
        source=str(row.source),
    )


async def _adopt(uow: UnitOfWork, seen: Appointment, found: ExternalBooking | None) -> Result:
    """Record what the provider now holds: synced, confirmed, its uid and host."""
    now = uow.clock()
    async with uow.writing() as session:
        row, catalog = await _load(uow, session, seen)
        if row is None or catalog is None or row.version != seen.version:
            # Changed meanwhile: that change wrote its own job, which will look again.
            return Result(Outcome.NOTHING)
        if found is not None and found.uid != row.external_uid:
            await provider_rows.record_uid(
                session, row.tenant_id, row.id, found.uid, now, replaces=row.external_uid
            )
            row.external_uid = found.uid
        moved = await _host_moved(session, row, found)
        if row.status is AppointmentStatus.PENDING:
            row.status = AppointmentStatus.CONFIRMED
            await uow.publish(session, booked_event(row))
        row.sync_state = SyncState.CONFLICT if moved == "unmapped" else SyncState.SYNCED
        row.sync_error = "provider assigned an unlinked host" if moved == "unmapped" else None
        row.last_synced_at = now
        try:
            await uow.flush(session)
            # Only the hosts involved had their time change at the provider.
            involved = {seen.staff_id, row.staff_id}
            await uow.touch(session, catalog, (row.starts_at, row.ends_at), staff=involved)
            await uow.commit(session)
        except WriteRefused as refused:
            if refused.kind == "stale":
                return Result(Outcome.NOTHING)
            # The host Cal.com chose is busy here (our own booking): a person must decide.
            await _mark(uow, seen, SyncState.CONFLICT, f"provider booking clashes here: {refused}")
            return Result(Outcome.CONFLICT)
    outcome = Outcome.CONFLICT if moved == "unmapped" else Outcome.SYNCED
    return Result(outcome, view=AppointmentView.of(row))


async def _host_moved(
    session: DbSession, row: Appointment, found: ExternalBooking | None
) -> str | None:
    """Follow the host the provider assigned (a round-robin team may pick another than we
    asked for); ``unmapped`` when that host is not one of our linked staff."""
    if found is None or not found.hosts or row.status not in ACTIVE_STATUSES:
        return None
    staff_id = await provider_rows.staff_of_host(session, row.branch_id, found.hosts[0])
    if staff_id is None:
        return "unmapped"
    if staff_id != row.staff_id:
        log.info("calendar_host_reassigned", appointment_id=str(row.id))
        row.staff_id = staff_id
        return "moved"
    return None


async def _release(uow: UnitOfWork, seen: Appointment) -> None:
    """The provider refused a new booking at once: it never existed; free the time here."""
    async with uow.writing() as session:
        row, catalog = await _load(uow, session, seen)
        if row is None or catalog is None or row.external_uid is not None:
            return
        await appointment_rows.delete(session, row)
        await uow.touch(session, catalog, (row.starts_at, row.ends_at))
        await uow.commit(session)


async def _mark(uow: UnitOfWork, seen: Appointment, state: SyncState, error: str) -> None:
    log.warning("calendar_sync_refused", appointment_id=str(seen.id), state=str(state), error=error)
    async with uow.writing() as session:
        row = await appointment_rows.get(session, seen.tenant_id, seen.id)
        if row is None or row.version != seen.version:
            return
        row.sync_state = state
        row.sync_error = error[:500]
        try:
            await uow.commit(session)
        except WriteRefused:
            return


async def _note(uow: UnitOfWork, seen: Appointment, exc: CalendarUnavailable) -> None:
    """An outage: the row stays ``pending_sync``; keep the reason for the business to see."""
    async with uow.writing() as session:
        row = await appointment_rows.get(session, seen.tenant_id, seen.id)
        if row is None or row.version != seen.version or row.sync_error == exc.reason:
            return
        row.sync_error = exc.reason
        try:
            await uow.commit(session)
        except WriteRefused:
            return


async def _load(
    uow: UnitOfWork, session: DbSession, seen: Appointment
) -> tuple[Appointment | None, BranchCatalog | None]:
    found = await appointment_rows.get_with_branch(session, seen.tenant_id, seen.id)
    if found is None:
        return None, None
    row, ref = found
    return row, await uow.catalog(session, ref)
