"""The business's customer records: search by name or phone, a customer's history
(appointments and calls), notes, and contact consents with when and how they were given.

Use cases over the unit of work; results are plain views. Erased customers (ADR 0020) are
never found by a search; their record shows only that it was erased.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import audit, call_records
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Appointment, Call, Customer, CustomerConsent
from frontdesk.domain import rules
from frontdesk.domain.errors import CustomerErased, CustomerNotFound, InvalidRequest
from frontdesk.domain.model import AppointmentStatus, ConsentChannel
from frontdesk.domain.paging import Cursor, Page
from frontdesk.language.phone_search import display, phone_query


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """A customer as a search result lists them (phone formatted for Germany)."""

    id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    erased: bool


@dataclass(frozen=True, slots=True)
class ConsentView:
    """The current consent on one channel: given or withdrawn, when, how and by whom."""

    channel: ConsentChannel
    granted: bool
    at: datetime
    source: str
    recorded_by: str


@dataclass(frozen=True, slots=True)
class HistoryAppointment:
    id: uuid.UUID
    start: datetime
    end: datetime
    status: AppointmentStatus
    service_id: uuid.UUID
    staff_id: uuid.UUID
    notes: str | None


@dataclass(frozen=True, slots=True)
class HistoryCall:
    id: uuid.UUID
    at: datetime
    duration_ms: int | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    customer: CustomerSummary
    notes: str | None
    created_at: datetime
    erased_at: datetime | None
    consents: tuple[ConsentView, ...]
    appointments: tuple[HistoryAppointment, ...]
    calls: tuple[HistoryCall, ...]


def summary(row: Customer) -> CustomerSummary:
    return CustomerSummary(
        id=row.id,
        name=row.name,
        phone=display(row.phone_e164),
        email=row.email,
        erased=row.erased_at is not None,
    )


async def search_customers(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    text: str,
    *,
    after: Cursor | None = None,
    limit: int = 50,
) -> Page[CustomerSummary]:
    """Customers whose name contains ``text``, or whose number is ``text`` in any notation
    (or begins with it, or contains its digits)."""
    text = rules.checked_text(text.strip(), "search", rules.MAX_SEARCH_TEXT, single_line=True)
    if not text:
        return Page([])
    phone = phone_query(text)
    async with uow.reading() as session:
        page = await customer_rows.search(
            session,
            tenant_id,
            name=None if phone else text,
            phone_prefix=phone.prefix if phone else None,
            phone_digits=phone.digits if phone else None,
            after=after,
            limit=limit,
        )
    return page.map(summary)


async def customer_record(
    uow: UnitOfWork, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> CustomerRecord:
    """The customer with their consents and history; ``CustomerNotFound`` otherwise."""
    async with uow.reading() as session:
        row = await load_customer(session, tenant_id, customer_id)
        consents = await customer_rows.consents_of(session, tenant_id, customer_id)
        appointments = await customer_rows.appointments_of(session, tenant_id, customer_id)
        calls = await call_records.of_customer(session, tenant_id, customer_id, row.phone_e164)
    return CustomerRecord(
        customer=summary(row),
        notes=row.notes,
        created_at=row.created_at,
        erased_at=row.erased_at,
        consents=current_consents(consents),
        appointments=tuple(_appointment(a) for a in appointments),
        calls=tuple(_call(c) for c in calls),
    )


async def set_customer_notes(
    uow: UnitOfWork, tenant_id: uuid.UUID, customer_id: uuid.UUID, notes: str, actor: str
) -> CustomerRecord:
    """Replace the customer's notes (empty text removes them); audited without the text."""
    cleaned = rules.checked_text(notes.strip(), "notes", rules.MAX_NOTES) or None
    async with uow.writing() as session:
        row = await load_customer(session, tenant_id, customer_id, lock=True)
        check_not_erased(row)
        row.notes = cleaned
        await audit_customer(
            uow, session, tenant_id, actor, "customer_notes_changed", customer_id, {}
        )
        await uow.commit(session)
    return await customer_record(uow, tenant_id, customer_id)


async def record_consent(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    *,
    channel: ConsentChannel,
    granted: bool,
    source: str,
    actor: str,
) -> ConsentView:
    """Record that the customer gave (or withdrew) consent to be contacted on ``channel``;
    ``source`` says how ("am Telefon", "Formular im Salon"). Earlier statements are kept."""
    source = rules.checked_text(source.strip(), "source", rules.MAX_REASON, single_line=True)
    if not source:
        raise InvalidRequest("source: say how the consent was given")
    async with uow.writing() as session:
        row = await load_customer(session, tenant_id, customer_id, lock=True)
        check_not_erased(row)
        added = await customer_rows.add_consent(
            session,
            tenant_id,
            customer_id,
            channel=channel,
            granted=granted,
            source=source,
            recorded_by=actor,
        )
        view = _consent(added)
        data = {"channel": channel.value, "granted": granted}
        await audit_customer(uow, session, tenant_id, actor, "customer_consent", customer_id, data)
        await uow.commit(session)
    return view


def current_consents(rows: Iterable[CustomerConsent]) -> tuple[ConsentView, ...]:
    """The latest statement per channel (``rows`` oldest first)."""
    latest: dict[ConsentChannel, CustomerConsent] = {}
    for row in rows:
        latest[row.channel] = row
    return tuple(_consent(latest[c]) for c in ConsentChannel if c in latest)


async def load_customer(
    session: DbSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    row = await customer_rows.get(session, tenant_id, customer_id, lock=lock)
    if row is None:
        raise CustomerNotFound(f"no customer {customer_id}")
    return row


def check_not_erased(row: Customer) -> None:
    if row.erased_at is not None:
        raise CustomerErased("the customer's data was erased")


async def audit_customer(
    uow: UnitOfWork,
    session: DbSession,
    tenant_id: uuid.UUID,
    actor: str,
    action: str,
    customer_id: uuid.UUID,
    data: Mapping[str, object],
) -> None:
    """An audit entry about the customer: ids and facts only, never personal data."""
    await audit.record_once(
        session,
        entry_id=uuid.uuid4(),
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        entity_type="customer",
        entity_id=str(customer_id),
        data=dict(data),
        at=uow.clock(),
    )


def _consent(row: CustomerConsent) -> ConsentView:
    return ConsentView(row.channel, row.granted, row.recorded_at, row.source, row.recorded_by)


def _appointment(row: Appointment) -> HistoryAppointment:
    return HistoryAppointment(
        row.id, row.starts_at, row.ends_at, row.status, row.service_id, row.staff_id, row.notes
    )


def _call(row: Call) -> HistoryCall:
    return HistoryCall(row.id, row.started_at or row.created_at, row.duration_ms, row.outcome)
