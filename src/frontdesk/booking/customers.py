"""Resolve the customer of a booking by E.164 phone within the tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Customer
from frontdesk.domain import rules
from frontdesk.domain.errors import (
    CustomerErased,
    CustomerNotFound,
    InvalidPhone,
    InvalidRequest,
)
from frontdesk.language.match import name_similarity
from frontdesk.language.phone import E164, parse_phone

# Below this similarity a known caller's given name is someone else's (see ``note_for``).
SAME_PERSON = 0.75


@dataclass(frozen=True, slots=True)
class CustomerInput:
    """Who the booking is for. ``for_someone_else_by_name``: a known customer's record is left
    as it is, and a clearly different given name means the booking is for another person (the
    phone agent's rule: the caller ID is the customer, the spoken name may be a relative's)."""

    name: str
    phone: str | None
    email: str | None = None
    for_someone_else_by_name: bool = False


def normalised(given: CustomerInput, region: str) -> CustomerInput:
    """``given`` judged by the domain's rules, whichever channel it came from: the name (one
    line, at most 200 characters), a valid e-mail address (normalised) and the phone as E.164.
    ``InvalidRequest``/``InvalidEmail``/``InvalidPhone`` otherwise."""
    return replace(
        given,
        name=rules.customer_name(given.name),
        email=rules.email(given.email),
        phone=to_e164(given.phone, region) if given.phone is not None else None,
    )


def to_e164(raw: str, region: str) -> str:
    """Any national or international notation to E.164, or ``InvalidPhone``."""
    parsed = parse_phone(raw, region)
    if isinstance(parsed, E164):
        return parsed.number
    raise InvalidPhone(f"{raw!r} is not a valid phone number")


async def find(session: DbSession, tenant_id: uuid.UUID, phone: str | None) -> Customer | None:
    if phone is None:
        return None
    return await customer_rows.by_phone(session, tenant_id, phone)


async def known(session: DbSession, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> Customer:
    """The tenant's customer by id, if their data was not erased."""
    row = await customer_rows.get(session, tenant_id, customer_id)
    if row is None:
        raise CustomerNotFound(f"no customer {customer_id}")
    if row.erased_at is not None:
        raise CustomerErased("the customer's data was erased")
    return row


def note_for(given: CustomerInput, existing: Customer | None, notes: str | None) -> str | None:
    """The booking's notes: with ``for_someone_else_by_name``, a known customer giving a clearly
    different name is booking for that person, which staff should know ("Termin für: …")."""
    if not given.for_someone_else_by_name or existing is None or not given.name.strip():
        return notes
    if name_similarity(given.name, existing.name) >= SAME_PERSON:
        return notes
    named = f"Termin für: {given.name.strip()}"
    return f"{named}. {notes}" if notes else named


async def resolve(
    session: DbSession, tenant_id: uuid.UUID, existing: Customer | None, given: CustomerInput
) -> Customer:
    """The existing customer (name and email kept up to date unless the input says the booking
    may be for someone else) or a new one.

    A customer without phone (withheld number) is always new: there is nothing to match on.
    """
    name = given.name.strip()
    if existing is not None and given.for_someone_else_by_name:
        return existing
    if existing is not None:
        if name and existing.name != name:
            existing.name = name
        if given.email and existing.email != given.email:
            existing.email = given.email
        return existing
    if not name:
        raise InvalidRequest("a new customer needs a name")
    return await customer_rows.add(
        session,
        Customer(tenant_id=tenant_id, name=name, phone_e164=given.phone, email=given.email),
    )
