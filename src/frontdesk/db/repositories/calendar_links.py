"""A branch's link to Cal.com: the rows ``calcom connect`` matches and writes, and what
``calcom status`` shows.

Writes go through the ORM (loaded rows are changed in place), so ``updated_at`` is stamped
with the session's clock like everywhere else, and the branch's ``calendar_version`` is bumped
in the same transaction: cached catalogues see the new staff, services and hosts at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.repositories.catalog import bump_calendar_version
from frontdesk.db.tables import (
    Appointment,
    Branch,
    CalendarMirrorDay,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
)
from frontdesk.domain.model import CalendarProvider, SyncState

# Appointments still owed to (or refused by) the provider, as ``calcom status`` counts them.
UNSYNCED = (SyncState.PENDING_SYNC, SyncState.SYNC_FAILED, SyncState.CONFLICT)


async def branches_of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[Branch]:
    """The tenant's branches, oldest first (the first is the default one to link)."""
    stmt = (
        select(Branch).where(Branch.tenant_id == tenant_id).order_by(Branch.created_at, Branch.name)
    )
    return list((await session.execute(stmt)).scalars())


async def staff_of_branch(session: AsyncSession, branch_id: uuid.UUID) -> list[Staff]:
    """Every staff row of the branch, inactive ones too: a row linked earlier is matched by its
    Cal.com id whatever its state, so a second connect never creates it again."""
    stmt = select(Staff).where(Staff.branch_id == branch_id).order_by(Staff.sort_order, Staff.id)
    return list((await session.execute(stmt)).scalars())


async def services_of_branch(session: AsyncSession, branch_id: uuid.UUID) -> list[Service]:
    """Every service row of the branch (inactive too, as for staff; names are unique per
    branch whatever the state)."""
    stmt = (
        select(Service)
        .where(Service.branch_id == branch_id)
        .order_by(Service.sort_order, Service.id)
    )
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True, slots=True)
class StaffToCreate:
    calcom_user_id: int
    first_name: str
    last_name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class ServiceToCreate:
    calcom_event_type_id: int
    name: str
    duration_minutes: int


@dataclass(frozen=True, slots=True)
class LinkWrite:
    """Everything one ``calcom connect`` writes, in one transaction.

    ``staff_links``/``service_links`` map our row ids to Cal.com ids; ``hosts`` maps each
    event type to its hosts' Cal.com user ids (the service's staff become exactly those that
    are known here; an event type none of whose hosts is known keeps its staff).
    """

    branch: Branch
    tenant: Tenant
    staff_links: Mapping[uuid.UUID, int]
    service_links: Mapping[uuid.UUID, int]
    new_staff: Sequence[StaffToCreate]
    new_services: Sequence[ServiceToCreate]
    hosts: Mapping[int, Sequence[int]]
    calendar_config: dict[str, Any]
    sealed_api_key: str
    api_url: str | None


@dataclass(frozen=True, slots=True)
class Written:
    created_staff: dict[int, uuid.UUID]
    created_services: dict[int, uuid.UUID]
    # Event types whose service kept its staff because none of their hosts is known here.
    hosts_unknown: tuple[int, ...]


async def write_link(session: AsyncSession, write: LinkWrite) -> Written:
    """Link rows, create the missing ones, set the services' staff, switch the branch to
    Cal.com and store the sealed key. The caller commits."""
    branch, tenant = write.branch, write.tenant
    staff = {row.id: row for row in await staff_of_branch(session, branch.id)}
    services = {row.id: row for row in await services_of_branch(session, branch.id)}
    for staff_id, user_id in write.staff_links.items():
        staff[staff_id].calcom_user_id = user_id
    for service_id, event_type_id in write.service_links.items():
        services[service_id].calcom_event_type_id = event_type_id
    created_staff = await _create_staff(session, branch, write.new_staff, len(staff))
    created_services = await _create_services(session, branch, write.new_services, len(services))
    user_to_staff = {user: sid for sid, user in write.staff_links.items()} | created_staff
    type_to_service = {et: sid for sid, et in write.service_links.items()} | created_services
    unknown = await _set_hosts(session, tenant.id, write.hosts, user_to_staff, type_to_service)
    branch.calendar_provider = CalendarProvider.CALCOM
    branch.calendar_config = write.calendar_config
    tenant.calcom_api_key = write.sealed_api_key
    if write.api_url is not None:
        tenant.calcom_api_url = write.api_url
    await session.flush()
    await bump_calendar_version(session, branch.id)
    return Written(created_staff, created_services, unknown)


async def _create_staff(
    session: AsyncSession, branch: Branch, people: Sequence[StaffToCreate], after: int
) -> dict[int, uuid.UUID]:
    # No working hours: Cal.com is their calendar, and its slots say when they work.
    rows = [
        Staff(
            id=uuid.uuid4(),
            tenant_id=branch.tenant_id,
            branch_id=branch.id,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            calcom_user_id=person.calcom_user_id,
            nicknames=[],
            sort_order=after + order,
        )
        for order, person in enumerate(people)
    ]
    session.add_all(rows)
    await session.flush()
    return {row.calcom_user_id: row.id for row in rows if row.calcom_user_id is not None}


async def _create_services(
    session: AsyncSession, branch: Branch, offers: Sequence[ServiceToCreate], after: int
) -> dict[int, uuid.UUID]:
    rows = [
        Service(
            id=uuid.uuid4(),
            tenant_id=branch.tenant_id,
            branch_id=branch.id,
            name=offer.name,
            aliases=[],
            duration_minutes=offer.duration_minutes,
            calcom_event_type_id=offer.calcom_event_type_id,
            cancellation_policy={},
            sort_order=after + order,
        )
        for order, offer in enumerate(offers)
    ]
    session.add_all(rows)
    await session.flush()
    return {row.calcom_event_type_id: row.id for row in rows if row.calcom_event_type_id}


