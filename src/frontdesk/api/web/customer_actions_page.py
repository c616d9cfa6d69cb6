"""The two actions on a customer that cannot be undone, owners only (ADR 0020, "The pages"):
merging two records of one person, and erasing a customer on request (GDPR Art. 17). Each has a
confirmation page that says what will happen; erasure also asks for the customer's name to be
typed, so a slip of the finger on a shared tablet erases nobody."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from frontdesk.access.model import WebUser
from frontdesk.api.web.customers_page import redirect_to_record, refused
from frontdesk.api.web.deps import OwnerUser
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.records import RecordsDep, actor_of, page_id
from frontdesk.api.web.templating import render
from frontdesk.booking.customer_merge import merge_customers
from frontdesk.booking.customer_records import CustomerRecord, customer_record
from frontdesk.booking.privacy import erase_customer
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.domain.errors import CustomerErased, CustomerNotFound, InvalidRequest

router = APIRouter()


@router.get("/customers/{customer_id}/merge", include_in_schema=False)
async def merge_page(
    request: Request, user: OwnerUser, records: RecordsDep, customer_id: str, other: str = ""
) -> Response:
    """Confirm: ``other`` goes into this record (this one is kept)."""
    kept = await _record(records, user, page_id(customer_id))
    removed = await _record(records, user, page_id(other))
    if kept.customer.id == removed.customer.id:
        return await refused(request, user, records, kept.customer.id, InvalidRequest("self"))
    if kept.erased_at or removed.erased_at:
        return await refused(request, user, records, kept.customer.id, CustomerErased("erased"))
    return render(request, "customer_merge.html", {"kept": kept, "removed": removed})


@router.post("/customers/{customer_id}/merge", include_in_schema=False)
async def merge(
    request: Request,
    user: OwnerUser,
    records: RecordsDep,
    customer_id: str,
    other: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    keep_id, remove_id = page_id(customer_id), page_id(other)
    try:
        await merge_customers(records, user.tenant_id, keep_id, remove_id, actor_of(user.user_id))
    except CustomerNotFound as exc:
        raise PageError(404, "error.not_found") from exc
    except (InvalidRequest, CustomerErased) as exc:
        return await refused(request, user, records, keep_id, exc)
    return redirect_to_record(keep_id, "flash.customers_merged")


@router.get("/customers/{customer_id}/erase", include_in_schema=False)
async def erase_page(
    request: Request, user: OwnerUser, records: RecordsDep, customer_id: str
) -> Response:
    record = await _record(records, user, page_id(customer_id))
    if record.erased_at is not None:
        return await refused(request, user, records, record.customer.id, CustomerErased("erased"))
    return render(request, "customer_erase.html", {"record": record, "problem": None})


@router.post("/customers/{customer_id}/erase", include_in_schema=False)
async def erase(
    request: Request,
    user: OwnerUser,
    records: RecordsDep,
    customer_id: str,
    confirm_name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    record = await _record(records, user, page_id(customer_id))
    if record.erased_at is not None:
        return await refused(request, user, records, record.customer.id, CustomerErased("erased"))
    if not names_match(confirm_name, record.customer.name):
        context = {"record": record, "problem": "erase.name_mismatch"}
        return render(request, "customer_erase.html", context, status_code=400)
    await erase_customer(records, user.tenant_id, record.customer.id, actor_of(user.user_id))
    return redirect_to_record(record.customer.id, "flash.customer_erased")


def names_match(typed: str, name: str) -> bool:
    """The typed confirmation is the name, ignoring case, surrounding and repeated spaces and
    Unicode composition (an "é" typed on a tablet may arrive decomposed)."""

    def canonical(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(name.strip()) and canonical(typed) == canonical(name)


async def _record(records: UnitOfWork, user: WebUser, customer_id: uuid.UUID) -> CustomerRecord:
    try:
        return await customer_record(records, user.tenant_id, customer_id)
    except CustomerNotFound as exc:  # unknown, or another tenant's
        raise PageError(404, "error.not_found") from exc
