"""Cancel under the service's cancellation policy, checked here and only here: too late is
``TooLateToCancel``; a fee the client has not accepted is ``FeeNotAccepted`` (nothing changed);
otherwise the appointment is cancelled and the fee recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta

from frontdesk.booking import sync
from frontdesk.booking.policy import cancellation_terms
from frontdesk.booking.unit_of_work import UnitOfWork, check_changeable
from frontdesk.booking.views import AppointmentView, CancellationOutcome
from frontdesk.db.errors import WriteRefused
from frontdesk.db.tables import Appointment
from frontdesk.domain.errors import ConcurrentUpdate, FeeNotAccepted, TooLateToCancel
from frontdesk.domain.events import AppointmentCancelled
from frontdesk.domain.model import AppointmentStatus


async def cancel(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    reason: str | None = None,
    expected_version: int | None = None,
    accept_fee: bool = True,
    actor: str | None = None,
) -> CancellationOutcome:
    """Cancel; with ``accept_fee`` False a cancellation that costs a fee is refused first.
    ``actor`` names who asked in the audit trail (default: the booking channels)."""
    now = uow.clock()
    async with uow.writing() as session:
        row, catalog, service = await uow.load_for_change(session, tenant_id, appointment_id)
        check_changeable(row, now, expected_version)
        terms = cancellation_terms(service.cancellation_policy, row.starts_at - now)
        if not terms.allowed:
            minutes = int(terms.min_notice.total_seconds() // 60)
            raise TooLateToCancel(
                f"cancellations need {minutes} minutes notice; please call the business"
            )
        if terms.fee_cents and not accept_fee:
            raise FeeNotAccepted(
                f"cancelling now costs {terms.fee_cents} cents", fee_cents=terms.fee_cents
            )
        row.status = AppointmentStatus.CANCELLED
        row.cancelled_at = now
        row.cancellation_reason = reason
        row.cancellation_fee_cents = terms.fee_cents
        try:
            await uow.flush(session)
            await uow.publish(session, _cancelled(row, terms.fee_cents, actor))
            if catalog.external:
                await sync.request_sync(session, row, now, delay=timedelta(0))
            await uow.touch(session, catalog, (row.starts_at, row.ends_at), provider_changed=False)
            await uow.commit(session)
        except WriteRefused as refused:
            raise ConcurrentUpdate("the appointment was changed meanwhile") from refused
    return CancellationOutcome(AppointmentView.of(row), terms.fee_cents)


def _cancelled(row: Appointment, fee_cents: int, actor: str | None) -> AppointmentCancelled:
    return AppointmentCancelled(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        starts_at=row.starts_at,
        fee_cents=fee_cents,
        version=row.version,
        actor=actor,
    )
