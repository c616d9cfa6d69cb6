"""The owner-settings use cases on SQLite and PostgreSQL: what they store, what they refuse
(with a German message and no partial write), another tenant's ids, and the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock, at
from tests.factories import World, make_world
from tests.settings_support import (
    ANNA,
    BART,
    BRANCH,
    HERREN,
    JONAS,
    LUNCH,
    OWNER,
    TENANT,
    hours,
    settings_uow,
)

from frontdesk import secrets
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import hours as hours_cases
from frontdesk.business import numbers, retell, timeoff
from frontdesk.business import services as service_cases
from frontdesk.business.owner import Owner
from frontdesk.business.services import ServiceDraft
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import AuditLog, Branch, OpeningHours, Tenant, WorkingHours
from frontdesk.domain.errors import (
    DomainError,
    InvalidSetting,
    NotFound,
    PhoneNumberTaken,
    SettingNotFound,
    UnknownService,
    UnknownStaff,
)


@pytest.fixture
def uow(db: AsyncEngine, clock: FakeClock, demo: DemoCredentials) -> UnitOfWork:
    def ticking() -> datetime:
        # A microsecond later at every reading: a test's audit rows are then ordered as its
        # changes were made (at one instant for all, PostgreSQL returns the ties in any order).
        clock.advance(timedelta(microseconds=1))
        return clock()

    return settings_uow(db, ticking)


@pytest.fixture
async def other(sessions: async_sessionmaker[AsyncSession]) -> World:
    async with sessions() as session:
        return await make_world(session, slug="other")


async def rows(sessions: async_sessionmaker[AsyncSession], table: type[Any]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def version(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        branch = await session.get(Branch, BRANCH)
        assert branch is not None
        return branch.calendar_version


async def audit(sessions: async_sessionmaker[AsyncSession]) -> list[AuditLog]:
    async with sessions() as session:
        stmt = select(AuditLog).where(AuditLog.actor == OWNER.actor)
        return list((await session.execute(stmt.order_by(AuditLog.created_at))).scalars())


async def test_the_demo_week_reads_as_a_page_shows_it(uow: UnitOfWork) -> None:
    week = await hours_cases.opening_hours(uow, OWNER, BRANCH)
    assert week.kept
    assert [d.name_de for d in week.days if d.closed] == ["Montag", "Sonntag"]
    assert week.days[5].windows == (hours(9, 14),)
    anna = await hours_cases.staff_week(uow, OWNER, ANNA)
    assert anna.name == "Anna Becker"
    assert anna.days[1].windows == (hours(9, 18, *LUNCH),)


async def test_opening_hours_are_replaced_bumped_and_audited(
    uow: UnitOfWork, sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = await version(sessions)
    week = {2: [hours(14, 18), hours(9, 12)], 5: [hours(10, 13)]}
    view = await hours_cases.set_opening_hours(uow, OWNER, BRANCH, week)
    assert view.days[2].windows == (hours(9, 12), hours(14, 18))
    assert view.days[1].closed
    assert await version(sessions) == before + 1
    assert await rows(sessions, OpeningHours) == 3
    [entry] = await audit(sessions)
    assert entry.action == "opening_hours.set"
    assert entry.tenant_id == TENANT
    assert entry.data["after"] == {"2": [["09:00", "12:00", []], ["14:00", "18:00", []]],
                                   "5": [["10:00", "13:00", []]]}  # fmt: skip
    assert entry.data["before"]["1"] == [["09:00", "18:00", []]]
    # Keeping none at all: the staff's hours decide alone.
    assert not (await hours_cases.set_opening_hours(uow, OWNER, BRANCH, {})).kept


@pytest.mark.parametrize(
    ("week", "says"),
    [
        ({1: [hours(9, 13), hours(12, 18)]}, "überschneiden sich"),
        ({1: [hours(18, 9)]}, "nicht nach dem Beginn"),
        ({1: [hours(9, 18, (time(8), time(9, 30)))]}, "nicht innerhalb der Arbeitszeit"),
        ({1: [hours(9, 18, (time(12), time(13)), (time(12, 30), time(14)))]}, "Pausen"),
        ({7: [hours(9, 18)]}, "Wochentag"),
    ],
)
async def test_a_bad_week_is_refused_in_german_and_nothing_is_written(
    uow: UnitOfWork,
    sessions: async_sessionmaker[AsyncSession],
    week: dict[int, Any],
    says: str,
) -> None:
    windows, versions = await rows(sessions, WorkingHours), await version(sessions)
    with pytest.raises(InvalidSetting) as refused:
        await hours_cases.set_staff_week(uow, OWNER, JONAS, week)
    assert refused.value.message is not None
    assert says in refused.value.message
    assert refused.value.status == 422
    assert await rows(sessions, WorkingHours) == windows
    assert await version(sessions) == versions
    assert await audit(sessions) == []


async def test_a_staff_week_with_breaks_and_a_split_shift(uow: UnitOfWork) -> None:
    week = {1: [hours(14, 19), hours(8, 12, (time(10), time(10, 15)))], 3: []}
    view = await hours_cases.set_staff_week(uow, OWNER, ANNA, week)
    assert view.days[1].windows == (hours(8, 12, (time(10), time(10, 15))), hours(14, 19))
    assert view.days[3].closed
    assert await hours_cases.staff_week(uow, OWNER, ANNA) == view


async def test_another_tenants_ids_are_not_found(uow: UnitOfWork, other: World) -> None:
    """The demo owner reaching for the other tenant's branch, staff, service: not found."""
    theirs_staff, theirs_service = other.staff_ids[0], other.service_id
    attempts = [
        lambda: hours_cases.opening_hours(uow, OWNER, other.branch_id),
        lambda: hours_cases.set_opening_hours(uow, OWNER, other.branch_id, {}),
        lambda: hours_cases.staff_week(uow, OWNER, theirs_staff),
        lambda: hours_cases.set_staff_week(uow, OWNER, theirs_staff, {}),
        lambda: timeoff.add_absence(uow, OWNER, theirs_staff, at(2, 9), at(2, 12)),
        lambda: timeoff.add_closure(uow, OWNER, other.branch_id, at(2, 0).date(), at(2, 0).date()),
        lambda: timeoff.absences(uow, OWNER, other.branch_id),
        lambda: service_cases.services(uow, OWNER, other.branch_id),
        lambda: service_cases.set_service_active(uow, OWNER, theirs_service, False),
        lambda: service_cases.update_service(
            uow, OWNER, theirs_service, ServiceDraft("X", 30, [ANNA])
        ),
        lambda: service_cases.create_service(
            uow, OWNER, BRANCH, ServiceDraft("X", 30, [theirs_staff])
        ),
        lambda: numbers.add_number(uow, OWNER, other.branch_id, "+49 30 9999999"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound) as refused:
            await attempt()
        assert refused.value.message
    # And the other tenant's owner sees nothing of the demo salon.
    stranger = Owner(other.tenant_id, "user:stranger")
    with pytest.raises(UnknownStaff):
        await hours_cases.staff_week(uow, stranger, ANNA)
    with pytest.raises(UnknownService):
        await service_cases.set_service_active(uow, stranger, HERREN, False)


async def test_absences_and_closures(
    uow: UnitOfWork, sessions: async_sessionmaker[AsyncSession]
) -> None:
    absence = await timeoff.add_absence(uow, OWNER, JONAS, at(7, 0), at(12, 0), "Urlaub")
    with pytest.raises(InvalidSetting, match="overlaps"):
        await timeoff.add_absence(uow, OWNER, JONAS, at(10, 9), at(10, 12), "Krank")
    sick = await timeoff.add_absence(uow, OWNER, ANNA, at(10, 9), at(10, 12), "Krank")
    with pytest.raises(InvalidSetting, match="ends before"):
        await timeoff.add_absence(uow, OWNER, ANNA, at(11, 12), at(11, 9))
    assert [a.id for a in await timeoff.absences(uow, OWNER, BRANCH)] == [absence.id, sick.id]
    closure = await timeoff.add_closure(uow, OWNER, BRANCH, at(24, 0).date(), at(31, 0).date())
    # Local days in Berlin: midnight to midnight, the last day included.
    assert (closure.starts_at, closure.ends_at) == (at(24, 0), at(1, 0, month=1).replace(year=2027))
    assert await timeoff.closures(uow, OWNER, BRANCH) == [closure]
    await timeoff.remove_closure(uow, OWNER, closure.id)
    await timeoff.remove_absence(uow, OWNER, sick.id)
    assert await timeoff.closures(uow, OWNER, BRANCH) == []
    with pytest.raises(SettingNotFound):
        await timeoff.remove_absence(uow, OWNER, sick.id)
    actions = [e.action for e in await audit(sessions)]
    assert actions == ["absence.add", "absence.add", "closure.add", "closure.remove",
                       "absence.remove"]  # fmt: skip


async def test_services_are_created_edited_and_deactivated(
    uow: UnitOfWork, sessions: async_sessionmaker[AsyncSession]
) -> None:
    draft = ServiceDraft(
        " Kinderhaarschnitt ", 25, [ANNA, JONAS], 5, 10, 1800, ("Kinder", "kinder ", "")
    )
    made = await service_cases.create_service(uow, OWNER, BRANCH, draft)
    assert (made.name, made.aliases, made.active) == ("Kinderhaarschnitt", ("Kinder",), True)
    assert made.staff_ids == tuple(sorted([ANNA, JONAS]))
    with pytest.raises(InvalidSetting, match="exists") as refused:
        await service_cases.create_service(uow, OWNER, BRANCH, draft)
    assert refused.value.message == "Die Leistung „Kinderhaarschnitt“ gibt es schon."
    edited = await service_cases.update_service(
        uow, OWNER, made.id, ServiceDraft("Kinderhaarschnitt", 30, [ANNA])
    )
    assert (edited.duration_minutes, edited.staff_ids, edited.price_cents) == (30, (ANNA,), None)
    off = await service_cases.set_service_active(uow, OWNER, BART, False)
    assert not off.active
    listed = {s.id: s for s in await service_cases.services(uow, OWNER, BRANCH)}
    assert not listed[BART].active
    assert listed[made.id] == edited
    [create, update, deactivate] = await audit(sessions)
    assert update.data["before"]["duration_minutes"] == 25
    assert update.data["after"]["duration_minutes"] == 30
    assert (create.action, deactivate.action) == ("service.create", "service.deactivate")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -15}, "duration_minutes"),
        ({"buffer_before_minutes": -5}, "buffer_before_minutes"),
        ({"buffer_after_minutes": 24 * 60 + 1}, "buffer_after_minutes"),
        ({"price_cents": -1}, "price_cents"),
        ({"name": "  "}, "name"),
        ({"staff_ids": []}, "staff_ids"),
    ],
)
async def test_a_bad_service_is_refused_and_nothing_changes(
    uow: UnitOfWork,
    sessions: async_sessionmaker[AsyncSession],
    change: dict[str, Any],
    field: str,
) -> None:
    values: dict[str, Any] = {"name": "Herrenhaarschnitt", "duration_minutes": 30,
                              "staff_ids": [ANNA]} | change  # fmt: skip
    before = await service_cases.services(uow, OWNER, BRANCH)
    with pytest.raises(InvalidSetting) as refused:
        await service_cases.update_service(uow, OWNER, HERREN, ServiceDraft(**values))
    assert refused.value.field == field
    assert refused.value.message
    assert await service_cases.services(uow, OWNER, BRANCH) == before
    assert await audit(sessions) == []


