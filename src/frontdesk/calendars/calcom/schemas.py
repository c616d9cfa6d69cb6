"""Typed models of the Cal.com API v2 resources frontdesk reads and the bodies it sends.

Only the fields frontdesk uses are modelled; everything else in a response is ignored, so a
field Cal.com adds does not break parsing. Field names follow Python; aliases are the API's
camelCase. Version families: bookings 2024-08-13, slots 2024-09-04, team event types
2024-06-14 (see ``transport.VERSIONS`` and ADR 0011).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.alias_generators import to_camel

# Cal.com's metadata limits (CreateBookingInput_2024_08_13): a longer key or value is refused.
METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Me(_Model):
    id: int
    username: str | None = None
    email: str
    time_zone: str
    organization_id: int | None = None


class Team(_Model):
    id: int
    name: str
    slug: str | None = None
    is_organization: bool = False
    time_zone: str | None = None


class MembershipUser(_Model):
    email: str
    username: str | None = None
    name: str | None = None


class Membership(_Model):
    """A team member; the only place a host's e-mail is found (hosts carry none)."""

    id: int
    user_id: int
    team_id: int
    accepted: bool
    role: Literal["MEMBER", "ADMIN", "OWNER"]
    user: MembershipUser


class EventTypeHost(_Model):
    """A host of a team event type as Cal.com returns it (the OpenAPI document says string)."""

    user_id: int
    name: str | None = None
    username: str | None = None
    mandatory: bool | None = None
    priority: str | None = None


class TeamEventType(_Model):
    id: int
    title: str
    slug: str
    length_in_minutes: int
    team_id: int | None = None
    scheduling_type: Literal["roundRobin", "collective", "managed"] | None = None
    hosts: tuple[EventTypeHost, ...] = ()
    assign_all_team_members: bool | None = None
    minimum_booking_notice: int | None = None
    before_event_buffer: int | None = None
    after_event_buffer: int | None = None


class Slot(_Model):
    """A free start (``end`` with ``format=range``), in the ``timeZone`` asked for."""

    start: AwareDatetime
    end: AwareDatetime | None = None


SlotsByDay = dict[date, tuple[Slot, ...]]


class BookingHost(_Model):
    id: int
    name: str | None = None
    email: str | None = None
    username: str | None = None
    time_zone: str | None = None


class BookingAttendee(_Model):
    name: str
    email: str | None = None
    time_zone: str
    phone_number: str | None = None
    language: str | None = None


class EventTypeRef(_Model):
    id: int
    slug: str | None = None


class Booking(_Model):
    """A booking as API v2 (2024-08-13) returns it; ``status`` is lowercase there."""

    id: int
    uid: str
    title: str | None = None
    status: Literal["accepted", "pending", "cancelled", "rejected"]
    start: AwareDatetime
    end: AwareDatetime
    duration: int | None = None
    event_type: EventTypeRef | None = None
    event_type_id: int | None = None
    hosts: tuple[BookingHost, ...] = ()
    attendees: tuple[BookingAttendee, ...] = ()
    metadata: dict[str, Any] = Field(default_factory=dict)
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    cancellation_reason: str | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return {} if value is None else value

    @property
    def booked_event_type_id(self) -> int | None:
        return self.event_type.id if self.event_type else self.event_type_id


class Pagination(_Model):
    total_items: int
    returned_items: int
    items_per_page: int
    current_page: int
    has_next_page: bool


class Webhook(_Model):
    id: int
    subscriber_url: str
    triggers: tuple[str, ...]
    active: bool
    event_type_id: int | None = None
    # Cal.com echoes the signing secret; keep it out of reprs and logs.
    secret: SecretStr | None = None


class NewBookingAttendee(_Model):
    name: str
    time_zone: str
    email: str | None = None
    phone_number: str | None = None
    language: str | None = None


class NewBooking(_Model):
    """The body of ``POST /v2/bookings`` (regular booking, identified by event type id).

    ``rr_host_subset_ids`` limits a round-robin event type to the given hosts (upstream
    ``CreateBookingInput_2024_08_13.rrHostSubsetIds``, hidden from the published document):
    that is how a caller's staff wish reaches Cal.com (ADR 0011).
    """

    event_type_id: int
    start: AwareDatetime
    attendee: NewBookingAttendee
    metadata: dict[str, str] = Field(default_factory=dict)
    length_in_minutes: int | None = None
    rr_host_subset_ids: tuple[int, ...] | None = None

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("metadata")
    @classmethod
    def _within_limits(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > METADATA_MAX_KEYS:
            raise ValueError(f"at most {METADATA_MAX_KEYS} metadata keys")
        for key, item in value.items():
            if len(key) > METADATA_MAX_KEY_LENGTH or len(item) > METADATA_MAX_VALUE_LENGTH:
                raise ValueError(f"metadata {key!r} exceeds Cal.com's length limits")
        return value

    def body(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["start"] = utc_text(self.start)
        return data


class NewWebhook(_Model):
    subscriber_url: str
    triggers: tuple[str, ...]
    active: bool = True
    secret: SecretStr | None = None

    def body(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"secret"})
        if self.secret is not None:
            data["secret"] = self.secret.get_secret_value()
        return data


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, milliseconds: the form Cal.com documents for times."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Cal.com times must be aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
