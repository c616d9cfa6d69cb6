"""Reconciliation (ADR 0017): compare a branch's Cal.com bookings of a window with our
appointments and fix what differs, so whatever lost webhooks or a crash left behind converges.

The fixes, by class (``reconcile_diff.Kind``):

- ``missing_here`` — a booking made on Cal.com we never heard of: Cal.com wins; its facts go
  through the webhook's merge (``calendar_events.merge``), the one path that creates a booking
  from Cal.com (a clash there is a ``conflict`` for a person, never a cancellation);
- ``missing_there`` — Cal.com does not hold our active appointment (or holds it cancelled):
  for a row we still owe Cal.com (``pending_sync``) or made ourselves, ours wins and the saga is
  asked again (``request_sync``); a booking made on Cal.com and cancelled there is merged
  (Cal.com wins: the appointment is cancelled);
- ``time_differs`` / ``host_differs`` / ``status_differs`` — on our own booking the saga makes
  Cal.com match the row; on a booking made on Cal.com a uid's time and host never change there,
  so the difference is reported for a person (nothing is guessed);
- ``duplicate_there`` — a second active Cal.com booking carrying our appointment id that is
  not the appointment's uid: our saga wrote it twice (a create whose answer was lost); it is
  cancelled on Cal.com. It carries our id, so no customer's booking is touched.

A run changes nothing that is already right, so a second run finds nothing to fix.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdesk.booking import calendar_events, sync
from frontdesk.booking.reconcile_diff import Kind, Mismatch, Ours, classify
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.calcom import webhook
from frontdesk.calendars.calcom.webhook import BookingFacts, BookingState
from frontdesk.calendars.errors import CalendarError
from frontdesk.calendars.port import CalendarPort, ExternalBooking
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import mirror as mirror_rows
from frontdesk.db.repositories import providers as provider_rows
from frontdesk.db.repositories import reconciliation as run_rows
from frontdesk.db.repositories.providers import WindowRow
from frontdesk.db.tables import Appointment
from frontdesk.domain.model import ACTIVE_STATUSES, AppointmentSource, SyncState
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import RECONCILIATION_MISMATCHES
from frontdesk.resilience.deadline import Deadline

log = get_logger(__name__)

# What one provider call of a run may take (the listing pages, one cancel).
CALL_BUDGET_S = 20.0
# Cal.com's bookings are listed this much wider than our window, so an appointment near its
# edge whose booking starts just outside (a zone or a move) is not taken for missing there.
EDGE = timedelta(days=1)
FACTS_TRIGGER = "RECONCILE"


class Fix(StrEnum):
    MERGED = "merged"
    SYNC_REQUESTED = "sync_requested"
    CANCELLED_THERE = "cancelled_there"
    REPORTED = "reported"


@dataclass(frozen=True, slots=True)
class Item:
    """One mismatch and what the run did about it."""

    mismatch: Mismatch
    fix: Fix
    note: str = ""


@dataclass(frozen=True, slots=True)
class BranchReport:
    tenant_slug: str
    branch_id: uuid.UUID
    start: datetime
    end: datetime
    items: tuple[Item, ...]
    # Why the provider could not be read (nothing was compared or fixed then).
    error: str | None = None

    def count(self, kind: Kind) -> int:
        return sum(1 for i in self.items if i.mismatch.kind is kind)

    def counts(self) -> dict[str, int]:
        """Every class with how many of it were found (zeros included, for the report)."""
        return {str(kind): self.count(kind) for kind in Kind}


@dataclass(frozen=True, slots=True)
class Window:
    """``days`` local days from ``first`` (None: today in the branch's zone)."""

    days: int
    first: date | None = None


async def reconcile(
    uow: UnitOfWork, window: Window, *, tenant_slug: str | None = None
) -> list[BranchReport]:
    """Reconcile every branch on an outside calendar (or one tenant's). A branch whose
    provider could not be read is reported with its ``error`` and the others still run."""
    async with uow.reading() as session:
        branches = await mirror_rows.links(session)
    reports = []
    for branch in branches:
        if tenant_slug is not None and branch.tenant_slug != tenant_slug:
            continue
        start, end = _bounds(window, branch.timezone, uow.clock())
        try:
            reports.append(await reconcile_branch(uow, branch.branch_id, start, end))
        except CalendarError as exc:
            reports.append(
                BranchReport(branch.tenant_slug, branch.branch_id, start, end, (), exc.message)
            )
    return reports


def _bounds(window: Window, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    day = window.first or now.astimezone(zone).date()
    first = datetime.combine(day, datetime.min.time(), zone)
    return first, first + timedelta(days=window.days)


async def reconcile_branch(
    uow: UnitOfWork, branch_id: uuid.UUID, start: datetime, end: datetime
) -> BranchReport:
    """Compare and fix one branch's window ``[start, end)``; the run is recorded in
    ``reconciliation_run`` (also when Cal.com could not be read: then ``CalendarError``
    propagates after the row is written)."""
    started = uow.clock()
    async with uow.reading() as session:
        link = await provider_rows.link_of_branch(session, branch_id)
        rows = await provider_rows.in_window(session, branch_id, start, end)
    if link is None or uow.calendars is None:
        return BranchReport("", branch_id, start, end, ())
    port = uow.calendars.port(link)
    try:
        listed = await port.list_bookings(start - EDGE, end + EDGE, deadline=_deadline())
    except CalendarError as exc:
        failed = BranchReport(link.tenant_slug, branch_id, start, end, (), exc.message)
        await _record(uow, link.tenant_id, failed, started)
        raise
    known = _known_keys(rows)
    theirs = [
        b for b in listed if start <= b.start < end or b.uid in known or b.appointment_id in known
    ]
    mismatches = classify([_ours(r) for r in rows], theirs)
    by_id = {r.appointment.id: r for r in rows}
    items = []
    for mismatch in mismatches:
        items.append(await _fix_or_report(uow, port, link.tenant_id, mismatch, by_id))
        RECONCILIATION_MISMATCHES.labels(str(mismatch.kind)).inc()
    report = BranchReport(link.tenant_slug, branch_id, start, end, tuple(items))
    await _record(uow, link.tenant_id, report, started)
    _log(report)
    return report


async def _record(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    report: BranchReport,
    started: datetime,
) -> None:
    async with uow.writing() as session:
        run_rows.add_run(
            session,
            tenant_id=tenant_id,
            branch_id=report.branch_id,
            started_at=started,
            finished_at=uow.clock(),
            window=(report.start, report.end),
            counts=report.counts(),
            items=[_item_doc(i) for i in report.items],
            error=report.error,
        )
        await uow.commit(session)


def _item_doc(item: Item) -> dict[str, str | None]:
    booking = item.mismatch.booking
    appointment_id = item.mismatch.appointment_id
    return {
        "class": str(item.mismatch.kind),
        "appointment_id": None if appointment_id is None else str(appointment_id),
        "uid": None if booking is None else booking.uid,
        "fix": str(item.fix),
        "note": item.note or None,
    }


def _deadline() -> Deadline:
    return Deadline.after(CALL_BUDGET_S, time.monotonic)


def _known_keys(rows: Sequence[WindowRow]) -> set[object]:
    """The uids and ids of the window's appointments: a listed booking outside the window that
    carries one of them still belongs to the comparison."""
    keys: set[object] = set()
    for row in rows:
        keys.update(row.uids)
        keys.add(row.appointment.id)
        if row.appointment.external_uid:
            keys.add(row.appointment.external_uid)
    return keys


def _ours(row: WindowRow) -> Ours:
    a = row.appointment
    current = a.external_uid
    return Ours(
        id=a.id,
        start=a.starts_at,
        end=a.ends_at,
        active=a.status in ACTIVE_STATUSES,
        host=row.host,
        uid=current,
        uids=frozenset(row.uids) | (frozenset({current}) if current else frozenset()),
    )


# -- the fixes ----------------------------------------------------------------------------------


async def _fix_or_report(
    uow: UnitOfWork,
    port: CalendarPort,
    tenant_id: uuid.UUID,
    mismatch: Mismatch,
    rows: dict[uuid.UUID, WindowRow],
) -> Item:
    """A fix that fails (Cal.com refused or is down, another writer changed the rows) is
    reported and left to the next run; the other mismatches are still fixed."""
    try:
        return await _fix(uow, port, tenant_id, mismatch, rows)
    except CalendarError as exc:
        return Item(mismatch, Fix.REPORTED, f"fix failed at Cal.com: {exc.message}"[:200])
    except WriteRefused as exc:
        return Item(mismatch, Fix.REPORTED, f"fix refused here: {exc.kind}; next run looks again")


async def _fix(
    uow: UnitOfWork,
    port: CalendarPort,
    tenant_id: uuid.UUID,
    mismatch: Mismatch,
    rows: dict[uuid.UUID, WindowRow],
) -> Item:
    booking = mismatch.booking
    if mismatch.kind is Kind.MISSING_HERE and booking is not None:
        return await _merge(uow, tenant_id, mismatch, booking)
    if mismatch.kind is Kind.DUPLICATE_THERE and booking is not None:
        await port.cancel(booking.uid, reason="duplicate of a booking", deadline=_deadline())
        return Item(mismatch, Fix.CANCELLED_THERE)
    row = rows.get(mismatch.appointment_id) if mismatch.appointment_id else None
    if row is None:
        return Item(mismatch, Fix.REPORTED, "no appointment to fix")
    state = row.appointment.sync_state
    if state in (SyncState.CONFLICT, SyncState.SYNC_FAILED):
        # Already shown to the business for a person to decide: not overwritten by a retry.
        return Item(mismatch, Fix.REPORTED, f"appointment is {state}")
    ours = row.appointment.source is not AppointmentSource.CALCOM
    owed = state is SyncState.PENDING_SYNC
    if ours or owed:
        return await _request_sync(uow, tenant_id, mismatch, row.appointment)
    if mismatch.kind is Kind.MISSING_THERE and booking is not None:
        # Made on Cal.com and cancelled there: Cal.com wins.
        return await _merge(uow, tenant_id, mismatch, booking)
    return Item(mismatch, Fix.REPORTED, "made on Cal.com; a person decides")


async def _merge(
    uow: UnitOfWork, tenant_id: uuid.UUID, mismatch: Mismatch, booking: ExternalBooking
) -> Item:
    result = await calendar_events.merge(uow, tenant_id, facts_of(booking))
    return Item(mismatch, Fix.MERGED, str(result))


async def _request_sync(
    uow: UnitOfWork, tenant_id: uuid.UUID, mismatch: Mismatch, seen: Appointment
) -> Item:
    """Ours wins: the saga makes Cal.com match the row (it looks our id up before writing,
    so a booking Cal.com holds under a uid we never recorded is adopted, not made twice).
    A row changed since it was read (the saga or a caller got there first, e.g. the booking
    was synced while Cal.com was being listed) is left alone: the next run sees it anew."""
    async with uow.writing() as session:
        row = await appointment_rows.get(session, tenant_id, seen.id)
        if row is None or row.version != seen.version:
            return Item(mismatch, Fix.REPORTED, "changed meanwhile; next run looks again")
        await sync.request_sync(session, row, uow.clock(), delay=timedelta(0))
        await uow.commit(session)
    return Item(mismatch, Fix.SYNC_REQUESTED)


def facts_of(booking: ExternalBooking) -> BookingFacts:
    """A listed booking stated as the facts a webhook would carry about it."""
    attendee = booking.attendee
    email = attendee.email if attendee else None
    if email is not None and email.lower().endswith(webhook.GUEST_EMAIL_DOMAIN):
        email = None
    return BookingFacts(
        trigger=FACTS_TRIGGER,
        uid=booking.uid,
        state=_state(booking.status),
        start=booking.start,
        end=booking.end,
        previous_uid=booking.previous_uid,
        host=booking.hosts[0] if booking.hosts else None,
        event_type=booking.event_type,
        attendee=None
        if attendee is None
        else webhook.Attendee(name=attendee.name, email=email, phone=attendee.phone),
        ours=booking.appointment_id,
        reason=None,
    )


def _state(status: str) -> BookingState:
    try:
        return BookingState(status)
    except ValueError:
        return BookingState.ACCEPTED


def _log(report: BranchReport) -> None:
    counts = {kind: n for kind, n in report.counts().items() if n}
    log.info(
        "reconciliation_done",
        tenant=report.tenant_slug,
        branch_id=str(report.branch_id),
        start=report.start.isoformat(),
        end=report.end.isoformat(),
        mismatches=counts,
    )
