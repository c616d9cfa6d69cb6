"""The names Retell and frontdesk agree on: the agent's functions and the call webhook events."""

from __future__ import annotations

from typing import Final

CHECK_AVAILABILITY: Final = "check_availability"
BOOK_APPOINTMENT: Final = "book_appointment"
FIND_APPOINTMENTS: Final = "find_appointments"
CANCEL_APPOINTMENT: Final = "cancel_appointment"
RESCHEDULE_APPOINTMENT: Final = "reschedule_appointment"
FUNCTION_NAMES: Final = (
    CHECK_AVAILABILITY,
    BOOK_APPOINTMENT,
    FIND_APPOINTMENTS,
    CANCEL_APPOINTMENT,
    RESCHEDULE_APPOINTMENT,
)
WEBHOOK_EVENTS: Final = ("call_started", "call_ended", "call_analyzed")
