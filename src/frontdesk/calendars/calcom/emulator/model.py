"""The emulator's records: a Cal.com account's catalogue (team, members, schedules, event
types) and what changes while it runs (bookings, webhooks). Plain dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Literal

BookingStatus = Literal["accepted", "cancelled"]


@dataclass(frozen=True, slots=True)
class Member:
    """A Cal.com user who belongs to the team (hosts are members; so is the key's owner)."""

    user_id: int
    membership_id: int
    name: str
    email: str
    username: str
    role: Literal["MEMBER", "ADMIN", "OWNER"] = "MEMBER"
    time_zone: str = "Europe/Berlin"
    locale: str = "de"


@dataclass(frozen=True, slots=True)
class WorkingRange:
    """A weekly window of a schedule, wall clock in the schedule's zone (weekday: Monday=0,
    Python's numbering; Cal.com stores Sunday=0, which only matters when importing)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Schedule:
    time_zone: str
    ranges: tuple[WorkingRange, ...]


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    slug: str
    time_zone: str = "Europe/Berlin"


@dataclass(frozen=True, slots=True)
class EventType:
    """A round-robin team event type (the only kind frontdesk books)."""

    id: int
    team_id: int
    title: str
    slug: str
    length: int
    host_ids: tuple[int, ...]
    slot_interval: int | None = None
    minimum_notice: int = 120  # Cal.com's default, minutes
    scheduling_type: Literal["roundRobin", "collective"] = "roundRobin"

    @property
    def step(self) -> int:
        # Cal.com: slotInterval, else the length (a requested duration is not supported here).
        return self.slot_interval or self.length


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    time_zone: str
    email: str = ""
    phone_number: str | None = None
    language: str = "en"


@dataclass(slots=True)
class Booking:
    id: int
    uid: str
    event_type_id: int
    host_id: int
    start: datetime
    end: datetime
    attendee: Attendee
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, str] = field(default_factory=dict)
    status: BookingStatus = "accepted"
    cancellation_reason: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    # "api" (POST /v2/bookings) or "page" (Cal.com's own booking page, via the admin API).
    source: str = "api"

    @property
    def blocks(self) -> bool:
        return self.status == "accepted"


@dataclass(slots=True)
class Webhook:
    id: int
    event_type_id: int
    subscriber_url: str
    triggers: tuple[str, ...]
    active: bool = True
    secret: str | None = None
    payload_template: str | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What a seed defines and ``reset`` keeps: the key's user, the team and its event types."""

    owner: Member
    teams: tuple[Team, ...]
    members: dict[int, tuple[Member, ...]]  # team id -> members
    event_types: tuple[EventType, ...]
    schedules: dict[int, Schedule]  # user id -> schedule

    def member(self, user_id: int) -> Member:
        for members in self.members.values():
            for member in members:
                if member.user_id == user_id:
                    return member
        raise KeyError(user_id)

    def event_type(self, event_type_id: int) -> EventType | None:
        return next((e for e in self.event_types if e.id == event_type_id), None)

    def team(self, team_id: int) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the emulator saw it (``GET /_emulator/requests``)."""

    method: str
    path: str
    query: str
    api_version: str | None
    status: int
    at: datetime
    tracker: str
    body: Any = None
