"""The dynamic variables the inbound webhook hands to the Retell agent, by name.

``POST /retell/inbound`` answers ``{"call_inbound": {"dynamic_variables": {...}}}`` before the
call is picked up, and the agent's prompt and begin message refer to the same names as
``{{name}}``. Both sides import the names from here, so a rename cannot silently leave a literal
``{{today_spoken}}`` in what the caller hears (Retell speaks unknown variables as written).

Retell requires every value to be a string: booleans are ``"true"``/``"false"``, an unknown or
empty value is ``""``.
"""

from __future__ import annotations

from enum import StrEnum


class DynamicVariable(StrEnum):
    """One variable of the inbound webhook; the value is the name used in ``{{...}}``."""

    BUSINESS_NAME = "business_name"
    """The tenant's name as the agent says it, e.g. "Salon Sonnenschein"."""

    BRANCH_NAME = "branch_name"
    """The branch the dialled number belongs to, e.g. "Mitte"."""

    TODAY_SPOKEN = "today_spoken"
    """Today in the branch's time zone, in words: "Dienstag, 1. Dezember"."""

    TODAY_ISO = "today_iso"
    """Today in the branch's time zone as an ISO date, e.g. "2026-12-01"."""

    NOW_TIME = "now_time"
    """The current wall-clock time in the branch's time zone, "HH:MM", e.g. "08:05"."""

    TOMORROW_SPOKEN = "tomorrow_spoken"
    """Tomorrow in words, like ``today_spoken``."""

    TOMORROW_ISO = "tomorrow_iso"
    """Tomorrow as an ISO date, like ``today_iso``."""

    CALLER_KNOWN = "caller_known"
    """"true" when the caller ID matches a customer of this tenant, otherwise "false"."""

    CALLER_NAME = "caller_name"
    """The known caller's name as stored, e.g. "Erika Mustermann"; "" for unknown callers."""

    NEXT_APPOINTMENT_SPOKEN = "next_appointment_spoken"
    """The known caller's next appointment in words (day, time, service); "" when there is none."""

    SERVICES_LIST = "services_list"
    """The bookable services, comma-separated, e.g. "Damenhaarschnitt, Herrenhaarschnitt, …"."""


VARIABLE_NAMES: frozenset[str] = frozenset(variable.value for variable in DynamicVariable)
"""Every name the inbound webhook sets; the agent's prompt may use these and no others."""