async def test_an_unknown_staff_member_is_refused_for_a_service(uow: UnitOfWork) -> None:
    with pytest.raises(UnknownStaff) as refused:
        await service_cases.create_service(
            uow, OWNER, BRANCH, ServiceDraft("Neu", 30, [ANNA, uuid.uuid4()])
        )
    assert refused.value.message
    assert "Neu" not in [s.name for s in await service_cases.services(uow, OWNER, BRANCH)]


async def test_phone_numbers_are_e164_and_unique_across_tenants(
    uow: UnitOfWork, other: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    added = await numbers.add_number(uow, OWNER, BRANCH, "030 98765432", "Zweitnummer")
    assert (added.e164, added.national, added.label) == ("+493098765432", "030 98765432",
                                                        "Zweitnummer")  # fmt: skip
    with pytest.raises(PhoneNumberTaken) as refused:
        await numbers.add_number(uow, OWNER, BRANCH, "+49 30 987 654 32")
    assert refused.value.message == "Die Nummer +493098765432 ist schon vergeben."
    stranger = Owner(other.tenant_id, "user:stranger")
    with pytest.raises(PhoneNumberTaken):
        await numbers.add_number(uow, stranger, other.branch_id, "+493098765432")
    with pytest.raises(InvalidSetting, match="valid phone"):
        await numbers.add_number(uow, OWNER, BRANCH, "12")
    with pytest.raises(SettingNotFound):
        await numbers.remove_number(uow, stranger, added.id)
    assert added in await numbers.numbers(uow, OWNER)
    await numbers.remove_number(uow, OWNER, added.id)
    assert added not in await numbers.numbers(uow, OWNER)
    assert [e.action for e in await audit(sessions)] == ["phone_number.add", "phone_number.remove"]


async def test_the_retell_key_is_sealed_never_shown_and_never_audited(
    uow: UnitOfWork, sessions: async_sessionmaker[AsyncSession]
) -> None:
    key = SecretStr("key_0123456789abcdef0123456789abcdef")
    secret_key = SecretStr(secrets.new_key())
    assert not (await retell.retell_key(uow, OWNER)).is_set
    view = await retell.set_retell_key(uow, OWNER, key, secret_key)
    assert (view.is_set, view.encrypted) == (True, True)
    assert key.get_secret_value() not in repr(view)
    async with sessions() as session:
        tenant = await session.get(Tenant, TENANT)
        assert tenant is not None
        stored = tenant.retell_api_key
    assert stored is not None
    assert key.get_secret_value() not in stored
    assert secrets.opened(stored, secret_key) == key.get_secret_value()
    with pytest.raises(InvalidSetting):
        await retell.set_retell_key(uow, OWNER, SecretStr("short"), secret_key)
    cleared = await retell.clear_retell_key(uow, OWNER)
    assert not cleared.is_set
    entries = await audit(sessions)
    assert [e.action for e in entries] == ["retell_key.set", "retell_key.clear"]
    assert all(key.get_secret_value() not in str(e.data) for e in entries)
    assert entries[0].data == {"before": {"is_set": False}, "after": {"is_set": True}}


async def test_every_refusal_is_a_domain_error_with_a_german_message(uow: UnitOfWork) -> None:
    with pytest.raises(DomainError) as refused:
        await timeoff.add_closure(uow, OWNER, BRANCH, at(3, 0).date(), at(2, 0).date())
    assert refused.value.message == "Der letzte Tag liegt vor dem ersten."


async def test_a_number_moves_to_another_branch_of_the_tenant_only(
    uow: UnitOfWork, other: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        second = Branch(tenant_id=TENANT, name="Nord", timezone="Europe/Berlin")
        session.add(second)
        await session.commit()
        second_id = second.id
    added = await numbers.add_number(uow, OWNER, BRANCH, "+49 40 1234567")
    moved = await numbers.move_number(uow, OWNER, added.id, second_id)
    assert (moved.id, moved.branch_id) == (added.id, second_id)
    with pytest.raises(SettingNotFound):
        await numbers.move_number(uow, OWNER, added.id, other.branch_id)
    assert [n.branch_id for n in await numbers.numbers(uow, OWNER) if n.id == added.id] == [
        second_id
    ]
