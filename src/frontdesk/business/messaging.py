"""The owner's message settings (ADR 0024): reminders (off or N hours before; e-mail and/or
SMS), the tenant's sender address, a branch's address as messages show it, and which logins
hear of phone bookings, cancellations and sync conflicts. Each change audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.owner import Owner, record
from frontdesk.business.retell import tenant_of
from frontdesk.db.repositories import schedule as branch_rows
from frontdesk.db.repositories import schedules as schedule_rows
from frontdesk.db.repositories import users as user_rows
from frontdesk.domain import rules
from frontdesk.domain.errors import InvalidRequest, InvalidSetting, SettingNotFound
from frontdesk.domain.model import UserRole

MAX_REMINDER_HOURS = 168  # a week; longer is no reminder any more
MAX_ADDRESS = 300


@dataclass(frozen=True, slots=True)
class MessageSettings:
    reminder_hours: int | None  # None: no reminders
    reminder_email: bool
    reminder_sms: bool
    mail_from: str | None


async def message_settings(uow: UnitOfWork, owner: Owner) -> MessageSettings:
    async with uow.reading() as session:
        tenant = await tenant_of(session, owner)
        return _view(
            tenant.reminder_hours, tenant.reminder_email, tenant.reminder_sms, tenant.mail_from
        )


async def set_message_settings(
    uow: UnitOfWork, owner: Owner, wanted: MessageSettings
) -> MessageSettings:
    """Store ``wanted`` after checking it (``InvalidSetting`` and nothing written otherwise)."""
    hours = wanted.reminder_hours
    if hours is not None and not 1 <= hours <= MAX_REMINDER_HOURS:
        raise InvalidSetting(
            f"reminder hours must be 1-{MAX_REMINDER_HOURS}",
            f"Erinnerungen gehen 1 bis {MAX_REMINDER_HOURS} Stunden vor dem Termin.",
            "reminder_hours",
        )
    if hours is not None and not (wanted.reminder_email or wanted.reminder_sms):
        # Reminders "on" without a channel would send nothing while the settings say they are
        # on; the owner turns them off instead (ADR 0024).
        raise InvalidSetting(
            "reminders need e-mail or SMS",
            "Erinnerungen brauchen E-Mail, SMS oder beides – oder schalten Sie sie aus.",
            "reminder_channels",
        )
    try:
        sender = rules.email(wanted.mail_from)
    except InvalidRequest as exc:
        raise InvalidSetting(
            str(exc), "Das ist keine gültige E-Mail-Adresse.", "mail_from"
        ) from exc
    async with uow.writing() as session:
        tenant = await tenant_of(session, owner)
        before = _view(
            tenant.reminder_hours, tenant.reminder_email, tenant.reminder_sms, tenant.mail_from
        )
        tenant.reminder_hours = hours
        tenant.reminder_email = wanted.reminder_email
        tenant.reminder_sms = wanted.reminder_sms
        tenant.mail_from = sender
        after = _view(hours, wanted.reminder_email, wanted.reminder_sms, sender)
        await record(
            uow,
            session,
            owner,
            "message_settings.set",
            ("tenant", tenant.id),
            _data(before),
            _data(after),
        )
        await uow.commit(session)
    return after


async def set_branch_address(
    uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID, address: str | None
) -> str | None:
    """The one-line address customer messages show for the branch (None: none shown)."""
    try:
        text = rules.checked_text((address or "").strip(), "address", MAX_ADDRESS, single_line=True)
    except InvalidRequest as exc:
        raise InvalidSetting(
            str(exc),
            f"Die Adresse ist eine Zeile mit höchstens {MAX_ADDRESS} Zeichen.",
            "address",
        ) from exc
    value = text or None
    async with uow.writing() as session:
        branch = await schedule_rows.branch(session, owner.tenant_id, branch_id)
        if branch is None:
            raise SettingNotFound(f"no branch {branch_id}", "Diese Filiale gibt es nicht.")
        before = branch.address
        branch.address = value
        await record(
            uow, session, owner, "branch_address.set", ("branch", branch.id), before, value
        )
        await uow.commit(session)
    return value


async def set_notify_by_email(uow: UnitOfWork, owner: Owner, user_id: uuid.UUID, on: bool) -> bool:
    """Whether the login gets e-mail on phone bookings, cancellations and sync conflicts."""
    async with uow.writing() as session:
        user = await user_rows.get(session, owner.tenant_id, user_id)
        if user is None:
            raise SettingNotFound(f"no user {user_id}", "Diesen Zugang gibt es nicht.")
        before = user.notify_by_email
        user.notify_by_email = on
        await record(uow, session, owner, "notify_by_email.set", ("user", user.id), before, on)
        await uow.commit(session)
    return on


@dataclass(frozen=True, slots=True)
class BranchAddress:
    id: uuid.UUID
    name: str
    address: str | None


@dataclass(frozen=True, slots=True)
class Login:
    """A login as the messages page lists it (no password, no session)."""

    id: uuid.UUID
    name: str
    email: str
    is_owner: bool
    notify_by_email: bool


async def branch_addresses(uow: UnitOfWork, owner: Owner) -> list[BranchAddress]:
    """Each branch with the address its customers' messages show."""
    async with uow.reading() as session:
        rows = await branch_rows.branches_of_tenant(session, owner.tenant_id)
    return [BranchAddress(row.id, row.name, row.address) for row in rows]


async def logins(uow: UnitOfWork, owner: Owner) -> list[Login]:
    """The tenant's active logins (owners first, then by name) and whether each hears of
    phone bookings, cancellations and sync conflicts by e-mail."""
    async with uow.reading() as session:
        rows = await user_rows.of_tenant(session, owner.tenant_id)
    found = [
        Login(row.id, row.name, row.email, row.role is UserRole.OWNER, row.notify_by_email)
        for row in rows
    ]
    return sorted(found, key=lambda login: not login.is_owner)


def _view(hours: int | None, email: bool, sms: bool, sender: str | None) -> MessageSettings:
    return MessageSettings(hours, email, sms, sender)


def _data(view: MessageSettings) -> dict[str, object]:
    return {
        "reminder_hours": view.reminder_hours,
        "reminder_email": view.reminder_email,
        "reminder_sms": view.reminder_sms,
        "mail_from": view.mail_from,
    }
