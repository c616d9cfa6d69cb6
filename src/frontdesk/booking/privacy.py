"""A customer's data protection rights (GDPR Art. 15 and 17; ADR 0020).

``export_customer``: everything stored about the customer as one JSON document — the customer
row, consent statements, appointments, calls with transcripts and the functions the agent ran
in them, and the audit entries about any of these.

``erase_customer``: the person's data removed on request. Appointments stay for the books
(the business must keep its records of services rendered and paid, HGB §257 / AO §147) but
lose their free text; the customer row stays as their anonymous customer (no name, number,
e-mail or notes); consents are deleted; the customer's calls lose what was said (transcript,
summary, sentiment, analysis, the functions' arguments and answers) and the caller's number.
The erasure is audited with counts only: the audit trail must not keep what was erased.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.booking.customer_records import audit_customer, load_customer
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.repositories import call_records
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Appointment, AuditLog, Call, CallFunction, Customer, CustomerConsent

EXPORT_FORMAT = "frontdesk.customer-export/1"


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    customer_id: uuid.UUID
    erased_at: datetime
    appointments_anonymised: int
    calls_cleared: int
    consents_deleted: int
    # Erased before: nothing was left to erase.
    already_erased: bool = False


async def export_customer(
    uow: UnitOfWork, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> dict[str, Any]:
    """Everything stored about the customer as a JSON-ready document (``CustomerNotFound``
    for another tenant's or an unknown id)."""
    async with uow.reading() as session:
        customer = await load_customer(session, tenant_id, customer_id)
        consents = await customer_rows.consents_of(session, tenant_id, customer_id)
        appointments = await customer_rows.appointments_of(session, tenant_id, customer_id)
        calls = await call_records.of_customer(session, tenant_id, customer_id, customer.phone_e164)
        functions = await call_records.functions_of_calls(session, tenant_id, [c.id for c in calls])
        about = [str(customer_id), *(str(a.id) for a in appointments), *(str(c.id) for c in calls)]
        entries = await customer_rows.audit_about(session, tenant_id, about)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _time(uow.clock()),
        "customer": _customer(customer),
        "consents": [_consent(row) for row in consents],
        "appointments": [_appointment(row) for row in appointments],
        "calls": [_call(row, functions) for row in calls],
        "audit": [_audit_entry(row) for row in entries],
    }


async def erase_customer(
    uow: UnitOfWork, tenant_id: uuid.UUID, customer_id: uuid.UUID, actor: str
) -> ErasureOutcome:
    """Erase the customer's personal data in one transaction (see the module). Erasing an
    erased customer again only clears what their calls logged since (a call in progress)."""
    async with uow.writing() as session:
        customer = await load_customer(session, tenant_id, customer_id, lock=True)
        calls = await call_records.of_customer(session, tenant_id, customer_id, customer.phone_e164)
        cleared = await call_records.delete_content(
            session, tenant_id, [c.id for c in calls], caller_number=True
        )
        if customer.erased_at is not None:
            await uow.commit(session)
            return ErasureOutcome(customer_id, customer.erased_at, 0, cleared, 0, True)
        anonymised = await customer_rows.anonymise_appointments(session, tenant_id, customer_id)
        consents = await customer_rows.delete_consents(session, tenant_id, customer_id)
        now = uow.clock()
        _erase_identity(customer, now)
        counts = {"appointments": anonymised, "calls": cleared, "consents": consents}
        await audit_customer(uow, session, tenant_id, actor, "customer_erased", customer_id, counts)
        await uow.commit(session)
    return ErasureOutcome(customer_id, now, anonymised, cleared, consents)


def _erase_identity(customer: Customer, now: datetime) -> None:
    """The row keeps its id (the anonymous customer of the kept appointments) and nothing
    that identifies the person."""
    customer.name = ""
    customer.phone_e164 = None
    customer.email = None
    customer.notes = None
    customer.contact_consent_at = None
    customer.marketing_consent_at = None
    customer.erased_at = now


# -- the export document ---------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _customer(row: Customer) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "phone": row.phone_e164,
        "email": row.email,
        "notes": row.notes,
        "created_at": _time(row.created_at),
        "updated_at": _time(row.updated_at),
        "erased_at": _time(row.erased_at),
    }


def _consent(row: CustomerConsent) -> dict[str, Any]:
    return {
        "channel": row.channel.value,
        "granted": row.granted,
        "source": row.source,
        "recorded_by": row.recorded_by,
        "recorded_at": _time(row.recorded_at),
    }


def _appointment(row: Appointment) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "branch_id": str(row.branch_id),
        "service_id": str(row.service_id),
        "staff_id": str(row.staff_id),
        "starts_at": _time(row.starts_at),
        "ends_at": _time(row.ends_at),
        "status": row.status.value,
        "source": row.source.value,
        "notes": row.notes,
        "price_cents": row.price_cents,
        "call_id": str(row.call_id) if row.call_id else None,
        "cancelled_at": _time(row.cancelled_at),
        "cancellation_reason": row.cancellation_reason,
        "cancellation_fee_cents": row.cancellation_fee_cents,
        "created_at": _time(row.created_at),
    }


def _call(row: Call, functions: Sequence[CallFunction]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "started_at": _time(row.started_at),
        "ended_at": _time(row.ended_at),
        "duration_ms": row.duration_ms,
        "from_number": row.from_number,
        "to_number": row.to_number,
        "status": row.call_status,
        "outcome": row.outcome,
        "transcript": row.transcript,
        "summary": row.summary,
        "sentiment": row.sentiment,
        "analysis": row.analysis,
        "content_deleted_at": _time(row.content_deleted_at),
        "functions": [_function(f) for f in _of_call(functions, row.id)],
    }


def _of_call(functions: Iterable[CallFunction], call_id: uuid.UUID) -> list[CallFunction]:
    return [f for f in functions if f.call_id == call_id]


def _function(row: CallFunction) -> dict[str, Any]:
    return {
        "name": row.name,
        "at": _time(row.created_at),
        "arguments": row.arguments,
        "status": row.status,
        "latency_ms": row.latency_ms,
        "answer": row.answer,
        "error": row.error,
    }


def _audit_entry(row: AuditLog) -> dict[str, Any]:
    return {
        "at": _time(row.created_at),
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "data": row.data,
    }
