"""Pure availability engine: free slots, single-start checks and alternatives (no I/O).

Imports nothing from the rest of frontdesk; the booking use cases feed it value objects.
"""

from frontdesk.availability.engine import alternatives, check_start, closed_day, find_slots
from frontdesk.availability.holidays import is_holiday
from frontdesk.availability.mirrored import HostOffer, mirrored_check, mirrored_slots
from frontdesk.availability.model import (
    BranchRules,
    CheckResult,
    DaySchedule,
    Interval,
    ServiceRules,
    Slot,
    StaffCalendar,
    Unavailable,
)

__all__ = [
    "BranchRules",
    "CheckResult",
    "DaySchedule",
    "HostOffer",
    "Interval",
    "ServiceRules",
    "Slot",
    "StaffCalendar",
    "Unavailable",
    "alternatives",
    "check_start",
    "closed_day",
    "find_slots",
    "is_holiday",
    "mirrored_check",
    "mirrored_slots",
]
