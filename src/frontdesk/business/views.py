"""What the settings use cases return: plain values a page renders as they are."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from frontdesk.business.rules import WEEKDAYS_DE, Window


@dataclass(frozen=True, slots=True)
class DayHours:
    """One weekday: its windows in order; none means closed that day."""

    weekday: int
    windows: tuple[Window, ...]

    @property
    def name_de(self) -> str:
        return WEEKDAYS_DE[self.weekday]

    @property
    def closed(self) -> bool:
        return not self.windows


@dataclass(frozen=True, slots=True)
class WeekView:
    """A whole week, Monday to Sunday, of a branch's opening hours or a staff member's hours.

    ``kept`` is False for a branch that keeps no opening hours of its own (its staff's hours
    decide alone)."""

    owner_id: uuid.UUID
    name: str
    days: tuple[DayHours, ...]
    kept: bool = True


@dataclass(frozen=True, slots=True)
class TimeOffView:
    """An absence of a staff member, or a closure of the branch (``staff_id`` None)."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    staff_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ServiceView:
    id: uuid.UUID
    branch_id: uuid.UUID
    name: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    price_cents: int | None
    aliases: tuple[str, ...]
    staff_ids: tuple[uuid.UUID, ...]
    active: bool


@dataclass(frozen=True, slots=True)
class PhoneNumberView:
    id: uuid.UUID
    e164: str
    national: str
    branch_id: uuid.UUID
    label: str | None


@dataclass(frozen=True, slots=True)
class RetellKeyView:
    """Whether the tenant has its own Retell key, never the key itself."""

    is_set: bool
    encrypted: bool


def week_of(
    owner_id: uuid.UUID, name: str, windows: dict[int, tuple[Window, ...]], kept: bool = True
) -> WeekView:
    return WeekView(owner_id, name, tuple(DayHours(d, windows.get(d, ())) for d in range(7)), kept)
