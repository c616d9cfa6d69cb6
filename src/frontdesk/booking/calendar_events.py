"""Processing a Cal.com booking event from the inbox (the ``calendar.inbox`` job, ADR 0015).

Cal.com delivers at most once, in no order, sometimes twice; so an event is applied as a fact
about one booking uid, merged into what we know, never as a command:

- a uid's times never change (a reschedule makes a new uid whose ``rescheduleUid`` is the old
  one) and its status only moves forward — pending, accepted, then cancelled or rejected;
  a cancelled appointment is never brought back, and a uid that a later one replaced
  changes nothing (a late CREATED after its RESCHEDULED creates no second appointment);
- the uid is looked up in every uid an appointment has had (``appointment_external_uid``);
  a reschedule's old uid finds the appointment to move; an event about an unknown uid that
  is final (cancelled first, created later) is stored as a cancelled appointment, so the late
  CREATED finds it and stays cancelled;
- an echo of our own booking (the uid is known, or our id is in its metadata) changes only
  what Cal.com knows better: a cancel or a move made on Cal.com's side. While we owe Cal.com a
  change (``pending_sync``) the saga's row is the desired state and the event changes nothing;
- a booking made on Cal.com's pages becomes an appointment (source ``calcom``, ``synced``):
  staff from the organizer, service from the event type, customer by phone or e-mail;
- a clash with an appointment we hold is a ``conflict`` on the appointments it hits (the
  business decides; nothing is cancelled automatically).

Every write goes through ``uow.touch``: the days' versions are bumped and the mirror's days are
marked stale, so the voice agent stops offering the time as soon as the job commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from frontdesk.booking import calendar_clashes, customers, sync
from frontdesk.booking.catalog import BranchCatalog
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.unit_of_work import UnitOfWork, booked_event
from frontdesk.calendars.calcom import webhook
from frontdesk.calendars.calcom.webhook import Attendee, BookingFacts, BookingState
from frontdesk.db.engine import DbSession
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import inbox as inbox_rows
from frontdesk.db.repositories import providers as provider_rows
from frontdesk.db.tables import Appointment, Customer, WebhookInbox
from frontdesk.domain import rules
from frontdesk.domain.errors import InvalidPhone, InvalidRequest
from frontdesk.domain.events import AppointmentCancelled, AppointmentRescheduled
from frontdesk.domain.model import (
    ACTIVE_STATUSES,
    AppointmentSource,
    AppointmentStatus,
    InboxStatus,
    SyncState,
)
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import CALCOM_WEBHOOK_LAG, CALCOM_WEBHOOKS_PROCESSED

log = get_logger(__name__)

# A customer Cal.com gave no usable name for.
UNNAMED = "Cal.com-Kunde"


class Result(StrEnum):
    CREATED = "created"
    CANCELLED = "cancelled"
    MOVED = "moved"
    CONFIRMED = "confirmed"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"
    OWED = "owed"
    UNMAPPED = "unmapped"
    CONFLICT = "conflict"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class _Subject:
    """The inbox row's identity, kept across the rollback of a clash."""

    inbox_id: uuid.UUID
    tenant_id: uuid.UUID
    received_at: datetime
    trigger: str


async def process(uow: UnitOfWork, inbox_id: uuid.UUID) -> Result | None:
    """Apply one stored event (None: not there or already done). ``WriteRefused`` (another
    writer changed the rows meanwhile) propagates: the job runs again and merges afresh."""
    async with uow.writing() as session:
        row = await inbox_rows.get(session, inbox_id)
        if row is None or row.status is not InboxStatus.RECEIVED or row.tenant_id is None:
            return None
        subject = _Subject(row.id, row.tenant_id, row.received_at, row.event_type)
        facts = webhook.booking_facts(row.event_type, _payload(row))
        if facts is None:
            await _finish(uow, session, row, Result.UNREADABLE, "no booking uid and times")
            return _done(subject, Result.UNREADABLE, uow.clock())
        try:
            result = await _apply(uow, session, subject.tenant_id, facts)
        except calendar_clashes.Clash as clash:
            await calendar_clashes.record(uow, subject.inbox_id, subject.tenant_id, facts, clash)
            return _done(subject, Result.CONFLICT, uow.clock())
        await _finish(uow, session, row, result, None)
    return _done(subject, result, uow.clock())


