"""Request and response models of the REST API (field names are part of the contract)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from frontdesk.booking.views import AppointmentView, SlotView
from frontdesk.domain import rules
from frontdesk.domain.errors import DomainError
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, SyncState

T = TypeVar("T")
V = TypeVar("V")


def domain_rule(rule: Callable[[V], Any]) -> AfterValidator:
    """A pydantic validator applying one of ``domain.rules`` (its refusal becomes the 422's
    detail). The rules are the domain's, shared with the voice channel; only the mapping to a
    validation error lives here."""

    def check(value: V) -> Any:
        if value is None:
            return None
        try:
            return rule(value)
        except DomainError as exc:
            raise ValueError(exc.detail) from None

    return AfterValidator(check)


def _text(what: str, max_length: int, *, single_line: bool = False) -> AfterValidator:
    def rule(value: str) -> str:
        return rules.checked_text(value, what, max_length, single_line=single_line)

    return domain_rule(rule)


Start = Annotated[
    AwareDatetime,
    Field(
        description="ISO 8601 with offset, e.g. 2026-12-01T10:00:00+01:00; whole minutes, "
        f"between {rules.EARLIEST.year} and {rules.LATEST.year - 1}"
    ),
    domain_rule(rules.bookable_start),
]
CustomerName = Annotated[
    str, Field(min_length=1, max_length=rules.MAX_CUSTOMER_NAME), domain_rule(rules.customer_name)
]
Email = Annotated[
    str,
    Field(max_length=rules.MAX_EMAIL, json_schema_extra={"format": "email"}),
    domain_rule(rules.email),
]
Notes = Annotated[str, Field(max_length=rules.MAX_NOTES), _text("notes", rules.MAX_NOTES)]
Reason = Annotated[str, Field(max_length=rules.MAX_REASON), _text("reason", rules.MAX_REASON)]
SearchText = Annotated[str, _text("q", rules.MAX_SEARCH_TEXT, single_line=True)]
Instant = Annotated[datetime, domain_rule(rules.instant)]
Day = Annotated[date, domain_rule(rules.day)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last page."
    )


class ServiceOut(BaseModel):
    id: uuid.UUID
    name: str
    duration_minutes: int
    price_cents: int | None
    aliases: list[str]
    branch_id: uuid.UUID
    staff_ids: list[uuid.UUID]


class StaffOut(BaseModel):
    id: uuid.UUID
    name: str
    first_name: str
    last_name: str
    branch_id: uuid.UUID


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    staff_id: uuid.UUID
    staff_name: str
    service_id: uuid.UUID

    @classmethod
    def of(cls, slot: SlotView) -> SlotOut:
        return cls(
            start=slot.start,
            end=slot.end,
            staff_id=slot.staff_id,
            staff_name=slot.staff_name,
            service_id=slot.service_id,
        )


class AvailabilityOut(BaseModel):
    service_id: uuid.UUID
    from_date: date = Field(serialization_alias="from")
    days: int
    slots: list[SlotOut]
    as_of: datetime | None = Field(
        default=None,
        description="Outside calendar (Cal.com): when the free times shown were read from it "
        "(the oldest day's); absent on the built-in calendar, which is always current.",
    )
    unknown_days: list[date] = Field(
        default_factory=list,
        description="Outside calendar: days not read from it yet (no slots shown for them).",
    )


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CustomerName
    phone: str | None = Field(
        default=None, max_length=40, description="Any notation; stored as E.164."
    )
    email: Email | None = None


class AppointmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: uuid.UUID
    start: Start
    staff_id: uuid.UUID | None = None
    customer: CustomerIn
    notes: Notes | None = None


class AppointmentPatch(BaseModel):
    """Move an appointment (``start``, optionally ``staff_id``) and/or change its notes."""

    model_config = ConfigDict(extra="forbid")

    start: Start | None = None
    staff_id: uuid.UUID | None = None
    notes: Notes | None = None
    version: int | None = Field(
        default=None,
        description="Refuse the change (409 concurrent_update) unless the appointment is at "
        "this version, whichever fields change.",
    )


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None
    version: int | None = None


class AppointmentOut(BaseModel):
    id: uuid.UUID
    start: datetime
    end: datetime
    status: AppointmentStatus
    staff_id: uuid.UUID
    service_id: uuid.UUID
    customer_id: uuid.UUID
    branch_id: uuid.UUID
    source: AppointmentSource
    sync_state: SyncState = Field(
        description="Where it stands with an outside calendar: local (built-in calendar), "
        "pending_sync, synced, sync_failed or conflict."
    )
    external_uid: str | None = Field(
        default=None, description="The outside calendar's booking uid (Cal.com), once synced."
    )
    version: int
    notes: str | None
    cancellation_fee_cents: int | None
    cancelled_at: datetime | None
    created_at: datetime
    duplicate: bool = Field(
        default=False, description="True when this booking already existed and was returned."
    )

    @classmethod
    def of(cls, view: AppointmentView, duplicate: bool = False) -> AppointmentOut:
        return cls.model_validate(view, from_attributes=True).model_copy(
            update={"duplicate": duplicate}
        )


class CancellationOut(BaseModel):
    appointment: AppointmentOut
    fee_cents: int


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    phone: str | None = Field(validation_alias="phone_e164")
    email: str | None
    created_at: datetime


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    retell_call_id: str
    from_number: str | None
    to_number: str | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: int | None
    disconnection_reason: str | None
    outcome: str | None
    summary: str | None
    sentiment: str | None
    successful: bool | None
    created_at: datetime


class ProblemOut(BaseModel):
    """RFC 9457 problem details, plus our stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    alternatives: list[dict[str, str]] | None = None


PROBLEMS: dict[int | str, dict[str, object]] = {
    status: {"model": ProblemOut, "content": {"application/problem+json": {}}, "description": text}
    for status, text in {
        400: "The body could not be read (not JSON, wrong encoding)",
        401: "Missing or invalid API key",
        404: "Not found (also: belongs to another tenant)",
        409: "Conflict: slot_taken (with alternatives), already_cancelled, idempotency in flight",
        413: "body_too_large: the request body exceeds 64 KB",
        422: "validation_error, outside_hours, too_soon, beyond_horizon, in_past, …",
        500: "internal_error: an unexpected error (logged; nothing about it is disclosed)",
        503: "database_unavailable, calendar_unavailable, …: a dependency failed; Retry-After",
    }.items()
}
