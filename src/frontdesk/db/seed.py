"""Write the demo business (``frontdesk.demo``) into the database, replacing any earlier copy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk import demo
from frontdesk.db.repositories import tenants
from frontdesk.db.tables import (
    Branch,
    Customer,
    OpeningHours,
    PhoneNumber,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    User,
    WorkingBreak,
    WorkingHours,
)
from frontdesk.domain.model import CalendarProvider, UserRole
from frontdesk.security import hash_password


@dataclass(frozen=True, slots=True)
class Login:
    email: str
    password: str
    role: UserRole


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    api_key: str
    logins: tuple[Login, ...]


async def seed_demo(session: AsyncSession, api_key: str, password: str) -> DemoCredentials:
    """Replace the demo tenant with a fresh copy in one transaction and commit.

    Re-seeding deletes the previous demo tenant with everything it owns (appointments, calls,
    keys), so running ``frontdesk demo`` twice leaves exactly one demo business.
    """
    await tenants.delete_by_slug(session, demo.TENANT_SLUG)
    await session.flush()
    tenant = Tenant(
        id=demo.demo_id(),
        slug=demo.TENANT_SLUG,
        name=demo.TENANT_NAME,
        locale="de-DE",
        timezone="Europe/Berlin",
    )
    branch = Branch(
        id=demo.demo_id("branch", "mitte"),
        tenant_id=tenant.id,
        name="Mitte",
        timezone="Europe/Berlin",
        state_code="BE",
        calendar_provider=CalendarProvider.BUILTIN,
        slot_step_minutes=demo.SLOT_STEP_MINUTES,
        address=demo.BRANCH_ADDRESS,
    )
    # Tables have no ORM relationships, so the unit of work does not order inserts by foreign
    # key: each level is flushed before the next one is added.
    session.add(tenant)
    await session.flush()
    session.add(branch)
    await session.flush()
    session.add(
        PhoneNumber(tenant_id=tenant.id, branch_id=branch.id, e164=demo.PHONE_NUMBER, label="Mitte")
    )
    # The salon's opening hours (the staff work them, with a lunch break on weekdays).
    session.add_all(
        OpeningHours(
            tenant_id=tenant.id,
            branch_id=branch.id,
            weekday=hours.weekday,
            starts_at=hours.start,
            ends_at=hours.end,
        )
        for hours in demo.OPENING_HOURS
    )
    await _add_staff(session, tenant, branch)
    await _add_services(session, tenant, branch)
    session.add(
        Customer(
            id=demo.demo_id("customer", "erika"),
            tenant_id=tenant.id,
            name=demo.KNOWN_CUSTOMER_NAME,
            phone_e164=demo.KNOWN_CUSTOMER_PHONE,
        )
    )
    logins = (
        Login(demo.OWNER_EMAIL, password, UserRole.OWNER),
        Login(demo.STAFF_LOGIN_EMAIL, password, UserRole.STAFF),
    )
    for login in logins:
        session.add(
            User(
                tenant_id=tenant.id,
                email=login.email,
                name=login.email.split("@")[0].capitalize(),
                password_hash=hash_password(login.password),
                role=login.role,
                staff_id=demo.demo_id("staff", "anna") if login.role is UserRole.STAFF else None,
            )
        )
    await tenants.add_api_key(session, tenant.id, "demo", api_key)
    await session.commit()
    return DemoCredentials(api_key=api_key, logins=logins)


async def _add_staff(session: AsyncSession, tenant: Tenant, branch: Branch) -> None:
    for order, person in enumerate(demo.STAFF):
        staff = Staff(
            id=demo.demo_id("staff", person.key),
            tenant_id=tenant.id,
            branch_id=branch.id,
            first_name=person.first_name,
            last_name=person.last_name,
            nicknames=list(person.nicknames),
            sort_order=order,
        )
        session.add(staff)
    await session.flush()
    breaks: list[WorkingBreak] = []
    for person in demo.STAFF:
        for hours in demo.OPENING_HOURS:
            window = WorkingHours(
                id=demo.demo_id("hours", person.key, str(hours.weekday)),
                tenant_id=tenant.id,
                staff_id=demo.demo_id("staff", person.key),
                weekday=hours.weekday,
                starts_at=hours.start,
                ends_at=hours.end,
            )
            session.add(window)
            breaks.extend(
                WorkingBreak(
                    tenant_id=tenant.id,
                    working_hours_id=window.id,
                    starts_at=start,
                    ends_at=end,
                )
                for start, end in hours.breaks
            )
    await session.flush()
    session.add_all(breaks)
    await session.flush()


async def _add_services(session: AsyncSession, tenant: Tenant, branch: Branch) -> None:
    for order, offer in enumerate(demo.SERVICES):
        session.add(
            Service(
                id=demo.demo_id("service", offer.key),
                tenant_id=tenant.id,
                branch_id=branch.id,
                name=offer.name,
                aliases=list(offer.aliases),
                duration_minutes=offer.minutes,
                price_cents=offer.price_cents,
                min_notice_minutes=demo.MIN_NOTICE_MINUTES,
                horizon_days=demo.HORIZON_DAYS,
                cancellation_policy=_cancellation_policy(offer),
                sort_order=order,
            )
        )
    await session.flush()
    session.add_all(
        ServiceStaff(
            service_id=demo.demo_id("service", offer.key),
            staff_id=demo.demo_id("staff", key),
            tenant_id=tenant.id,
        )
        for offer in demo.SERVICES
        for key in offer.staff
    )
    await session.flush()


def _cancellation_policy(offer: demo.DemoService) -> dict[str, object]:
    fees = (
        [
            {
                "within_minutes": demo.LATE_CANCEL_WINDOW_MINUTES,
                "fee_cents": offer.late_cancel_fee_cents,
            }
        ]
        if offer.late_cancel_fee_cents
        else []
    )
    return {"min_notice_minutes": 0, "fees": fees}
