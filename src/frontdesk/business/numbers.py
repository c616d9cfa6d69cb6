"""The numbers callers dial, each routing to one branch (unique across all tenants).

A dialled number's route is cached per process for ``booking.directory.CACHE_TTL_S``: a number
added, moved or removed routes anew within that time (ADR 0021)."""

from __future__ import annotations

import uuid

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import rules
from frontdesk.business.hours import branch_of
from frontdesk.business.owner import Owner, record
from frontdesk.business.views import PhoneNumberView
from frontdesk.db.engine import DbSession
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import phone_numbers
from frontdesk.db.repositories import tenants as tenant_rows
from frontdesk.db.tables import PhoneNumber
from frontdesk.domain.errors import InvalidSetting, PhoneNumberTaken, SettingNotFound
from frontdesk.language.phone import E164, parse_phone


async def numbers(uow: UnitOfWork, owner: Owner) -> list[PhoneNumberView]:
    async with uow.reading() as session:
        rows = await phone_numbers.of_tenant(session, owner.tenant_id)
    return [_view(row) for row in rows]


async def add_number(
    uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID, number: str, label: str | None = None
) -> PhoneNumberView:
    """``number`` in any usual spelling ("030 1234567", "+49 30 …"), stored as E.164."""
    text = rules.text(label, "label", "Die Bezeichnung", rules.MAX_LABEL, required=False)
    async with uow.writing() as session:
        branch = await branch_of(session, owner, branch_id)
        tenant = await tenant_rows.get(session, owner.tenant_id)
        e164 = _e164(number, tenant.phone_region if tenant else "DE")
        if await phone_numbers.exists(session, e164):
            raise _taken(e164)
        try:
            async with uow.guarded(session):
                # Two owners adding one number at once: the unique key refuses the second.
                row = await phone_numbers.add(session, owner.tenant_id, branch.id, e164, text)
        except WriteRefused:
            raise _taken(e164) from None
        view = _view(row)
        await record(
            uow,
            session,
            owner,
            "phone_number.add",
            ("phone_number", row.id),
            None,
            {"e164": e164, "branch_id": str(branch.id), "label": text},
        )
        await uow.commit(session)
    return view


async def move_number(
    uow: UnitOfWork, owner: Owner, number_id: uuid.UUID, branch_id: uuid.UUID
) -> PhoneNumberView:
    """Route the number's calls to another branch of the tenant."""
    async with uow.writing() as session:
        row = await _number(session, owner, number_id)
        branch = await branch_of(session, owner, branch_id)
        before = str(row.branch_id)
        row.branch_id = branch.id
        await uow.flush(session)
        view = _view(row)
        await record(
            uow, session, owner, "phone_number.move", ("phone_number", row.id),
            {"branch_id": before}, {"branch_id": str(branch.id)},
        )  # fmt: skip
        await uow.commit(session)
    return view


async def remove_number(uow: UnitOfWork, owner: Owner, number_id: uuid.UUID) -> None:
    async with uow.writing() as session:
        row = await _number(session, owner, number_id)
        before = {"e164": row.e164, "branch_id": str(row.branch_id), "label": row.label}
        await phone_numbers.remove(session, row)
        await record(
            uow, session, owner, "phone_number.remove", ("phone_number", number_id), before, None
        )
        await uow.commit(session)


async def _number(session: DbSession, owner: Owner, number_id: uuid.UUID) -> PhoneNumber:
    row = await phone_numbers.get(session, owner.tenant_id, number_id)
    if row is None:
        raise SettingNotFound(f"no phone number {number_id}", "Diese Nummer gibt es nicht.")
    return row


def _taken(e164: str) -> PhoneNumberTaken:
    return PhoneNumberTaken(
        f"{e164} is already in use", f"Die Nummer {e164} ist schon vergeben.", "number"
    )


def _e164(number: str, region: str) -> str:
    parsed = parse_phone(number, region)
    if not isinstance(parsed, E164):
        raise InvalidSetting(
            "not a valid phone number",
            "Das ist keine gültige Telefonnummer.",
            "number",
        )
    return parsed.number


def _view(row: PhoneNumber) -> PhoneNumberView:
    return PhoneNumberView(
        row.id, row.e164, E164(row.e164, mobile=False).national, row.branch_id, row.label
    )
