"""A message job for every appointment change, in the change's own transaction (the outbox).

``UnitOfWork.publish`` calls ``enqueue_for_event`` for every booking event it writes, so every
path that books, moves or cancels — voice, REST, web app, a calendar's webhook, the saga —
gives the customer exactly one message per change: the job's dedupe key is the appointment and
its change sequence, and the sequence is counted in the same transaction as the change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.repositories import messages as message_rows
from frontdesk.domain.events import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    DomainEvent,
)
from frontdesk.domain.model import AppointmentSource
from frontdesk.jobs.errors import PermanentJobError
from frontdesk.jobs.queue import enqueue
from frontdesk.messages.model import MessageKind

CUSTOMER_MESSAGE_JOB = "message.customer"
STAFF_MESSAGE_JOB = "message.staff"


@dataclass(frozen=True, slots=True)
class MessageJob:
    """What a customer or staff message job's payload names."""

    tenant_id: uuid.UUID
    appointment_id: uuid.UUID
    kind: str
    sequence: int


def read_job(payload: dict[str, Any]) -> MessageJob:
    """The payload of a message job; ``PermanentJobError`` when it cannot be read (retrying
    cannot mend it)."""
    try:
        return MessageJob(
            uuid.UUID(payload["tenant_id"]),
            uuid.UUID(payload["appointment_id"]),
            str(payload["kind"]),
            int(payload["sequence"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise PermanentJobError(f"unreadable message payload: {exc}") from exc


def _kind_of(event: DomainEvent) -> MessageKind | None:
    if isinstance(event, AppointmentBooked):
        return MessageKind.BOOKED
    if isinstance(event, AppointmentRescheduled):
        return MessageKind.MOVED
    if isinstance(event, AppointmentCancelled):
        return MessageKind.CANCELLED
    return None


async def enqueue_for_event(session: AsyncSession, event: DomainEvent) -> int | None:
    """The customer's message job for ``event`` (None: not a change customers hear about, or a
    booking made on Cal.com's own pages, whose booker Cal.com itself tells)."""
    kind = _kind_of(event)
    if kind is None:
        return None
    source = await message_rows.source_of(session, event.tenant_id, event.appointment_id)
    if source is None or source is AppointmentSource.CALCOM:
        return None
    sequence = await message_rows.next_sequence(session, event.tenant_id, event.appointment_id)
    payload: dict[str, Any] = {
        "tenant_id": str(event.tenant_id),
        "appointment_id": str(event.appointment_id),
        "kind": kind.value,
        "sequence": sequence,
    }
    if isinstance(event, AppointmentBooked | AppointmentRescheduled):
        # The times of this change: a later change must not rewrite what this message says.
        payload["starts_at"] = event.starts_at.isoformat()
        payload["ends_at"] = event.ends_at.isoformat()
    job_id = await enqueue(
        session,
        CUSTOMER_MESSAGE_JOB,
        payload,
        tenant_id=event.tenant_id,
        dedupe_key=f"message:{event.appointment_id}:{sequence}",
    )
    if _business_hears(kind, source) and await message_rows.staff_recipients(
        session, event.tenant_id
    ):
        await enqueue(
            session,
            STAFF_MESSAGE_JOB,
            payload,
            tenant_id=event.tenant_id,
            dedupe_key=f"staff:{event.appointment_id}:{sequence}",
        )
    return job_id


def _business_hears(kind: MessageKind, source: AppointmentSource) -> bool:
    """Phone bookings (nobody at the business saw them made) and every cancellation."""
    if kind is MessageKind.CANCELLED:
        return True
    return kind is MessageKind.BOOKED and source is AppointmentSource.PHONE
