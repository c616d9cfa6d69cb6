"""Merge two records of one person: everything of the removed record goes to the kept one.

A person often ends up twice: once from a call with their mobile, once booked at the desk
under their landline or with a typo in the name. Merging moves the appointments, calls and
consent statements to the kept record, adds the removed record's notes to the kept notes,
fills the kept record's phone and e-mail where it has none, deletes the other record and
audits what was moved (ids and counts only). Both records must be the tenant's: another
tenant's id is not found, so nothing crosses tenants.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.booking.customer_records import audit_customer, check_not_erased, load_customer
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Customer
from frontdesk.domain import rules
from frontdesk.domain.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    kept_id: uuid.UUID
    removed_id: uuid.UUID
    appointments: int
    calls: int
    consents: int


async def merge_customers(
    uow: UnitOfWork, tenant_id: uuid.UUID, keep_id: uuid.UUID, remove_id: uuid.UUID, actor: str
) -> MergeOutcome:
    """Merge ``remove_id`` into ``keep_id`` in one transaction (``CustomerNotFound`` when
    either is not the tenant's, ``CustomerErased`` when either was erased)."""
    if keep_id == remove_id:
        raise InvalidRequest("a customer cannot be merged with itself")
    async with uow.writing() as session:
        # Locked in id order: two merges of the same pair cannot deadlock.
        first, second = sorted((keep_id, remove_id))
        rows = {
            first: await load_customer(session, tenant_id, first, lock=True),
            second: await load_customer(session, tenant_id, second, lock=True),
        }
        kept, removed = rows[keep_id], rows[remove_id]
        check_not_erased(kept)
        check_not_erased(removed)
        moved = await customer_rows.move_records(
            session, tenant_id, remove_id, keep_id, removed.phone_e164
        )
        phone, email = removed.phone_e164, removed.email
        _combine_notes(kept, removed)
        # The removed row goes first: its phone number is unique within the tenant.
        await customer_rows.remove(session, removed)
        kept.phone_e164 = kept.phone_e164 or phone
        kept.email = kept.email or email
        data = {"removed_customer_id": str(remove_id), **moved}
        await audit_customer(uow, session, tenant_id, actor, "customer_merged", keep_id, data)
        await uow.commit(session)
    return MergeOutcome(
        keep_id, remove_id, moved["appointments"], moved["calls"], moved["consents"]
    )


def _combine_notes(kept: Customer, removed: Customer) -> None:
    """Both records' notes, the kept one's first, within the notes' length limit."""
    parts = [note for note in (kept.notes, removed.notes) if note]
    combined = "\n\n".join(dict.fromkeys(parts))
    kept.notes = combined[: rules.MAX_NOTES] or None
