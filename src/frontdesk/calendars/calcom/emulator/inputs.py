"""Request parsing with Cal.com's rules: instants in UTC (a bare date is a UTC day), bodies
validated like its ValidationPipe (400 with ``details.errors``), metadata limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from frontdesk.calendars.calcom.emulator.errors import CalcomError

METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500

M = TypeVar("M", bound=BaseModel)


def instant(text: str | None, name: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 instant; no offset means UTC, and a bare date is that UTC day's start
    (or, for ``end``, 23:59:59 — Cal.com's ``adjustEndTime``)."""
    if not text:
        raise CalcomError(400, f"{name} must be a valid ISO 8601 date string")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59) if end_of_day else time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CalcomError(400, f"{name} must be a valid ISO 8601 date string") from exc
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def integers(text: str | None, name: str) -> tuple[int, ...]:
    """A comma-separated id list, as query strings carry ``rrHostSubsetIds``."""
    if not text:
        return ()
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise CalcomError(400, f"{name} must be a list of numbers") from exc


def body(raw: bytes, model: type[M]) -> M:
    try:
        data: Any = json.loads(raw or b"{}")
        return model.model_validate(data)
    except (ValueError, ValidationError) as exc:
        errors = (
            [f"{'.'.join(map(str, e['loc']))} - {e['msg']}" for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else ["body must be JSON"]
        )
        raise CalcomError(400, ", ".join(errors), {"errors": errors}) from exc


class _Input(BaseModel):
    # Unknown properties are ignored (the document allows them; rrHostSubsetIds is hidden).
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AttendeeIn(_Input):
    name: str = Field(min_length=1)
    time_zone: str = Field(alias="timeZone", min_length=1)
    email: str | None = None
    phone_number: str | None = Field(default=None, alias="phoneNumber")
    language: str = "en"


class CreateIn(_Input):
    start: str
    attendee: AttendeeIn
    event_type_id: int = Field(alias="eventTypeId")
    metadata: dict[str, str] = Field(default_factory=dict)
    length_in_minutes: int | None = Field(default=None, alias="lengthInMinutes")
    rr_host_subset_ids: list[int] = Field(default_factory=list, alias="rrHostSubsetIds")

    @field_validator("metadata")
    @classmethod
    def _limits(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > METADATA_MAX_KEYS:
            raise ValueError(f"Metadata can have at most {METADATA_MAX_KEYS} keys")
        for key, item in value.items():
            if len(key) > METADATA_MAX_KEY_LENGTH:
                raise ValueError(
                    f"Metadata key {key!r} exceeds {METADATA_MAX_KEY_LENGTH} characters"
                )
            if len(item) > METADATA_MAX_VALUE_LENGTH:
                raise ValueError(f"Metadata value of {key!r} exceeds 500 characters")
        return value


class CancelIn(_Input):
    cancellation_reason: str | None = Field(default=None, alias="cancellationReason")


class RescheduleIn(_Input):
    start: str
    rescheduling_reason: str | None = Field(default=None, alias="reschedulingReason")
    rescheduled_by: str | None = Field(default=None, alias="rescheduledBy")
    rr_host_subset_ids: list[int] = Field(default_factory=list, alias="rrHostSubsetIds")


class WebhookIn(_Input):
    subscriber_url: str = Field(alias="subscriberUrl", min_length=1)
    triggers: list[str] = Field(min_length=1)
    active: bool
    secret: str | None = None
    payload_template: str | None = Field(default=None, alias="payloadTemplate")


class PageBookingIn(CreateIn):
    """``POST /_emulator/bookings``: a booking made on Cal.com's own booking page."""