async def merge(uow: UnitOfWork, tenant_id: uuid.UUID, facts: BookingFacts) -> Result:
    """Apply facts about one booking learnt otherwise than by a webhook (the reconciliation
    reads Cal.com's listing): the same merge as an inbox event, so a booking made on Cal.com
    is created by one path only. ``WriteRefused`` propagates as in ``process``."""
    async with uow.writing() as session:
        try:
            result = await _apply(uow, session, tenant_id, facts)
        except calendar_clashes.Clash as clash:
            await calendar_clashes.record(uow, None, tenant_id, facts, clash)
            return Result.CONFLICT
        await uow.commit(session)
    return result


def _payload(row: WebhookInbox) -> dict[str, Any]:
    payload = row.payload.get("payload") if isinstance(row.payload, dict) else None
    return payload if isinstance(payload, dict) else {}


async def _finish(
    uow: UnitOfWork, session: DbSession, row: WebhookInbox, result: Result, error: str | None
) -> None:
    status = InboxStatus.FAILED if result is Result.UNREADABLE else InboxStatus.PROCESSED
    inbox_rows.finish(row, status, uow.clock(), error if error else _note(result))
    await uow.commit(session)


def _note(result: Result) -> str | None:
    return None if result in (Result.CREATED, Result.CANCELLED, Result.MOVED) else str(result)


def _done(subject: _Subject, result: Result, now: datetime) -> Result:
    CALCOM_WEBHOOKS_PROCESSED.labels(webhook.trigger_label(subject.trigger), str(result)).inc()
    CALCOM_WEBHOOK_LAG.observe(max((now - subject.received_at).total_seconds(), 0.0))
    log.info(
        "calcom_webhook_processed",
        tenant_id=str(subject.tenant_id),
        inbox_id=str(subject.inbox_id),
        trigger=subject.trigger,
        result=str(result),
    )
    return result


# -- the merge ---------------------------------------------------------------------------------


async def _apply(
    uow: UnitOfWork, session: DbSession, tenant_id: uuid.UUID, facts: BookingFacts
) -> Result:
    holder = await inbox_rows.by_uid(session, tenant_id, facts.uid)
    if holder is not None:
        result = await _known(uow, session, holder, facts)
        await _supersede(uow, session, holder.appointment, facts)
        return result
    if facts.previous_uid is not None:
        previous = await inbox_rows.by_uid(session, tenant_id, facts.previous_uid)
        if previous is not None and not previous.replaced:
            return await _move(uow, session, previous.appointment, facts)
    if facts.ours is not None:
        ours = await appointment_rows.get(session, tenant_id, facts.ours)
        if ours is not None:
            # Our booking under a uid not recorded yet: the saga looks our id up and records
            # it; nothing here knows better than the row.
            return Result.OWED if ours.sync_state is SyncState.PENDING_SYNC else Result.UNCHANGED
    return await _create(uow, session, tenant_id, facts)


async def _known(
    uow: UnitOfWork, session: DbSession, holder: inbox_rows.UidHolder, facts: BookingFacts
) -> Result:
    """An event about a uid we know: only a move forward of its status can change anything."""
    row = holder.appointment
    if holder.replaced:
        return Result.REPLACED
    if _owed(row):
        return Result.OWED
    if row.status not in ACTIVE_STATUSES:
        return Result.UNCHANGED
    if facts.state.final:
        await _cancel(uow, session, row, _cancel_reason(facts))
        return Result.CANCELLED
    if (
        facts.state is BookingState.ACCEPTED
        and row.status is AppointmentStatus.PENDING
        and row.source is AppointmentSource.CALCOM
    ):
        # Ours are confirmed by the saga when Cal.com has them; this is a page booking that
        # needed confirmation and got it.
        return await _confirm(uow, session, row)
    return Result.UNCHANGED


def _owed(row: Appointment) -> bool:
    """We owe Cal.com a change of our own booking: the saga's row is the desired state."""
    return row.source is not AppointmentSource.CALCOM and row.sync_state is SyncState.PENDING_SYNC


def _cancel_reason(facts: BookingFacts) -> str:
    said = "rejected" if facts.state is BookingState.REJECTED else "cancelled"
    reason = f"{said} on Cal.com"
    return f"{reason}: {facts.reason}"[:200] if facts.reason else reason


