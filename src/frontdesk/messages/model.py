"""What a message is about, as plain values (no I/O): the templates and the .ics read these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class MessageKind(StrEnum):
    """Why the customer hears from us."""

    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    REMINDER = "reminder"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True, slots=True)
class Appointment:
    """The facts a customer message shows: only what the customer needs to turn up (no notes,
    no price, no phone numbers: messages carry no more personal data than needed)."""

    appointment_id: uuid.UUID
    tenant_id: uuid.UUID
    business: str
    branch: str
    address: str | None
    service: str
    staff: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    locale: str
    customer_name: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def language(self) -> str:
        """``de`` or ``en``: the tenant's locale decides; anything but English is German."""
        return "en" if self.locale.lower().startswith("en") else "de"


@dataclass(frozen=True, slots=True)
class Notice:
    """One message about one appointment: the change, its sequence (the .ics SEQUENCE) and the
    links it may carry."""

    kind: MessageKind
    sequence: int
    appointment: Appointment
    manage_url: str | None = None
    unsubscribe_url: str | None = None

    @property
    def key(self) -> str:
        """Unique per appointment and change: deliveries and Message-IDs are keyed by it."""
        if self.kind is MessageKind.REMINDER:
            start = self.appointment.starts_at.astimezone(UTC)
            return f"reminder:{self.appointment.appointment_id}:{start:%Y%m%dT%H%MZ}"
        return f"change:{self.appointment.appointment_id}:{self.sequence}"
