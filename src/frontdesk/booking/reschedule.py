"""Reschedule: move an appointment atomically, or ``SlotUnavailable`` and nothing changes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from frontdesk.booking import sync
from frontdesk.booking.unit_of_work import UnitOfWork, check_changeable, check_staff
from frontdesk.booking.views import AppointmentView
from frontdesk.db.errors import WriteRefused
from frontdesk.db.tables import Appointment
from frontdesk.domain import rules
from frontdesk.domain.errors import ConcurrentUpdate
from frontdesk.domain.events import AppointmentRescheduled


async def reschedule(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    new_start: datetime,
    staff_id: uuid.UUID | None = None,
    expected_version: int | None = None,
    actor: str | None = None,
) -> AppointmentView:
    """Move to ``new_start`` (with ``staff_id``, else the same staff member when free, else
    anyone who offers the service); ``actor`` names who asked in the audit trail."""
    start = rules.bookable_start(new_start)
    now = uow.clock()
    async with uow.writing() as session:
        row, catalog, service = await uow.load_for_change(session, tenant_id, appointment_id)
        check_changeable(row, now, expected_version)
        check_staff(catalog, staff_id)
        busy = [
            b for b in await uow.busy_on_day(session, catalog, service, start) if b.id != row.id
        ]
        check = await uow.check_start(
            session, catalog, service, start, busy, staff_id or row.staff_id
        )
        if check.slot is None and staff_id is None:
            # The current staff member is busy then; anyone who offers the service will do.
            check = await uow.check_start(session, catalog, service, start, busy, None)
        if check.slot is None:
            raise await uow.unavailable(
                session, catalog, service, start, check, None, exclude=row.id
            )
        previous = row.starts_at
        old_span = (row.starts_at, row.ends_at)
        row.starts_at, row.ends_at = check.slot.start, check.slot.end
        row.staff_id = check.slot.staff_id
        try:
            await uow.flush(session)
            await uow.publish(session, _rescheduled(row, previous, actor))
            if catalog.external:
                await sync.request_sync(session, row, now, delay=timedelta(0))
            await uow.touch(
                session, catalog, old_span, (row.starts_at, row.ends_at), provider_changed=False
            )
            await uow.commit(session)
        except WriteRefused as refused:
            if refused.kind == "stale":
                raise ConcurrentUpdate("the appointment was changed meanwhile") from refused
            if refused.kind != "overlap":
                raise
            # Not ``row.id``: the refusal rolled the session back and expired the row, and
            # reading it again here would be I/O outside the async session (MissingGreenlet).
            raise await uow.taken(catalog, service, start, exclude=appointment_id) from refused
    return AppointmentView.of(row)


def _rescheduled(row: Appointment, previous: datetime, actor: str | None) -> AppointmentRescheduled:
    return AppointmentRescheduled(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        previous_starts_at=previous,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        staff_id=row.staff_id,
        version=row.version,
        actor=actor,
    )