async def _cancel(uow: UnitOfWork, session: DbSession, row: Appointment, reason: str) -> None:
    catalog = await _catalog_of(uow, session, row)
    now = uow.clock()
    row.status = AppointmentStatus.CANCELLED
    row.cancelled_at = now
    row.cancellation_reason = reason
    _synced(row, now)
    await uow.flush(session)
    await uow.publish(
        session,
        AppointmentCancelled(
            tenant_id=row.tenant_id,
            appointment_id=row.id,
            starts_at=row.starts_at,
            fee_cents=0,
            version=row.version,
        ),
    )
    await uow.touch(session, catalog, (row.starts_at, row.ends_at))


async def _confirm(uow: UnitOfWork, session: DbSession, row: Appointment) -> Result:
    """A pending booking made on Cal.com was confirmed there (Cal.com fires BOOKING_CREATED)."""
    catalog = await _catalog_of(uow, session, row)
    row.status = AppointmentStatus.CONFIRMED
    _synced(row, uow.clock())
    await uow.flush(session)
    await uow.publish(session, booked_event(row))
    await uow.touch(session, catalog, (row.starts_at, row.ends_at))
    return Result.CONFIRMED


async def _move(
    uow: UnitOfWork, session: DbSession, row: Appointment, facts: BookingFacts
) -> Result:
    """A reschedule of a booking we hold under its old uid: the appointment follows."""
    now = uow.clock()
    previous = facts.previous_uid
    if row.status not in ACTIVE_STATUSES:
        return await _moved_after_cancel(session, row, facts, now)
    if _owed(row):
        return Result.OWED
    catalog = await _catalog_of(uow, session, row)
    staff_id = await _staff(session, row.branch_id, facts.host)
    before = (row.starts_at, row.ends_at)
    row.starts_at, row.ends_at = facts.start, facts.end
    row.staff_id = staff_id or row.staff_id
    if facts.state is BookingState.PENDING:
        row.status = AppointmentStatus.PENDING
    row.external_uid = facts.uid
    _synced(row, now)
    if staff_id is None:
        row.sync_state = SyncState.CONFLICT
        row.sync_error = f"moved on Cal.com to a host not linked here (uid {facts.uid})"
    await calendar_clashes.flush_or_clash(uow, session, row.staff_id, catalog, moved=row.id)
    await provider_rows.record_uid(session, row.tenant_id, row.id, facts.uid, now, previous)
    await uow.publish(session, _rescheduled(row, before[0]))
    await uow.touch(session, catalog, before, (row.starts_at, row.ends_at))
    return Result.MOVED


async def _moved_after_cancel(
    session: DbSession, row: Appointment, facts: BookingFacts, now: datetime
) -> Result:
    """Cal.com moved a booking we hold as cancelled. The new uid joins the chain (no later
    event brings the booking back here); if the cancel was ours, Cal.com still holds the moved
    booking, so the saga is asked to cancel that uid (ours wins for what we still owe)."""
    await provider_rows.record_uid(
        session, row.tenant_id, row.id, facts.uid, now, facts.previous_uid
    )
    if row.source is AppointmentSource.CALCOM or row.external_uid != facts.previous_uid:
        return Result.UNCHANGED
    row.external_uid = facts.uid
    await sync.request_sync(session, row, now, delay=timedelta(0))
    return Result.OWED


def _rescheduled(row: Appointment, previous_start: datetime) -> AppointmentRescheduled:
    return AppointmentRescheduled(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        previous_starts_at=previous_start,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        staff_id=row.staff_id,
        version=row.version,
    )


