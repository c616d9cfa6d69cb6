"""Customer messages (ADR 0024): change sequences, what a message shows, deliveries, consent,
reminder claims and opt-outs, and who in the business wants e-mail. All tenant-scoped."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import (
    Appointment,
    Branch,
    Customer,
    CustomerConsent,
    MessageDelivery,
    MessageSequence,
    ReminderClaim,
    Service,
    Staff,
    Tenant,
    User,
)
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import (
    ACTIVE_STATUSES,
    AppointmentSource,
    AppointmentStatus,
    ConsentChannel,
    SyncState,
)


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """An appointment as its messages need it, with its customer's reach."""

    appointment_id: uuid.UUID
    tenant_id: uuid.UUID
    customer_id: uuid.UUID
    status: AppointmentStatus
    source: AppointmentSource
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    business: str
    locale: str
    mail_from: str | None
    phone_region: str
    branch: str
    address: str | None
    timezone: str
    service: str
    staff: str
    customer_name: str
    customer_email: str | None
    customer_phone: str | None
    erased: bool
    reminders_opted_out: bool
    reminder_hours: int | None
    reminder_email: bool
    reminder_sms: bool


async def next_sequence(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> int:
    """The appointment's next change number (0 for its first), counted in the caller's
    transaction: the row lock of the upsert orders concurrent changes of one appointment."""
    stmt = insert_on_conflict(session, MessageSequence).values(
        appointment_id=appointment_id, tenant_id=tenant_id, sequence=0
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[MessageSequence.appointment_id],
        set_={"sequence": MessageSequence.sequence + 1},
    ).returning(MessageSequence.sequence)
    return int((await session.execute(stmt)).scalar_one())


async def source_of(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> AppointmentSource | None:
    """Where the appointment came from (from the session's identity map when loaded)."""
    row = await session.get(Appointment, appointment_id)
    if row is None or row.tenant_id != tenant_id:
        return None
    return row.source


async def facts(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> MessageFacts | None:
    stmt = (
        select(Appointment, Tenant, Branch, Service, Staff, Customer)
        .join(Tenant, Tenant.id == Appointment.tenant_id)
        .join(Branch, Branch.id == Appointment.branch_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .join(Customer, Customer.id == Appointment.customer_id)
        .where(Appointment.tenant_id == tenant_id, Appointment.id == appointment_id)
    )
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        return None
    appt, tenant, branch, service, staff, customer = found
    return MessageFacts(
        appointment_id=appt.id,
        tenant_id=appt.tenant_id,
        customer_id=customer.id,
        status=appt.status,
        source=appt.source,
        starts_at=appt.starts_at,
        ends_at=appt.ends_at,
        created_at=appt.created_at,
        business=tenant.name,
        locale=tenant.locale,
        mail_from=tenant.mail_from,
        phone_region=tenant.phone_region,
        branch=branch.name,
        address=branch.address,
        timezone=branch.timezone,
        service=service.name,
        staff=f"{staff.first_name} {staff.last_name}".strip(),
        customer_name=customer.name,
        customer_email=customer.email,
        customer_phone=customer.phone_e164,
        erased=customer.erased_at is not None,
        reminders_opted_out=customer.reminders_opted_out_at is not None,
        reminder_hours=tenant.reminder_hours,
        reminder_email=tenant.reminder_email,
        reminder_sms=tenant.reminder_sms,
    )


async def sms_consented(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> bool:
    """The customer's latest SMS consent statement says yes."""
    stmt = (
        select(CustomerConsent.granted)
        .where(
            CustomerConsent.tenant_id == tenant_id,
            CustomerConsent.customer_id == customer_id,
            CustomerConsent.channel == ConsentChannel.SMS,
        )
        .order_by(CustomerConsent.recorded_at.desc(), CustomerConsent.id.desc())
        .limit(1)
    )
    return bool((await session.execute(stmt)).scalar_one_or_none())


async def delivered(session: AsyncSession, message_key: str, channel: str) -> bool:
    stmt = select(MessageDelivery.id).where(
        MessageDelivery.message_key == message_key, MessageDelivery.channel == channel
    )
    return (await session.execute(stmt)).first() is not None


async def record_delivery(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID | None,
    message_key: str,
    channel: str,
    kind: str,
    provider_ref: str | None,
    sent_at: datetime,
) -> None:
    stmt = (
        insert_on_conflict(session, MessageDelivery)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            appointment_id=appointment_id,
            message_key=message_key,
            channel=channel,
            kind=kind,
            provider_ref=(provider_ref or "")[:200] or None,
            sent_at=sent_at,
        )
        .on_conflict_do_nothing(
            index_elements=[MessageDelivery.message_key, MessageDelivery.channel]
        )
    )
    await session.execute(stmt)


async def deliveries(session: AsyncSession, appointment_id: uuid.UUID) -> list[MessageDelivery]:
    stmt = (
        select(MessageDelivery)
        .where(MessageDelivery.appointment_id == appointment_id)
        .order_by(MessageDelivery.sent_at, MessageDelivery.message_key, MessageDelivery.channel)
    )
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True, slots=True)
class ReminderCandidate:
    tenant_id: uuid.UUID
    appointment_id: uuid.UUID
    starts_at: datetime
    created_at: datetime
    reminder_hours: int


async def reminder_candidates(
    session: AsyncSession, now: datetime, horizon: datetime, limit: int
) -> list[ReminderCandidate]:
    """Active appointments starting in ``(now, horizon]`` of tenants with reminders on, not
    yet claimed for their current start, whose customer has not opted out. The caller applies
    each tenant's own hours (``reminder_hours`` is per tenant; the horizon is the largest)."""
    claimed = select(ReminderClaim.appointment_id).where(
        ReminderClaim.appointment_id == Appointment.id,
        ReminderClaim.starts_at == Appointment.starts_at,
    )
    stmt = (
        select(
            Appointment.tenant_id,
            Appointment.id,
            Appointment.starts_at,
            Appointment.created_at,
            Tenant.reminder_hours,
        )
        .join(Tenant, Tenant.id == Appointment.tenant_id)
        .join(Customer, Customer.id == Appointment.customer_id)
        .where(
            Appointment.starts_at > now,
            Appointment.starts_at <= horizon,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.source != AppointmentSource.CALCOM,
            Tenant.reminder_hours.is_not(None),
            Customer.reminders_opted_out_at.is_(None),
            Customer.erased_at.is_(None),
            ~claimed.exists(),
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    )
    return [
        ReminderCandidate(t, a, s, c, int(h or 0))
        for t, a, s, c, h in (await session.execute(stmt)).all()
    ]


async def longest_reminder_hours(session: AsyncSession) -> int | None:
    return (await session.execute(select(func.max(Tenant.reminder_hours)))).scalar_one_or_none()


async def claim_reminder(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    starts_at: datetime,
    now: datetime,
) -> bool:
    """True for the one transaction that claims this reminder; every other insert is a no-op."""
    stmt = (
        insert_on_conflict(session, ReminderClaim)
        .values(
            appointment_id=appointment_id, starts_at=starts_at, tenant_id=tenant_id, claimed_at=now
        )
        .on_conflict_do_nothing(
            index_elements=[ReminderClaim.appointment_id, ReminderClaim.starts_at]
        )
        .returning(ReminderClaim.appointment_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def opt_out_of_reminders(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, now: datetime
) -> bool:
    """Mark the customer opted out (the first time only); False when there is no such customer."""
    stmt = (
        update(Customer)
        .where(
            Customer.tenant_id == tenant_id,
            Customer.id == customer_id,
            Customer.reminders_opted_out_at.is_(None),
        )
        .values(reminders_opted_out_at=now)
    )
    changed = cast(CursorResult[Any], await session.execute(stmt)).rowcount
    if changed:
        return True
    exists = select(Customer.id).where(
        and_(Customer.tenant_id == tenant_id, Customer.id == customer_id)
    )
    return (await session.execute(exists)).first() is not None


async def staff_recipients(session: AsyncSession, tenant_id: uuid.UUID) -> list[str]:
    """E-mail addresses of the tenant's active logins that opted in to notifications."""
    stmt = (
        select(User.email)
        .where(User.tenant_id == tenant_id, User.active.is_(True), User.notify_by_email.is_(True))
        .order_by(User.email)
    )
    return list((await session.execute(stmt)).scalars())


async def in_conflict(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """(tenant, appointment, start) of upcoming appointments whose calendar sync needs a
    person's decision, for tenants with someone who wants to hear of it."""
    wants = select(User.id).where(
        User.tenant_id == Appointment.tenant_id,
        User.active.is_(True),
        User.notify_by_email.is_(True),
    )
    stmt = (
        select(Appointment.tenant_id, Appointment.id, Appointment.starts_at)
        .where(
            Appointment.sync_state == SyncState.CONFLICT,
            Appointment.starts_at > now,
            wants.exists(),
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    )
    return [(t, a, s) for t, a, s in (await session.execute(stmt)).all()]
