"""Seeding the demo business is idempotent and yields the business of DESIGN §5."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk import demo
from frontdesk.db.repositories import tenants
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import (
    ApiKey,
    Customer,
    PhoneNumber,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    User,
    WorkingBreak,
    WorkingHours,
)
from frontdesk.security import verify_password


async def _count(session: AsyncSession, table: type) -> int:
    return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_seeding_twice_leaves_exactly_one_demo_business(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        await seed_demo(s, api_key="fd_first", password="pw1")
    async with sessions() as s:
        second = await seed_demo(s, api_key="fd_second", password="pw2")
    async with sessions() as s:
        assert await _count(s, Tenant) == 1
        assert await _count(s, Staff) == 3
        assert await _count(s, Service) == 6
        assert await _count(s, PhoneNumber) == 1
        assert await _count(s, Customer) == 1
        assert await _count(s, ApiKey) == 1
        assert await _count(s, User) == 2
        # Tue–Fri and Sat for three people; a lunch break on Tue–Fri.
        assert await _count(s, WorkingHours) == 15
        assert await _count(s, WorkingBreak) == 12
        # Damen 2 + Herren 3 + Färben 2 + Bart 1 + Beratung 3 + Waschen 3
        assert await _count(s, ServiceStaff) == 14
        assert await tenants.find_active_api_key(s, "fd_first") is None
        key = await tenants.find_active_api_key(s, second.api_key)
        assert key is not None
        assert key.tenant_id == demo.demo_id()


async def test_demo_matches_the_design(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s:
        credentials = await seed_demo(s, api_key="fd_demo", password="secret-pw")
    async with sessions() as s:
        tenant = await tenants.get_by_slug(s, "salon-sonnenschein")
        assert tenant is not None
        assert (tenant.name, tenant.locale) == ("Salon Sonnenschein", "de-DE")
        number = (await s.execute(select(PhoneNumber))).scalar_one()
        assert number.e164 == "+4930123456789"
        erika = (await s.execute(select(Customer))).scalar_one()
        assert (erika.name, erika.phone_e164) == ("Erika Mustermann", "+4915112345678")
        names = set((await s.execute(select(Staff.first_name, Staff.last_name))).all())
        assert names == {("Anna", "Becker"), ("Jonas", "Weber"), ("Mia", "Schulz")}
        minutes = dict((await s.execute(select(Service.name, Service.duration_minutes))).all())
        assert minutes == {
            "Damenhaarschnitt": 60,
            "Herrenhaarschnitt": 30,
            "Färben": 120,
            "Bartpflege": 20,
            "Beratung": 15,
            "Waschen & Föhnen": 45,
        }
        bart = (
            (
                await s.execute(
                    select(Staff.first_name)
                    .join(ServiceStaff, ServiceStaff.staff_id == Staff.id)
                    .join(Service, Service.id == ServiceStaff.service_id)
                    .where(Service.name == "Bartpflege")
                )
            )
            .scalars()
            .all()
        )
        assert bart == ["Jonas"]
        owner = (await s.execute(select(User).where(User.email == demo.OWNER_EMAIL))).scalar_one()
        assert verify_password("secret-pw", owner.password_hash)
        assert owner.password_hash != "secret-pw"
    assert {login.email for login in credentials.logins} == {
        demo.OWNER_EMAIL,
        demo.STAFF_LOGIN_EMAIL,
    }
