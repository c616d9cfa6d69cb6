"""SQL of the webhook inbox (``webhook_inbox``) and the look-ups processing a Cal.com booking
event needs: the tenant's webhook secret, appointments by provider uid, the service of an event
type, customers by e-mail and the appointments a clash hits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import (
    Appointment,
    AppointmentExternalUid,
    Customer,
    Service,
    Tenant,
    WebhookInbox,
)
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import ACTIVE_STATUSES, InboxStatus


@dataclass(frozen=True, slots=True)
class WebhookTenant:
    id: uuid.UUID
    secret: str | None


async def webhook_tenant(session: AsyncSession, slug: str) -> WebhookTenant | None:
    found = (
        await session.execute(
            select(Tenant.id, Tenant.calcom_webhook_secret).where(Tenant.slug == slug)
        )
    ).one_or_none()
    return None if found is None else WebhookTenant(found.id, found.calcom_webhook_secret)


async def add(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    provider: str,
    dedupe_key: str,
    event_type: str,
    payload: dict[str, Any],
    status: InboxStatus,
    received_at: datetime,
    error: str | None = None,
) -> uuid.UUID | None:
    """Insert one delivery; None when its dedupe key is already there (``ON CONFLICT DO
    NOTHING``: two concurrent deliveries of the same bytes make one row, neither fails)."""
    row_id = uuid.uuid4()
    finished = status is not InboxStatus.RECEIVED
    stmt = (
        insert_on_conflict(session, WebhookInbox)
        .values(
            id=row_id,
            tenant_id=tenant_id,
            provider=provider,
            dedupe_key=dedupe_key,
            event_type=event_type,
            payload=payload,
            status=status,
            error=error,
            received_at=received_at,
            processed_at=received_at if finished else None,
        )
        .on_conflict_do_nothing(index_elements=["provider", "dedupe_key"])
        .returning(WebhookInbox.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, inbox_id: uuid.UUID) -> WebhookInbox | None:
    return await session.get(WebhookInbox, inbox_id)


def finish(row: WebhookInbox, status: InboxStatus, now: datetime, error: str | None) -> None:
    row.status = status
    row.processed_at = now
    row.error = None if error is None else error[:1000]


@dataclass(frozen=True, slots=True)
class UidHolder:
    """The appointment a provider uid belongs to; ``replaced``: a later uid took its place."""

    appointment: Appointment
    replaced: bool


async def by_uid(session: AsyncSession, tenant_id: uuid.UUID, uid: str) -> UidHolder | None:
    """The appointment that has (or had) the provider uid ``uid``."""
    found = (
        await session.execute(
            select(Appointment, AppointmentExternalUid.replaced_at)
            .join(Appointment, Appointment.id == AppointmentExternalUid.appointment_id)
            .where(AppointmentExternalUid.tenant_id == tenant_id, AppointmentExternalUid.uid == uid)
        )
    ).one_or_none()
    if found is not None:
        return UidHolder(found[0], found.replaced_at is not None)
    # A uid written before the chain existed lives only on the row.
    row = await session.scalar(
        select(Appointment).where(
            Appointment.tenant_id == tenant_id, Appointment.external_uid == uid
        )
    )
    return None if row is None else UidHolder(row, False)


async def mark_replaced(
    session: AsyncSession, tenant_id: uuid.UUID, uid: str, appointment_id: uuid.UUID, now: datetime
) -> None:
    """Remember that ``uid`` was replaced (by a reschedule), adding it to the appointment's
    chain if it is not known yet, so a late event about it finds it replaced."""
    done = await session.execute(
        update(AppointmentExternalUid)
        .where(AppointmentExternalUid.tenant_id == tenant_id, AppointmentExternalUid.uid == uid)
        .values(replaced_at=func.coalesce(AppointmentExternalUid.replaced_at, now))
    )
    if getattr(done, "rowcount", 0):
        return
    session.add(
        AppointmentExternalUid(
            tenant_id=tenant_id,
            appointment_id=appointment_id,
            uid=uid,
            created_at=now,
            replaced_at=now,
        )
    )
    await session.flush()


async def service_of_event_type(
    session: AsyncSession, tenant_id: uuid.UUID, event_type: str
) -> uuid.UUID | None:
    """The tenant's active service linked to the provider event type ``event_type``."""
    if not event_type.isdigit():
        return None
    return await session.scalar(
        select(Service.id)
        .where(
            Service.tenant_id == tenant_id,
            Service.calcom_event_type_id == int(event_type),
            Service.active.is_(True),
        )
        .limit(1)
    )


async def customer_by_email(
    session: AsyncSession, tenant_id: uuid.UUID, email: str
) -> Customer | None:
    """The tenant's earliest customer with this e-mail address (case-insensitive)."""
    return await session.scalar(
        select(Customer)
        .where(Customer.tenant_id == tenant_id, func.lower(Customer.email) == email.lower())
        .order_by(Customer.created_at, Customer.id)
        .limit(1)
    )


async def overlapping(
    session: AsyncSession, staff_id: uuid.UUID, start: datetime, end: datetime
) -> Sequence[Appointment]:
    """Active appointments of ``staff_id`` overlapping ``[start, end)``: what a clash hits."""
    rows = await session.scalars(
        select(Appointment).where(
            Appointment.staff_id == staff_id,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at < end,
            Appointment.ends_at > start,
        )
    )
    return list(rows)


async def clashing_with(
    session: AsyncSession, tenant_id: uuid.UUID, note_prefix: str
) -> Sequence[Appointment]:
    """Active appointments whose ``sync_error`` starts with ``note_prefix`` (a recorded clash)."""
    pattern = note_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await session.scalars(
        select(Appointment).where(
            Appointment.tenant_id == tenant_id,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.sync_error.like(f"{pattern}%", escape="\\"),
        )
    )
    return list(rows)
