"""How to reach a branch's outside calendar: the tenant's sealed key and URL, the branch's
provider and settings; and the provider uids an appointment has had."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.calendars.port import ProviderLink
from frontdesk.db.tables import (
    Appointment,
    AppointmentExternalUid,
    Branch,
    Customer,
    Service,
    Staff,
    Tenant,
)
from frontdesk.domain.model import CalendarProvider, SyncState


async def link_of_branch(session: AsyncSession, branch_id: uuid.UUID) -> ProviderLink | None:
    """The branch's outside calendar, or None on the built-in calendar."""
    found = (
        await session.execute(
            select(
                Tenant.id,
                Tenant.slug,
                Tenant.calcom_api_key,
                Tenant.calcom_api_url,
                Branch.calendar_provider,
                Branch.calendar_config,
            )
            .join(Tenant, Tenant.id == Branch.tenant_id)
            .where(Branch.id == branch_id)
        )
    ).one_or_none()
    if found is None or CalendarProvider(found.calendar_provider) is CalendarProvider.BUILTIN:
        return None
    return ProviderLink(
        tenant_id=found.id,
        tenant_slug=found.slug,
        provider=CalendarProvider(found.calendar_provider),
        sealed_key=found.calcom_api_key,
        api_url=found.calcom_api_url,
        config=dict(found.calendar_config or {}),
    )


async def claim_sync(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    now: datetime,
    until: datetime,
) -> bool:
    """Claim the appointment for one saga run until ``until``; False while another run's claim
    holds. One conditional UPDATE, so of two concurrent claims exactly one wins; the row's
    version is left alone (a claim is no change of the appointment)."""
    result = await session.execute(
        update(Appointment)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.id == appointment_id,
            or_(Appointment.sync_claimed_until.is_(None), Appointment.sync_claimed_until <= now),
        )
        .values(sync_claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def release_sync(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID, until: datetime
) -> None:
    """End our own claim (the one ending at ``until``); a later claim of another run stays."""
    await session.execute(
        update(Appointment)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.id == appointment_id,
            Appointment.sync_claimed_until == until,
        )
        .values(sync_claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def any_pending(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_ids: Collection[uuid.UUID]
) -> bool:
    """Whether any of the appointments still owes the provider a change (``pending_sync``)."""
    found = await session.scalar(
        select(Appointment.id)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.id.in_(list(appointment_ids)),
            Appointment.sync_state == SyncState.PENDING_SYNC,
        )
        .limit(1)
    )
    return found is not None


async def record_uid(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    uid: str,
    now: datetime,
    replaces: str | None = None,
) -> None:
    """Remember ``uid`` for the appointment (and that it replaced ``replaces``); repeating
    it changes nothing."""
    if replaces is not None:
        await session.execute(
            update(AppointmentExternalUid)
            .where(
                AppointmentExternalUid.tenant_id == tenant_id,
                AppointmentExternalUid.uid == replaces,
                AppointmentExternalUid.replaced_at.is_(None),
            )
            .values(replaced_at=now)
        )
    known = await session.scalar(
        select(AppointmentExternalUid.id).where(
            AppointmentExternalUid.tenant_id == tenant_id, AppointmentExternalUid.uid == uid
        )
    )
    if known is None:
        session.add(
            AppointmentExternalUid(
                tenant_id=tenant_id, appointment_id=appointment_id, uid=uid, created_at=now
            )
        )


async def uids_of(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> list[str]:
    """The provider uids of an appointment, oldest first."""
    rows = await session.scalars(
        select(AppointmentExternalUid.uid)
        .where(
            AppointmentExternalUid.tenant_id == tenant_id,
            AppointmentExternalUid.appointment_id == appointment_id,
        )
        .order_by(AppointmentExternalUid.created_at)
    )
    return list(rows)


async def sync_subject(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> SyncSubject | None:
    """An appointment with what writing it to the provider needs (one query)."""
    found = (
        await session.execute(
            select(
                Appointment,
                Customer.name,
                Customer.phone_e164,
                Customer.email,
                Service.calcom_event_type_id,
                Staff.calcom_user_id,
                Branch.timezone,
                Tenant.locale,
            )
            .join(Customer, Customer.id == Appointment.customer_id)
            .join(Service, Service.id == Appointment.service_id)
            .join(Staff, Staff.id == Appointment.staff_id)
            .join(Branch, Branch.id == Appointment.branch_id)
            .join(Tenant, Tenant.id == Appointment.tenant_id)
            .where(Appointment.tenant_id == tenant_id, Appointment.id == appointment_id)
        )
    ).one_or_none()
    if found is None:
        return None
    row = found[0]
    return SyncSubject(
        appointment=row,
        customer_name=found.name,
        customer_phone=found.phone_e164,
        customer_email=found.email,
        event_type=None if found.calcom_event_type_id is None else str(found.calcom_event_type_id),
        host=None if found.calcom_user_id is None else str(found.calcom_user_id),
        timezone=found.timezone,
        locale=found.locale,
    )


async def staff_of_host(session: AsyncSession, branch_id: uuid.UUID, host: str) -> uuid.UUID | None:
    """Our staff member linked to the provider host ``host`` in the branch."""
    if not host.isdigit():
        return None
    return await session.scalar(
        select(Staff.id).where(Staff.branch_id == branch_id, Staff.calcom_user_id == int(host))
    )


@dataclass(frozen=True, slots=True)
class SyncSubject:
    appointment: Appointment
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    event_type: str | None
    host: str | None
    timezone: str
    locale: str


@dataclass(frozen=True, slots=True)
class WindowRow:
    """An appointment of the reconciliation window with its provider host and every uid."""

    appointment: Appointment
    host: str | None
    uids: tuple[str, ...]


async def in_window(
    session: AsyncSession, branch_id: uuid.UUID, start: datetime, end: datetime
) -> list[WindowRow]:
    """The branch's appointments starting in ``[start, end)`` in any status (two queries)."""
    found = (
        await session.execute(
            select(Appointment, Staff.calcom_user_id)
            .join(Staff, Staff.id == Appointment.staff_id)
            .where(
                Appointment.branch_id == branch_id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at)
        )
    ).all()
    ids = [row[0].id for row in found]
    chains: dict[uuid.UUID, list[str]] = {}
    if ids:
        for appointment_id, uid in await session.execute(
            select(AppointmentExternalUid.appointment_id, AppointmentExternalUid.uid).where(
                AppointmentExternalUid.appointment_id.in_(ids)
            )
        ):
            chains.setdefault(appointment_id, []).append(uid)
    return [
        WindowRow(
            appointment=row[0],
            host=None if row[1] is None else str(row[1]),
            uids=tuple(chains.get(row[0].id, ())),
        )
        for row in found
    ]
