"""What a customer may do through a manage link (ADR 0026): see the appointment, cancel it
within the cancellation policy, or move it to another free time.

The link's token (``manage_link``) says which appointment at which start; here the database
decides whether that is still the appointment's state. Changes go through the same use cases as
every other channel (``cancel``, ``reschedule``), with the version read here as the expected
version, so a link cannot act on a state it did not show: a move or cancellation in between
makes the change refuse, and the link then reports itself used. A link never charges a fee:
a cancellation that would cost one is refused with the policy's terms (call the business).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdesk.booking import find
from frontdesk.booking.cancel import cancel
from frontdesk.booking.manage_link import LinkRef
from frontdesk.booking.policy import CancellationTerms, cancellation_terms
from frontdesk.booking.reschedule import reschedule
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.booking.views import SlotView
from frontdesk.db.repositories import manage_links
from frontdesk.domain.errors import (
    AlreadyCancelled,
    ConcurrentUpdate,
    DomainError,
    NotChangeable,
)
from frontdesk.domain.model import ACTIVE_STATUSES, AppointmentStatus

# The audit trail's actor for changes made through a link (audit_log.actor is text).
ACTOR = "customer:link"
CANCEL_REASON = "cancelled by the customer (manage link)"


class Gone(StrEnum):
    """Why a link that we did issue no longer acts."""

    UNKNOWN = "unknown"  # the appointment no longer exists (said like an invalid link)
    REPLACED = "replaced"  # the appointment was moved since the link was sent
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # begun, over, or no longer active


class LinkGone(DomainError):
    code = "link_gone"
    status = 410
    title = "Link no longer valid"

    def __init__(self, why: Gone, locale: str | None = None) -> None:
        super().__init__(f"manage link {why.value}")
        self.why = why
        self.locale = locale  # the business's, when the appointment is known


@dataclass(frozen=True, slots=True)
class FeeTier:
    within: timedelta
    fee_cents: int


@dataclass(frozen=True, slots=True)
class ManagedAppointment:
    """The appointment as the link's page shows it, in the branch's zone."""

    ref: LinkRef
    business_name: str
    branch_name: str
    locale: str
    zone: ZoneInfo
    start: datetime
    end: datetime
    version: int
    service_id: uuid.UUID
    service_name: str
    staff_name: str
    terms_now: CancellationTerms  # what cancelling now would mean
    min_notice: timedelta
    fees: tuple[FeeTier, ...]  # widest window first

    @property
    def free_until(self) -> datetime:
        """The last moment cancelling costs nothing (in the branch's zone)."""
        widest = max([self.min_notice, *(tier.within for tier in self.fees)])
        return self.start - widest


@dataclass(frozen=True, slots=True)
class Moved:
    ref: LinkRef  # the new state's link
    start: datetime


async def open_link(uow: UnitOfWork, ref: LinkRef) -> ManagedAppointment:
    """The appointment ``ref`` names, as it is now; ``LinkGone`` when the link no longer acts."""
    async with uow.reading() as session:
        row = await manage_links.linked(session, ref.tenant_id, ref.appointment_id)
    if row is None:
        raise LinkGone(Gone.UNKNOWN)
    now = uow.clock()
    if row.status is AppointmentStatus.CANCELLED:
        raise LinkGone(Gone.CANCELLED, row.locale)
    if _minute(row.starts_at) != _minute(ref.starts_at):
        raise LinkGone(Gone.REPLACED, row.locale)
    if row.status not in ACTIVE_STATUSES or row.starts_at <= now:
        raise LinkGone(Gone.EXPIRED, row.locale)
    policy = row.cancellation_policy
    tz = ZoneInfo(row.timezone)
    fees = sorted(
        (
            FeeTier(timedelta(minutes=int(t["within_minutes"])), int(t["fee_cents"]))
            for t in policy.get("fees", [])
        ),
        key=lambda tier: tier.within,
        reverse=True,
    )
    return ManagedAppointment(
        ref=ref,
        business_name=row.business_name,
        branch_name=row.branch_name,
        locale=row.locale,
        zone=tz,
        start=row.starts_at.astimezone(tz),
        end=row.ends_at.astimezone(tz),
        version=row.version,
        service_id=row.service_id,
        service_name=row.service_name,
        staff_name=f"{row.staff_first_name} {row.staff_last_name}".strip(),
        terms_now=cancellation_terms(policy, row.starts_at - now),
        min_notice=timedelta(minutes=int(policy.get("min_notice_minutes", 0))),
        fees=tuple(fees),
    )


async def free_times(uow: UnitOfWork, managed: ManagedAppointment, day: date) -> list[SlotView]:
    """Free starts of the appointment's service on ``day`` (anyone who offers it), from the
    same availability use case every channel asks."""
    search = await find.find_slots(uow, managed.ref.tenant_id, managed.service_id, day, 1)
    return list(search.slots)


async def cancel_by_link(uow: UnitOfWork, ref: LinkRef) -> ManagedAppointment:
    """Cancel within the policy (``TooLateToCancel``/``FeeNotAccepted`` otherwise, nothing
    changed); the appointment as it was shown."""
    managed = await open_link(uow, ref)
    try:
        await cancel(
            uow,
            ref.tenant_id,
            ref.appointment_id,
            CANCEL_REASON,
            expected_version=managed.version,
            accept_fee=False,
            actor=ACTOR,
        )
    except (AlreadyCancelled, ConcurrentUpdate, NotChangeable):
        await _gone_now(uow, ref)
        raise
    return managed


async def move_by_link(
    uow: UnitOfWork, ref: LinkRef, new_start: datetime, staff_id: uuid.UUID | None
) -> Moved:
    """Move to a free ``new_start`` (``SlotUnavailable`` with alternatives otherwise)."""
    managed = await open_link(uow, ref)
    try:
        moved = await reschedule(
            uow,
            ref.tenant_id,
            ref.appointment_id,
            new_start,
            staff_id,
            expected_version=managed.version,
            actor=ACTOR,
        )
    except (AlreadyCancelled, ConcurrentUpdate, NotChangeable):
        await _gone_now(uow, ref)
        raise
    new_ref = LinkRef(ref.tenant_id, ref.appointment_id, moved.start)
    return Moved(new_ref, moved.start.astimezone(managed.zone))


async def _gone_now(uow: UnitOfWork, ref: LinkRef) -> None:
    """Changed since the page was read: say what the link is now (``LinkGone``) when it no
    longer acts; otherwise the caller re-raises the refusal."""
    await open_link(uow, ref)


def _minute(instant: datetime) -> int:
    return int(instant.timestamp() // 60)
