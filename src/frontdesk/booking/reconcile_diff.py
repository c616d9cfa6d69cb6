"""The reconciliation's comparison (pure: no I/O, ADR 0017): our appointments of a window
against the provider's bookings of the same window, each difference put in one class.

A booking is matched to an appointment by its uid (any uid the appointment has had) or, for a
booking our saga wrote, by our appointment id in its metadata. Every provider booking and
every appointment lands in at most one mismatch, so counting mismatches counts problems.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from frontdesk.calendars.port import ExternalBooking

# Provider statuses of a booking that still holds its time.
ACTIVE_THERE = frozenset({"accepted", "pending"})


class Kind(StrEnum):
    MISSING_HERE = "missing_here"
    MISSING_THERE = "missing_there"
    TIME_DIFFERS = "time_differs"
    STATUS_DIFFERS = "status_differs"
    HOST_DIFFERS = "host_differs"
    DUPLICATE_THERE = "duplicate_there"


@dataclass(frozen=True, slots=True)
class Ours:
    """One of our appointments as the comparison sees it."""

    id: uuid.UUID
    start: datetime
    end: datetime
    active: bool
    # The provider host id of its staff member (None: not linked).
    host: str | None
    # The uid it has now, and every uid it has had (``appointment_external_uid``).
    uid: str | None
    uids: frozenset[str]


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: Kind
    appointment_id: uuid.UUID | None
    # The provider booking concerned (None: the provider holds nothing for the appointment).
    booking: ExternalBooking | None


def active_there(booking: ExternalBooking) -> bool:
    return booking.status in ACTIVE_THERE


def classify(ours: Iterable[Ours], theirs: Iterable[ExternalBooking]) -> list[Mismatch]:
    """Every difference between ``ours`` and ``theirs``, in a stable order."""
    rows = list(ours)
    bookings = sorted(theirs, key=lambda b: (b.start, b.uid))
    by_uid = {uid: row for row in rows for uid in (*row.uids, *_current(row))}
    by_id = {row.id: row for row in rows}
    found: list[Mismatch] = []
    seen_rows: set[uuid.UUID] = set()
    duplicates = _duplicates(bookings, by_id)
    for booking in bookings:
        if booking.uid in duplicates:
            found.append(Mismatch(Kind.DUPLICATE_THERE, booking.appointment_id, booking))
            continue
        row = by_uid.get(booking.uid) or _by_metadata(booking, by_id)
        if row is None:
            if active_there(booking):
                found.append(Mismatch(Kind.MISSING_HERE, None, booking))
            continue
        if row.id in seen_rows or booking.uid != row.uid:
            # A uid the appointment had before (a reschedule's old booking), or a booking our
            # saga wrote that its row has not adopted yet: the current uid speaks for the row.
            continue
        seen_rows.add(row.id)
        kind = _compare(row, booking)
        if kind is not None:
            found.append(Mismatch(kind, row.id, booking))
    listed = {b.uid for b in bookings}
    for row in rows:
        if row.active and row.id not in seen_rows and (row.uid is None or row.uid not in listed):
            found.append(Mismatch(Kind.MISSING_THERE, row.id, None))
    return found


def _current(row: Ours) -> tuple[str, ...]:
    return () if row.uid is None else (row.uid,)


def _by_metadata(booking: ExternalBooking, by_id: dict[uuid.UUID, Ours]) -> Ours | None:
    return None if booking.appointment_id is None else by_id.get(booking.appointment_id)


def _duplicates(bookings: Sequence[ExternalBooking], by_id: dict[uuid.UUID, Ours]) -> set[str]:
    """Active bookings carrying an appointment id that another active booking carries too,
    except the one the appointment holds as its uid (or the first, when it holds none there)."""
    groups: dict[uuid.UUID, list[ExternalBooking]] = {}
    for booking in bookings:
        if booking.appointment_id is not None and active_there(booking):
            groups.setdefault(booking.appointment_id, []).append(booking)
    extra: set[str] = set()
    for appointment_id, group in groups.items():
        if len(group) < 2:
            continue
        row = by_id.get(appointment_id)
        keep = next((b for b in group if row is not None and b.uid == row.uid), group[0])
        extra.update(b.uid for b in group if b.uid != keep.uid)
    return extra


def _compare(row: Ours, booking: ExternalBooking) -> Kind | None:
    """The one class of a matched pair: status first (it decides whether the rest matters),
    then time, then host."""
    if row.active and not active_there(booking):
        return Kind.MISSING_THERE
    if not row.active and active_there(booking):
        return Kind.STATUS_DIFFERS
    if not row.active:
        return None
    if (row.start, row.end) != (booking.start, booking.end):
        return Kind.TIME_DIFFERS
    if row.host is not None and booking.hosts and row.host not in booking.hosts:
        return Kind.HOST_DIFFERS
    return None