async def _create(
    uow: UnitOfWork, session: DbSession, tenant_id: uuid.UUID, facts: BookingFacts
) -> Result:
    """A booking made on Cal.com's own pages (or its cancellation, heard first)."""
    service_id = None
    if facts.event_type is not None:
        service_id = await inbox_rows.service_of_event_type(session, tenant_id, facts.event_type)
    if service_id is None:
        log.warning(
            "calcom_booking_unmapped", tenant_id=str(tenant_id), event_type=facts.event_type
        )
        return Result.UNMAPPED
    catalog, service = await uow.catalog_for_service(session, tenant_id, service_id)
    staff_id = await _staff(session, catalog.branch_id, facts.host)
    if staff_id is None:
        log.warning("calcom_booking_unmapped", tenant_id=str(tenant_id), host=facts.host)
        return Result.UNMAPPED
    now = uow.clock()
    async with uow.guarded(session):
        # A customer created meanwhile by another writer is a unique refusal: run again.
        customer = await _customer(session, tenant_id, catalog.phone_region, facts.attendee)
    row = Appointment(
        tenant_id=tenant_id,
        branch_id=catalog.branch_id,
        staff_id=staff_id,
        service_id=service.id,
        customer_id=customer.id,
        starts_at=facts.start,
        ends_at=facts.end,
        status=_status(facts.state),
        source=AppointmentSource.CALCOM,
        external_uid=facts.uid,
        price_cents=service.price_cents,
        last_synced_at=now,
        sync_state=SyncState.SYNCED,
    )
    if facts.state.final:
        # Heard of only as cancelled: stored cancelled, so its late CREATED finds it.
        row.cancelled_at, row.cancellation_reason = now, _cancel_reason(facts)
        await calendar_clashes.gone(session, tenant_id, facts.uid)
    session.add(row)
    await calendar_clashes.flush_or_clash(uow, session, staff_id, catalog, moved=None)
    await provider_rows.record_uid(session, tenant_id, row.id, facts.uid, now)
    await _supersede(uow, session, row, facts)
    if row.status in ACTIVE_STATUSES:
        await uow.publish(session, booked_event(row))
    await uow.touch(session, catalog, (row.starts_at, row.ends_at))
    return Result.CREATED


def _status(state: BookingState) -> AppointmentStatus:
    if state.final:
        return AppointmentStatus.CANCELLED
    if state is BookingState.PENDING:
        return AppointmentStatus.PENDING
    return AppointmentStatus.CONFIRMED


async def _supersede(
    uow: UnitOfWork, session: DbSession, holder: Appointment, facts: BookingFacts
) -> None:
    """A reschedule's old uid is replaced for good. If it still names another appointment
    (events came out of order and made two), that one was moved away on Cal.com: cancel it."""
    previous = facts.previous_uid
    if previous is None:
        return
    now = uow.clock()
    found = await inbox_rows.by_uid(session, holder.tenant_id, previous)
    await inbox_rows.mark_replaced(session, holder.tenant_id, previous, holder.id, now)
    if found is None or found.replaced or found.appointment.id == holder.id:
        return
    other = found.appointment
    if other.external_uid == previous and other.status in ACTIVE_STATUSES:
        await _cancel(uow, session, other, f"rescheduled on Cal.com as {facts.uid}"[:200])


def _synced(row: Appointment, now: datetime) -> None:
    row.sync_state = SyncState.SYNCED
    row.sync_error = None
    row.last_synced_at = now


async def _staff(session: DbSession, branch_id: uuid.UUID, host: str | None) -> uuid.UUID | None:
    if host is None:
        return None
    return await provider_rows.staff_of_host(session, branch_id, host)


async def _catalog_of(uow: UnitOfWork, session: DbSession, row: Appointment) -> BranchCatalog:
    found = await appointment_rows.get_with_branch(session, row.tenant_id, row.id)
    if found is None:
        raise WriteRefused("stale")
    return await uow.catalog(session, found[1])


async def _customer(
    session: DbSession, tenant_id: uuid.UUID, region: str, attendee: Attendee | None
) -> Customer:
    """The attendee as a customer: found by phone, then e-mail, else created (booking.customers
    keeps a known customer's record as it is)."""
    phone = _phone(attendee.phone if attendee else None, region)
    email = _email(attendee.email if attendee else None)
    existing = await customers.find(session, tenant_id, phone)
    if existing is None and email is not None:
        existing = await inbox_rows.customer_by_email(session, tenant_id, email)
    given = CustomerInput(
        name=_name(attendee, email), phone=phone, email=email, for_someone_else_by_name=True
    )
    return await customers.resolve(session, tenant_id, existing, given)


def _phone(raw: str | None, region: str) -> str | None:
    if raw is None:
        return None
    try:
        return customers.to_e164(raw, region)
    except InvalidPhone:
        return None


def _email(raw: str | None) -> str | None:
    try:
        return rules.email(raw)
    except InvalidRequest:
        return None


def _name(attendee: Attendee | None, email: str | None) -> str:
    for candidate in (attendee.name if attendee else None, email):
        if candidate:
            try:
                return rules.customer_name(candidate)
            except InvalidRequest:
                continue
    return UNNAMED
