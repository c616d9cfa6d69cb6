"""The rule for marking an appointment completed or a no-show (booking/attendance.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.booking.attendance import ATTENDANCE, check_attendance
from frontdesk.domain.errors import AlreadyCancelled, InvalidRequest, NotBegunYet, NotChangeable
from frontdesk.domain.model import AppointmentStatus

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
STARTED = NOW - timedelta(minutes=30)


@pytest.mark.parametrize("target", ATTENDANCE)
def test_a_confirmed_appointment_that_began_can_be_marked(target: AppointmentStatus) -> None:
    assert check_attendance(AppointmentStatus.CONFIRMED, target, STARTED, NOW) is True


def test_a_mark_can_be_corrected_and_repeating_it_changes_nothing() -> None:
    completed, no_show = ATTENDANCE
    assert check_attendance(completed, no_show, STARTED, NOW) is True
    assert check_attendance(no_show, completed, STARTED, NOW) is True
    assert check_attendance(completed, completed, STARTED, NOW) is False


@given(ahead=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=400)))
def test_nothing_ahead_can_be_marked(ahead: timedelta) -> None:
    for target in ATTENDANCE:
        with pytest.raises(NotBegunYet):
            check_attendance(AppointmentStatus.CONFIRMED, target, NOW + ahead, NOW)


def test_cancelled_pending_and_other_targets_are_refused() -> None:
    with pytest.raises(AlreadyCancelled):
        check_attendance(AppointmentStatus.CANCELLED, ATTENDANCE[0], STARTED, NOW)
    with pytest.raises(NotChangeable):
        check_attendance(AppointmentStatus.PENDING, ATTENDANCE[0], STARTED, NOW)
    for target in (AppointmentStatus.CANCELLED, AppointmentStatus.CONFIRMED):
        with pytest.raises(InvalidRequest):
            check_attendance(AppointmentStatus.CONFIRMED, target, STARTED, NOW)
