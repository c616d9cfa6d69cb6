"""Mark an appointment completed or a no-show (the front desk, after the fact), audited.

The transition rule is pure (``check_attendance``): only a confirmed appointment that has
begun can be marked, and a mark can be corrected (completed ↔ no-show); marking it again as
it already is changes nothing (a double-submitted form). A cancelled appointment, one still
ahead, or one pending with the outside calendar cannot be marked.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.booking.views import AppointmentView
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import audit
from frontdesk.domain.errors import (
    AlreadyCancelled,
    ConcurrentUpdate,
    InvalidRequest,
    NotBegunYet,
    NotChangeable,
)
from frontdesk.domain.model import AppointmentStatus

ATTENDANCE = (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)
_MARKABLE = (AppointmentStatus.CONFIRMED, *ATTENDANCE)


def check_attendance(
    current: AppointmentStatus, target: AppointmentStatus, starts_at: datetime, now: datetime
) -> bool:
    """Whether marking ``current`` as ``target`` changes anything; raises when it may not."""
    if target not in ATTENDANCE:
        raise InvalidRequest(f"status must be one of {[s.value for s in ATTENDANCE]}")
    if current is AppointmentStatus.CANCELLED:
        raise AlreadyCancelled("the appointment is cancelled")
    if current not in _MARKABLE:
        raise NotChangeable("the appointment is not confirmed yet")
    if starts_at > now:
        raise NotBegunYet("the appointment has not begun yet")
    return current is not target


async def mark_attendance(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    target: AppointmentStatus,
    actor: str,
    expected_version: int | None = None,
) -> AppointmentView:
    """Set ``target`` (completed or no-show) and audit who did it, or raise and write nothing."""
    now = uow.clock()
    async with uow.writing() as session:
        row, catalog, _ = await uow.load_for_change(session, tenant_id, appointment_id)
        if not check_attendance(row.status, target, row.starts_at, now):
            return AppointmentView.of(row)
        if expected_version is not None and row.version != expected_version:
            raise ConcurrentUpdate(f"the appointment is at version {row.version}")
        previous = row.status
        row.status = target
        try:
            await uow.flush(session)
            await audit.record_once(
                session,
                entry_id=uuid.uuid4(),
                tenant_id=tenant_id,
                actor=actor,
                action=f"appointment_{target.value}",
                entity_type="appointment",
                entity_id=str(row.id),
                data={"from": previous.value, "to": target.value},
                at=now,
            )
            # The board's polling redraws the day (its version is the booking day's).
            await uow.touch(session, catalog, (row.starts_at, row.ends_at), provider_changed=False)
            await uow.commit(session)
        except WriteRefused as refused:
            raise ConcurrentUpdate("the appointment was changed meanwhile") from refused
    return AppointmentView.of(row)
