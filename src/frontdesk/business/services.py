"""The services a branch offers: create, edit, deactivate (never deleted: appointments and the
call log refer to them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import rules
from frontdesk.business.hours import branch_of
from frontdesk.business.owner import Owner, record
from frontdesk.business.views import ServiceView
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import services as service_rows
from frontdesk.db.tables import Service
from frontdesk.domain.errors import InvalidSetting, UnknownService, UnknownStaff


@dataclass(frozen=True, slots=True)
class ServiceDraft:
    """A service as the owner enters it."""

    name: str
    duration_minutes: int
    staff_ids: Sequence[uuid.UUID]
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    price_cents: int | None = None
    aliases: Sequence[str] = field(default_factory=tuple)


async def services(uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID) -> list[ServiceView]:
    """Active and inactive services of the branch."""
    async with uow.reading() as session:
        branch = await branch_of(session, owner, branch_id)
        rows = await service_rows.of_branch(session, owner.tenant_id, branch.id)
        links = await service_rows.staff_of(session, [row.id for row in rows])
    return [_view(row, [s for sid, s in links if sid == row.id]) for row in rows]


async def service(uow: UnitOfWork, owner: Owner, service_id: uuid.UUID) -> ServiceView:
    """One service of the tenant (``UnknownService`` for another tenant's)."""
    async with uow.reading() as session:
        row = await _service(session, owner, service_id)
        staff = [s for _, s in await service_rows.staff_of(session, [row.id])]
    return _view(row, staff)


async def create_service(
    uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID, draft: ServiceDraft
) -> ServiceView:
    values = _values(draft)
    async with uow.writing() as session:
        branch = await branch_of(session, owner, branch_id)
        await _check(session, owner, branch.id, values["name"], draft.staff_ids, None)
        row = await service_rows.add(session, owner.tenant_id, branch.id, **values)
        await service_rows.set_staff(session, owner.tenant_id, row.id, draft.staff_ids)
        view = _view(row, draft.staff_ids)
        await record(
            uow,
            session,
            owner,
            "service.create",
            ("service", row.id),
            None,
            _audit(view),
            branch.id,
        )
        await uow.commit(session)
    return view


async def update_service(
    uow: UnitOfWork, owner: Owner, service_id: uuid.UUID, draft: ServiceDraft
) -> ServiceView:
    values = _values(draft)
    async with uow.writing() as session:
        row = await _service(session, owner, service_id)
        before = _audit(_view(row, [s for _, s in await service_rows.staff_of(session, [row.id])]))
        await _check(session, owner, row.branch_id, values["name"], draft.staff_ids, row.id)
        service_rows.update(row, **values)
        await service_rows.set_staff(session, owner.tenant_id, row.id, draft.staff_ids)
        view = _view(row, draft.staff_ids)
        await record(
            uow,
            session,
            owner,
            "service.update",
            ("service", row.id),
            before,
            _audit(view),
            row.branch_id,
        )
        await uow.commit(session)
    return view


async def set_service_active(
    uow: UnitOfWork, owner: Owner, service_id: uuid.UUID, active: bool
) -> ServiceView:
    """Deactivate (callers can no longer book it; booked appointments stay) or reactivate."""
    async with uow.writing() as session:
        row = await _service(session, owner, service_id)
        staff = [s for _, s in await service_rows.staff_of(session, [row.id])]
        before = row.active
        service_rows.update(row, active=active)
        view = _view(row, staff)
        await record(
            uow,
            session,
            owner,
            "service.activate" if active else "service.deactivate",
            ("service", row.id),
            {"active": before},
            {"active": active},
            row.branch_id,
        )
        await uow.commit(session)
    return view


def _values(draft: ServiceDraft) -> dict[str, Any]:
    """The draft checked, as column values (before any session is opened: no partial write)."""
    return {
        "name": rules.text(draft.name, "name", "Der Name", rules.MAX_NAME, required=True),
        "duration_minutes": rules.minutes(
            draft.duration_minutes, "duration_minutes", "Die Dauer", positive=True
        ),
        "buffer_before_minutes": rules.minutes(
            draft.buffer_before_minutes,
            "buffer_before_minutes",
            "Die Pufferzeit davor",
            positive=False,
        ),
        "buffer_after_minutes": rules.minutes(
            draft.buffer_after_minutes,
            "buffer_after_minutes",
            "Die Pufferzeit danach",
            positive=False,
        ),
        "price_cents": rules.price(draft.price_cents),
        "aliases": rules.aliases(draft.aliases),
    }


async def _check(
    session: DbSession,
    owner: Owner,
    branch_id: uuid.UUID,
    name: str,
    staff_ids: Sequence[uuid.UUID],
    service_id: uuid.UUID | None,
) -> None:
    if not staff_ids:
        raise InvalidSetting(
            "a service needs at least one staff member",
            "Bitte mindestens eine Person wählen, die die Leistung anbietet.",
            "staff_ids",
        )
    known = await service_rows.staff_in_branch(session, owner.tenant_id, branch_id, staff_ids)
    if missing := set(staff_ids) - known:
        raise UnknownStaff(
            f"no staff member {sorted(missing)[0]} in this branch",
            "Diese Mitarbeiterin / diesen Mitarbeiter gibt es in dieser Filiale nicht.",
        )
    if await service_rows.name_taken(session, branch_id, name, service_id):
        raise InvalidSetting(
            f"a service named {name!r} exists", f"Die Leistung „{name}“ gibt es schon.", "name"
        )


async def _service(session: DbSession, owner: Owner, service_id: uuid.UUID) -> Service:
    row = await service_rows.get(session, owner.tenant_id, service_id)
    if row is None:
        raise UnknownService(f"no service {service_id}", "Diese Leistung gibt es nicht.")
    return row


def _view(row: Service, staff_ids: Sequence[uuid.UUID]) -> ServiceView:
    return ServiceView(
        id=row.id,
        branch_id=row.branch_id,
        name=row.name,
        duration_minutes=row.duration_minutes,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        price_cents=row.price_cents,
        aliases=tuple(row.aliases or ()),
        staff_ids=tuple(sorted(set(staff_ids))),
        active=row.active,
    )


def _audit(view: ServiceView) -> dict[str, Any]:
    return {
        "name": view.name,
        "duration_minutes": view.duration_minutes,
        "buffer_before_minutes": view.buffer_before_minutes,
        "buffer_after_minutes": view.buffer_after_minutes,
        "price_cents": view.price_cents,
        "aliases": list(view.aliases),
        "staff_ids": [str(s) for s in view.staff_ids],
        "active": view.active,
    }
