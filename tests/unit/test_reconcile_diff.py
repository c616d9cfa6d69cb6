"""The reconciliation's pure comparison: each difference in one class, nothing for equal sides."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.booking.reconcile_diff import Kind, Ours, classify
from frontdesk.calendars.port import ExternalBooking

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
HALF = timedelta(minutes=30)


def ours(
    n: int, *, uid: str | None = None, active: bool = True, host: str = "11", at: int = 0
) -> Ours:
    start = T0 + timedelta(hours=at)
    return Ours(
        id=uuid.UUID(int=n),
        start=start,
        end=start + HALF,
        active=active,
        host=host,
        uid=uid,
        uids=frozenset({uid}) if uid else frozenset(),
    )


def theirs(
    uid: str, *, n: int | None = None, status: str = "accepted", host: str = "11", at: int = 0
) -> ExternalBooking:
    start = T0 + timedelta(hours=at)
    return ExternalBooking(
        uid=uid,
        event_type="1000",
        start=start,
        end=start + HALF,
        status=status,
        hosts=(host,),
        appointment_id=None if n is None else uuid.UUID(int=n),
    )


def kinds(found: list) -> list[Kind]:  # type: ignore[type-arg]
    return [m.kind for m in found]


def test_equal_sides_differ_in_nothing() -> None:
    assert classify([ours(1, uid="a")], [theirs("a", n=1)]) == []


def test_a_booking_we_do_not_have_is_missing_here() -> None:
    [m] = classify([], [theirs("page")])
    assert (m.kind, m.appointment_id, m.booking and m.booking.uid) == (
        Kind.MISSING_HERE,
        None,
        "page",
    )


def test_a_cancelled_booking_we_do_not_have_is_no_difference() -> None:
    assert classify([], [theirs("gone", status="cancelled")]) == []


def test_our_active_row_without_a_booking_there_is_missing_there() -> None:
    assert kinds(classify([ours(1), ours(2, uid="lost")], [])) == [Kind.MISSING_THERE] * 2


def test_cancelled_there_while_active_here_is_missing_there() -> None:
    found = classify([ours(1, uid="a")], [theirs("a", status="cancelled")])
    assert kinds(found) == [Kind.MISSING_THERE]


def test_active_there_while_cancelled_here_is_status_differs() -> None:
    found = classify([ours(1, uid="a", active=False)], [theirs("a")])
    assert kinds(found) == [Kind.STATUS_DIFFERS]


def test_time_and_host_differences() -> None:
    found = classify(
        [ours(1, uid="a"), ours(2, uid="b", at=2)],
        [theirs("a", at=1), theirs("b", at=2, host="12")],
    )
    assert kinds(found) == [Kind.TIME_DIFFERS, Kind.HOST_DIFFERS]


def test_a_second_booking_with_our_id_is_a_duplicate_and_ours_is_kept() -> None:
    found = classify([ours(1, uid="b")], [theirs("a", n=1), theirs("b", n=1)])
    assert [(m.kind, m.booking and m.booking.uid) for m in found] == [(Kind.DUPLICATE_THERE, "a")]


def test_an_old_uid_of_a_rescheduled_appointment_is_no_difference() -> None:
    row = Ours(
        id=uuid.UUID(int=1),
        start=T0,
        end=T0 + HALF,
        active=True,
        host="11",
        uid="new",
        uids=frozenset({"old", "new"}),
    )
    found = classify([row], [theirs("old", status="cancelled", at=3), theirs("new")])
    assert found == []


def test_our_booking_not_adopted_yet_is_missing_there_for_the_saga_to_adopt() -> None:
    assert kinds(classify([ours(1)], [theirs("x", n=1)])) == [Kind.MISSING_THERE]


_STATUS = st.sampled_from(["accepted", "pending", "cancelled", "rejected"])
_booking = st.builds(
    theirs,
    uid=st.sampled_from([f"u{i}" for i in range(8)]),
    n=st.one_of(st.none(), st.integers(1, 5)),
    status=_STATUS,
    host=st.sampled_from(["11", "12"]),
    at=st.integers(0, 3),
)
_bookings = st.lists(_booking, max_size=10, unique_by=lambda b: b.uid)


def _mirror(bookings: list[ExternalBooking]) -> list[Ours]:
    """Our side as a perfect copy of the provider's (one appointment per booking)."""
    rows = []
    for i, b in enumerate(bookings, start=100):
        rows.append(
            Ours(
                id=uuid.UUID(int=i),
                start=b.start,
                end=b.end,
                active=b.status in ("accepted", "pending"),
                host=b.hosts[0],
                uid=b.uid,
                uids=frozenset({b.uid}),
            )
        )
    return rows


@given(_bookings)
def test_a_side_compared_with_its_copy_differs_in_nothing(bookings: list[ExternalBooking]) -> None:
    copies = [
        ExternalBooking(
            uid=b.uid, event_type=b.event_type, start=b.start, end=b.end, status=b.status,
            hosts=b.hosts, appointment_id=uuid.UUID(int=100 + i),
        )
        for i, b in enumerate(bookings)
    ]  # fmt: skip
    assert classify(_mirror(copies), copies) == []


@given(_bookings, st.lists(st.builds(ours, st.integers(1, 5), uid=st.sampled_from(
    [None, "u0", "u1", "u2"]), active=st.booleans(), at=st.integers(0, 3)),
    max_size=5, unique_by=lambda o: o.id))  # fmt: skip
def test_every_booking_and_every_appointment_lands_in_at_most_one_class(
    bookings: list[ExternalBooking], rows: list[Ours]
) -> None:
    found = classify(rows, bookings)
    uids = Counter(m.booking.uid for m in found if m.booking is not None)
    ids = Counter(
        m.appointment_id
        for m in found
        if m.appointment_id is not None and m.kind is not Kind.DUPLICATE_THERE
    )
    assert all(n == 1 for n in uids.values())
    assert all(n == 1 for n in ids.values())
