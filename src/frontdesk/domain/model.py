"""Value objects and the closed vocabularies (statuses, sources, states) of the domain."""

from __future__ import annotations

from enum import StrEnum


class AppointmentStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


# An appointment that still holds its time (may be moved or cancelled, blocks the slot).
ACTIVE_STATUSES = (AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING)


class AppointmentSource(StrEnum):
    PHONE = "phone"
    WEB = "web"
    ADMIN = "admin"
    API = "api"
    CALCOM = "calcom"


class SyncState(StrEnum):
    """Where an appointment stands with the branch's external calendar.

    ``local`` means there is nothing to sync (built-in calendar); the other states belong to the
    outbox-driven sync with an external provider.
    """

    LOCAL = "local"
    PENDING_SYNC = "pending_sync"
    SYNCED = "synced"
    SYNC_FAILED = "sync_failed"
    CONFLICT = "conflict"


class CalendarProvider(StrEnum):
    BUILTIN = "builtin"
    CALCOM = "calcom"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    DEAD = "dead"


class UserRole(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"


class InboxStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"


class IdempotencyState(StrEnum):
    IN_FLIGHT = "in_flight"
    COMPLETED = "completed"


class ConsentChannel(StrEnum):
    """How a customer may be contacted, each with its own consent."""

    SMS = "sms"
    EMAIL = "email"


class CallOutcome(StrEnum):
    """What a call did last (the call list's filter); ``none``: nothing was booked, moved or
    cancelled."""

    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    NONE = "none"
