"""Clashes between a Cal.com booking and our appointments (ADR 0015, the conflict rule).

When the database's no-overlap rule refuses a booking (or a move) that Cal.com already made,
nothing is cancelled and nothing is chosen: the appointments the booking's time hits become
``conflict`` with a note naming the Cal.com uid, for a person to decide; the note is how a
later cancel of that Cal.com booking finds them again and lifts the conflict.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from frontdesk.booking.catalog import BranchCatalog
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.calcom.webhook import BookingFacts
from frontdesk.db.engine import DbSession
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import inbox as inbox_rows
from frontdesk.db.repositories import providers as provider_rows
from frontdesk.db.tables import Appointment
from frontdesk.domain.model import InboxStatus, SyncState
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)


class Clash(Exception):
    """The no-overlap rule refused the booking's time for ``staff_id``."""

    def __init__(
        self, staff_id: uuid.UUID, catalog: BranchCatalog, moved: uuid.UUID | None
    ) -> None:
        super().__init__("the provider's booking clashes here")
        self.staff_id, self.catalog, self.moved = staff_id, catalog, moved


async def flush_or_clash(
    uow: UnitOfWork,
    session: DbSession,
    staff_id: uuid.UUID,
    catalog: BranchCatalog,
    moved: uuid.UUID | None,
) -> None:
    """Flush the session's writes; the no-overlap rule's refusal becomes ``Clash``."""
    try:
        await uow.flush(session)
    except WriteRefused as refused:
        if refused.kind != "overlap":
            raise
        raise Clash(staff_id, catalog, moved) from refused


def note_for(uid: str) -> str:
    """How a clash names the Cal.com booking in ``sync_error`` (found again by its cancel)."""
    return f"Cal.com booking {uid}"


async def gone(session: DbSession, tenant_id: uuid.UUID, uid: str) -> None:
    """The Cal.com booking a clash was recorded for is cancelled: the appointments it hit are
    in sync again (those we still owe a change stay ``pending_sync``)."""
    for row in await inbox_rows.clashing_with(session, tenant_id, note_for(uid) + " at "):
        if row.sync_state is SyncState.CONFLICT:
            row.sync_state = SyncState.SYNCED
        row.sync_error = None


async def record(
    uow: UnitOfWork,
    inbox_id: uuid.UUID | None,
    tenant_id: uuid.UUID,
    facts: BookingFacts,
    clash: Clash,
) -> None:
    """Record the clash where the business sees it: every appointment the booking's time hits
    (and the moved one) is ``conflict`` with the Cal.com uid; nothing is cancelled. Without an
    ``inbox_id`` (the reconciliation found the booking) no inbox row is finished."""
    now = uow.clock()
    note = f"{note_for(facts.uid)} at {facts.start.isoformat()} clashes with this appointment"
    async with uow.writing() as session:
        row = None if inbox_id is None else await inbox_rows.get(session, inbox_id)
        if inbox_id is not None and (row is None or row.status is not InboxStatus.RECEIVED):
            return
        hit = list(await inbox_rows.overlapping(session, clash.staff_id, facts.start, facts.end))
        for appointment in hit:
            _mark(appointment, note)
        if clash.moved is not None:
            await _moved_into(session, tenant_id, clash.moved, facts, now)
        await uow.touch(session, clash.catalog, (facts.start, facts.end))
        if row is not None:
            inbox_rows.finish(row, InboxStatus.PROCESSED, now, f"conflict: {note}")
        await uow.commit(session)
    log.warning(
        "calcom_booking_conflict",
        tenant_id=str(tenant_id),
        uid=facts.uid,
        appointments=[str(a.id) for a in hit],
    )


def _mark(row: Appointment, note: str) -> None:
    """``conflict`` with the note; a row we still owe Cal.com a change of keeps
    ``pending_sync`` (the saga skips other states, so the change would never be written; Cal.com
    refusing it makes it a conflict there) and gets the note only."""
    if row.sync_state is not SyncState.PENDING_SYNC:
        row.sync_state = SyncState.CONFLICT
    row.sync_error = note


async def _moved_into(
    session: DbSession,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    facts: BookingFacts,
    now: datetime,
) -> None:
    """The appointment keeps its old time (a person decides) but takes the new uid, so later
    events about the booking find it."""
    row = await appointment_rows.get(session, tenant_id, appointment_id)
    if row is None:
        return
    row.sync_state = SyncState.CONFLICT
    row.sync_error = (
        f"moved on Cal.com to {facts.start.isoformat()} (uid {facts.uid}), which clashes here"
    )
    row.external_uid = facts.uid
    await provider_rows.record_uid(session, tenant_id, row.id, facts.uid, now, facts.previous_uid)