async def _set_hosts(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    hosts: Mapping[int, Sequence[int]],
    user_to_staff: Mapping[int, uuid.UUID],
    type_to_service: Mapping[int, uuid.UUID],
) -> tuple[int, ...]:
    unknown: list[int] = []
    for event_type_id, user_ids in sorted(hosts.items()):
        service_id = type_to_service.get(event_type_id)
        if service_id is None:
            continue
        staff_ids = sorted({user_to_staff[u] for u in user_ids if u in user_to_staff})
        if not staff_ids:
            # Emptying it would make the service unbookable for a matching question a person
            # has to answer (reported); keep what the business had.
            unknown.append(event_type_id)
            continue
        await session.execute(delete(ServiceStaff).where(ServiceStaff.service_id == service_id))
        session.add_all(
            ServiceStaff(service_id=service_id, staff_id=staff_id, tenant_id=tenant_id)
            for staff_id in staff_ids
        )
    await session.flush()
    return tuple(unknown)


async def write_webhooks(
    session: AsyncSession,
    branch_id: uuid.UUID,
    webhooks: Mapping[int, int],
    secret: str | None,
) -> None:
    """The event-type subscriptions in the branch's config and, when given, the tenant's
    webhook secret (one for all its subscriptions). The caller commits."""
    branch = await session.get_one(Branch, branch_id)
    config = dict(branch.calendar_config or {})
    config["webhooks"] = {str(et): hook for et, hook in sorted(webhooks.items())}
    # A new dict: the JSON column notices replacement, not changes inside the old one.
    branch.calendar_config = config
    if secret is not None:
        tenant = await session.get_one(Tenant, branch.tenant_id)
        tenant.calcom_webhook_secret = secret
    await session.flush()


# -- status ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MirrorFreshness:
    days: int
    oldest_fetch: datetime | None
    newest_fetch: datetime | None
    stale_days: int
    never_fetched: int


@dataclass(frozen=True, slots=True)
class BranchLink:
    branch: Branch
    services: list[tuple[str, int | None]]
    staff: list[tuple[str, int | None]]
    mirror: MirrorFreshness


@dataclass(frozen=True, slots=True)
class LinkOverview:
    tenant: Tenant
    branches: list[BranchLink]
    unsynced: dict[SyncState, int]
    last_synced_at: datetime | None


async def link_overview(session: AsyncSession, tenant: Tenant) -> LinkOverview:
    """What ``calcom status`` shows: linked branches with their services and staff, the
    appointments not (yet) in Cal.com, the last sync and the availability mirror's age."""
    linked = [
        b
        for b in await branches_of_tenant(session, tenant.id)
        if b.calendar_provider is CalendarProvider.CALCOM
    ]
    branches = [
        BranchLink(
            branch=b,
            services=[
                (s.name, s.calcom_event_type_id)
                for s in await services_of_branch(session, b.id)
                if s.active
            ],
            staff=[
                (s.name, s.calcom_user_id) for s in await staff_of_branch(session, b.id) if s.active
            ],
            mirror=await _mirror(session, b.id),
        )
        for b in linked
    ]
    counts = await session.execute(
        select(Appointment.sync_state, func.count())
        .where(Appointment.tenant_id == tenant.id, Appointment.sync_state.in_(UNSYNCED))
        .group_by(Appointment.sync_state)
    )
    unsynced: dict[SyncState, int] = dict.fromkeys(UNSYNCED, 0)
    unsynced.update((SyncState(state), int(n)) for state, n in counts.all())
    last = await session.scalar(
        select(func.max(Appointment.last_synced_at)).where(Appointment.tenant_id == tenant.id)
    )
    return LinkOverview(tenant, branches, unsynced, last)


async def _mirror(session: AsyncSession, branch_id: uuid.UUID) -> MirrorFreshness:
    row = (
        await session.execute(
            select(
                func.count(),
                func.min(CalendarMirrorDay.fetched_at),
                func.max(CalendarMirrorDay.fetched_at),
                func.count(CalendarMirrorDay.stale_since),
                func.count() - func.count(CalendarMirrorDay.fetched_at),
            ).where(CalendarMirrorDay.branch_id == branch_id)
        )
    ).one()
    days, oldest, newest, stale, never = row
    return MirrorFreshness(int(days), oldest, newest, int(stale), int(never))


async def unlink_branch(session: AsyncSession, tenant: Tenant, branch: Branch) -> bool:
    """The branch back on the built-in calendar (its staff's and services' Cal.com ids are kept
    for a later connect). The tenant's Cal.com key is forgotten once no branch uses Cal.com.
    Returns whether the branch was on an outside calendar. The caller commits."""
    was_linked = CalendarProvider(branch.calendar_provider) is not CalendarProvider.BUILTIN
    branch.calendar_provider = CalendarProvider.BUILTIN
    branch.calendar_config = {}
    await session.flush()
    others = select(func.count()).where(
        Branch.tenant_id == tenant.id, Branch.calendar_provider != CalendarProvider.BUILTIN
    )
    if not (await session.execute(others)).scalar_one():
        tenant.calcom_api_key = None
    await session.flush()
    await bump_calendar_version(session, branch.id)
    return was_linked
