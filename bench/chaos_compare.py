"""The chaos run's verdict: our database and Cal.com (the emulator's state) read after the
run and compared booking by booking, against what the callers were told (the ledger).

Pure apart from ``read_ours`` (one SQLAlchemy read of the database) — the classes are:

- **lost**: a booking that should exist (a caller heard "booked" and did not cancel; a
  booking made on Cal.com's page) is not active on one of the two sides;
- **duplicated**: more than one active Cal.com booking for one appointment of ours, or more
  than one appointment of ours for one Cal.com booking;
- **inconsistent**: both sides hold it, but time, status or host differ, or what the caller
  was last told (cancelled, moved to a time) is not what both sides hold;
- **double booked**: one host with two overlapping active bookings, in Cal.com or here.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, select

from frontdesk.db.tables import Appointment, AppointmentExternalUid, Staff

APPOINTMENT_KEY = "frontdesk_appointment_id"
ACTIVE_HERE = ("pending", "confirmed")
ACTIVE_THERE = ("accepted", "pending")


@dataclass
class Expected:
    """What the callers were last told about one voice appointment (None: no answer heard)."""

    active: bool
    start: datetime | None


@dataclass
class Ledger:
    voice: dict[str, Expected] = field(default_factory=dict)
    # uids of bookings made on Cal.com's own page (the emulator answered 201).
    page_uids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OurRow:
    id: str
    status: str
    source: str
    sync_state: str
    sync_error: str | None
    start: datetime
    end: datetime
    host: str | None
    uid: str | None
    uids: frozenset[str]


@dataclass(frozen=True)
class TheirRow:
    uid: str
    status: str
    start: datetime
    end: datetime
    host: str | None
    appointment_id: str | None
    source: str
    rescheduled_to: str | None


@dataclass
class Verdict:
    appointments: int = 0
    calcom_bookings: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    double_booked: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    checked: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    def consistent_share(self) -> float:
        bad = {line.split(" ")[0] for line in (*self.lost, *self.inconsistent)}
        return 1.0 if self.checked == 0 else max(0.0, 1 - len(bad) / self.checked)

    def goals_met(self) -> bool:
        return not (self.lost or self.duplicated or self.inconsistent or self.double_booked)


def sync_url(url: str) -> str:
    """The async driver URL the product uses, as a synchronous one for this read."""
    return url.replace("sqlite+aiosqlite://", "sqlite://")


def read_ours(database_url: str) -> list[OurRow]:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            hosts = {
                row.id: None if row.calcom_user_id is None else str(row.calcom_user_id)
                for row in connection.execute(select(Staff.id, Staff.calcom_user_id))
            }
            chains: dict[uuid.UUID, set[str]] = defaultdict(set)
            for link in connection.execute(
                select(AppointmentExternalUid.appointment_id, AppointmentExternalUid.uid)
            ):
                chains[link.appointment_id].add(link.uid)
            rows = connection.execute(select(Appointment)).all()
    finally:
        engine.dispose()
    ours = []
    for row in rows:
        a = row[0] if isinstance(row[0], Appointment) else row
        ours.append(
            OurRow(
                id=str(a.id),
                status=str(a.status),
                source=str(a.source),
                sync_state=str(a.sync_state),
                sync_error=a.sync_error,
                start=a.starts_at,
                end=a.ends_at,
                host=hosts.get(a.staff_id),
                uid=a.external_uid,
                uids=frozenset(chains.get(a.id, set()) | ({a.external_uid} - {None})),  # type: ignore[arg-type]
            )
        )
    return ours


def read_theirs(bookings: Iterable[Mapping[str, Any]]) -> list[TheirRow]:
    theirs = []
    for b in bookings:
        hosts = b.get("hosts") or []
        metadata = b.get("metadata") or {}
        theirs.append(
            TheirRow(
                uid=str(b["uid"]),
                status=str(b["status"]).lower(),
                start=datetime.fromisoformat(str(b["start"]).replace("Z", "+00:00")),
                end=datetime.fromisoformat(str(b["end"]).replace("Z", "+00:00")),
                host=str(hosts[0]["id"]) if hosts else None,
                appointment_id=metadata.get(APPOINTMENT_KEY),
                source=str(b.get("source", "api")),
                rescheduled_to=b.get("rescheduledToUid"),
            )
        )
    return theirs


def compare(ours: Sequence[OurRow], theirs: Sequence[TheirRow], ledger: Ledger) -> Verdict:
    verdict = Verdict(appointments=len(ours), calcom_bookings=len(theirs))
    verdict.by_state = dict(Counter(f"{r.status}/{r.sync_state}" for r in ours))
    by_uid_theirs = {t.uid: t for t in theirs}
    owner_of_uid: dict[str, list[OurRow]] = defaultdict(list)
    for row in ours:
        for uid in row.uids:
            owner_of_uid[uid].append(row)
    by_id = {row.id: row for row in ours}
    _duplicates(theirs, owner_of_uid, verdict)
    _theirs_owned(theirs, owner_of_uid, by_id, ledger, verdict)
    for row in ours:
        _check_row(row, by_uid_theirs, verdict)
    _check_ledger(ledger, by_id, owner_of_uid, by_uid_theirs, verdict)
    _double_booked(ours, theirs, verdict)
    verdict.conflicts = [
        f"{r.id} {r.sync_state}: {r.sync_error}"
        for r in ours
        if r.sync_state in ("conflict", "sync_failed")
    ]
    verdict.checked = len(ours) + sum(
        1 for t in theirs if t.status in ACTIVE_THERE and not owner_of_uid.get(t.uid)
    )
    return verdict


def _duplicates(
    theirs: Sequence[TheirRow], owners: Mapping[str, list[OurRow]], verdict: Verdict
) -> None:
    active: dict[str, list[str]] = defaultdict(list)
    for t in theirs:
        if t.status in ACTIVE_THERE and t.appointment_id:
            active[t.appointment_id].append(t.uid)
    for appointment_id, uids in sorted(active.items()):
        if len(uids) > 1:
            verdict.duplicated.append(f"{appointment_id} active in Cal.com {len(uids)}× {uids}")
    for uid, rows in sorted(owners.items()):
        live = [r for r in rows if r.status in ACTIVE_HERE and r.uid == uid]
        if len(live) > 1:
            verdict.duplicated.append(f"{uid} held by {len(live)} appointments here")


def _theirs_owned(
    theirs: Sequence[TheirRow],
    owners: Mapping[str, list[OurRow]],
    by_id: Mapping[str, OurRow],
    ledger: Ledger,
    verdict: Verdict,
) -> None:
    """Every active Cal.com booking is the current booking of an active appointment here."""
    pages = set(ledger.page_uids)
    for t in theirs:
        if t.status not in ACTIVE_THERE:
            continue
        rows = owners.get(t.uid) or ([by_id[t.appointment_id]] if t.appointment_id in by_id else [])
        if not rows:
            if t.uid in pages or t.source == "page":
                verdict.lost.append(f"{t.uid} Cal.com page booking unknown here")
            else:
                verdict.inconsistent.append(f"{t.uid} active in Cal.com, no appointment here")
            continue
        if not any(r.status in ACTIVE_HERE for r in rows):
            verdict.inconsistent.append(f"{t.uid} active in Cal.com, cancelled here ({rows[0].id})")


def _check_row(row: OurRow, theirs: Mapping[str, TheirRow], verdict: Verdict) -> None:
    active = row.status in ACTIVE_HERE
    booking = theirs.get(row.uid) if row.uid else None
    if booking is None:
        if active:
            verdict.inconsistent.append(
                f"{row.id} active here ({row.sync_state}), not in Cal.com (uid {row.uid})"
            )
        return
    if active != (booking.status in ACTIVE_THERE):
        verdict.inconsistent.append(
            f"{row.id} status here {row.status}, in Cal.com {booking.status} ({booking.uid})"
        )
        return
    if not active:
        return
    if (row.start, row.end) != (booking.start, booking.end):
        verdict.inconsistent.append(
            f"{row.id} time here {row.start.isoformat()}, in Cal.com {booking.start.isoformat()}"
        )
    elif row.host != booking.host:
        verdict.inconsistent.append(f"{row.id} host here {row.host}, in Cal.com {booking.host}")
    elif row.sync_state != "synced":
        verdict.inconsistent.append(f"{row.id} matches Cal.com but is {row.sync_state}")


def _check_ledger(
    ledger: Ledger,
    by_id: Mapping[str, OurRow],
    owners: Mapping[str, list[OurRow]],
    theirs: Mapping[str, TheirRow],
    verdict: Verdict,
) -> None:
    """What callers were told, and the page bookings made, against both sides."""
    for appointment_id, expected in sorted(ledger.voice.items()):
        row = by_id.get(appointment_id)
        if row is None:
            if expected.active:
                verdict.lost.append(f"{appointment_id} told booked, gone here")
            continue
        active = row.status in ACTIVE_HERE
        there = theirs.get(row.uid) if row.uid else None
        if expected.active and not active:
            verdict.lost.append(f"{appointment_id} told booked, {row.status} here")
        elif expected.active and (there is None or there.status not in ACTIVE_THERE):
            verdict.lost.append(f"{appointment_id} told booked, not active in Cal.com")
        elif not expected.active and active:
            verdict.inconsistent.append(f"{appointment_id} told cancelled, still {row.status}")
        elif expected.active and expected.start is not None and row.start != expected.start:
            verdict.inconsistent.append(
                f"{appointment_id} told {expected.start.isoformat()}, here {row.start.isoformat()}"
            )
    for uid in ledger.page_uids:
        booking = theirs.get(uid)
        if booking is None:
            verdict.lost.append(f"{uid} page booking missing in Cal.com's own state")
        elif booking.status in ACTIVE_THERE and not owners.get(uid):
            continue  # counted by _theirs_owned already


def _double_booked(ours: Sequence[OurRow], theirs: Sequence[TheirRow], verdict: Verdict) -> None:
    spans_there = [(t.host, t.start, t.end, t.uid) for t in theirs if t.status in ACTIVE_THERE]
    spans_here = [(r.host, r.start, r.end, r.id) for r in ours if r.status in ACTIVE_HERE]
    for side, spans in (("Cal.com", spans_there), ("here", spans_here)):
        by_host: dict[str | None, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        for host, start, end, key in spans:
            by_host[host].append((start, end, key))
        for host, items in by_host.items():
            items.sort()
            # The latest end so far, so a long booking overlapping a later one is caught
            # even with short ones between them.
            reach: tuple[datetime, str] | None = None
            for start, end, key in items:
                if reach is not None and start < reach[0]:
                    verdict.double_booked.append(f"{side}: host {host} {reach[1]} overlaps {key}")
                if reach is None or end > reach[0]:
                    reach = (end, key)
