"""Request and response models of the REST API (field names are part of the contract)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field

from frontdesk.booking.views import AppointmentView, SlotView
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, SyncState

T = TypeVar("T")


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


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(
        default=None, max_length=40, description="Any notation; stored as E.164."
    )
    email: EmailStr | None = None


class AppointmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: uuid.UUID
    start: AwareDatetime = Field(description="ISO 8601 with offset, e.g. 2026-12-01T10:00:00+01:00")
    staff_id: uuid.UUID | None = None
    customer: CustomerIn
    notes: str | None = Field(default=None, max_length=2000)


class AppointmentPatch(BaseModel):
    """Move an appointment (``start``, optionally ``staff_id``) and/or change its notes."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime | None = None
    staff_id: uuid.UUID | None = None
    notes: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(
        default=None,
        description="Refuse the change (409) unless the appointment is at this version.",
    )


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=200)
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
    sync_state: SyncState
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
        401: "Missing or invalid API key",
        404: "Not found (also: belongs to another tenant)",
        409: "Conflict: slot_taken (with alternatives), already_cancelled, idempotency in flight",
        422: "validation_error, outside_hours, too_soon, beyond_horizon, in_past, …",
    }.items()
}
