"""``/admin/customers``: search by name or phone number (any German notation);
``/admin/customers/{id}``: the record with its history of appointments and calls, notes,
contact consents, and the GDPR export (Art. 15) as a JSON download. Merge and erasure are in
``customer_actions_page`` (owners only)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.access.model import WebUser
from frontdesk.api.web import nav
from frontdesk.api.web.deps import CurrentUser
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.records import (
    RecordsDep,
    actor_of,
    local,
    next_after,
    page_id,
    parse_after,
)
from frontdesk.api.web.templating import render, set_flash
from frontdesk.booking.catalog_names import catalog_names
from frontdesk.booking.customer_records import (
    CustomerSummary,
    customer_record,
    record_consent,
    search_customers,
    set_customer_notes,
)
from frontdesk.booking.privacy import export_customer
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.domain.errors import CustomerErased, CustomerNotFound, InvalidRequest
from frontdesk.domain.model import ConsentChannel
from frontdesk.domain.paging import Cursor, Page

router = APIRouter()
nav.register(nav.NavItem("nav.customers", "/admin/customers", 300))
PAGE_SIZE = 50
MERGE_CANDIDATES = 10


@router.get("/customers", include_in_schema=False)
async def customers_page(
    request: Request,
    user: CurrentUser,
    records: RecordsDep,
    q: str | None = None,
    after: str | None = None,
) -> Response:
    text = (q or "").strip()
    start, bad_after = parse_after(after)
    problems: list[str] = ["customers.bad_after"] if bad_after else []
    found, bad_text = await _search(records, user, text, start)
    problems += ["customers.bad_search"] if bad_text else []
    following = next_after(found.next)
    context = {
        "q": text,
        "customers": found.items,
        "searched": bool(text) and not bad_text,
        "problems": problems,
        "next_url": "/admin/customers?" + urlencode({"q": text, "after": following})
        if following
        else None,
    }
    return render(request, "customers.html", context, status_code=400 if problems else 200)


@router.get("/customers/{customer_id}", include_in_schema=False)
async def customer_page(
    request: Request,
    user: CurrentUser,
    records: RecordsDep,
    customer_id: str,
    merge_q: str | None = None,
) -> Response:
    return await render_record(request, user, records, page_id(customer_id), merge_q=merge_q)


@router.post("/customers/{customer_id}/notes", include_in_schema=False)
async def save_notes(
    request: Request,
    user: CurrentUser,
    records: RecordsDep,
    customer_id: str,
    notes: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    ident = page_id(customer_id)
    try:
        await set_customer_notes(records, user.tenant_id, ident, notes, actor_of(user.user_id))
    except (InvalidRequest, CustomerErased) as exc:
        return await refused(request, user, records, ident, exc, notes=notes)
    except CustomerNotFound as exc:
        raise PageError(404, "error.not_found") from exc
    return redirect_to_record(ident, "flash.notes_saved")


@router.post("/customers/{customer_id}/consent", include_in_schema=False)
async def save_consent(
    request: Request,
    user: CurrentUser,
    records: RecordsDep,
    customer_id: str,
    channel: Annotated[str, Form(max_length=20)] = "",
    granted: Annotated[str, Form(max_length=10)] = "",
    source: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    ident = page_id(customer_id)
    if channel not in tuple(ConsentChannel) or granted not in ("yes", "no"):
        return await refused(request, user, records, ident, InvalidRequest("channel"))
    try:
        await record_consent(
            records,
            user.tenant_id,
            ident,
            channel=ConsentChannel(channel),
            granted=granted == "yes",
            source=source,
            actor=actor_of(user.user_id),
        )
    except (InvalidRequest, CustomerErased) as exc:
        return await refused(request, user, records, ident, exc, consent_source=source)
    except CustomerNotFound as exc:
        raise PageError(404, "error.not_found") from exc
    return redirect_to_record(ident, "flash.consent_saved")


@router.get("/customers/{customer_id}/export", include_in_schema=False)
async def export(user: CurrentUser, records: RecordsDep, customer_id: str) -> Response:
    """Everything stored about the customer (GDPR Art. 15) as a download; never cached, since
    it is personal data (a shared tablet's cache must not keep it)."""
    ident = page_id(customer_id)
    try:
        document = await export_customer(records, user.tenant_id, ident)
    except CustomerNotFound as exc:
        raise PageError(404, "error.not_found") from exc
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="kunde-{ident}.json"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def render_record(
    request: Request,
    user: WebUser,
    records: UnitOfWork,
    customer_id: uuid.UUID,
    *,
    merge_q: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
    consent_source: str = "",
    notes: str | None = None,
) -> Response:
    """The customer's page; ``problem`` is a message key shown as an error above it."""
    try:
        record = await customer_record(records, user.tenant_id, customer_id)
    except CustomerNotFound as exc:
        raise PageError(404, "error.not_found") from exc
    names = await catalog_names(records, user.tenant_id)
    merge_text = (merge_q or "").strip()
    candidates, bad_merge = await _search(records, user, merge_text, None, MERGE_CANDIDATES)
    context = {
        "record": record,
        "customer": record.customer,
        "names": names,
        "problem": problem or ("customers.bad_search" if bad_merge else None),
        "merge_q": merge_text,
        "merge_candidates": [c for c in candidates.items if c.id != customer_id],
        "merge_searched": bool(merge_text) and not bad_merge,
        "consent_source": consent_source,
        "notes": record.notes if notes is None else notes,
        "channels": tuple(ConsentChannel),
        "local": lambda instant: local(instant, user.timezone),
    }
    return render(request, "customer.html", context, status_code=400 if bad_merge else status_code)


async def refused(
    request: Request,
    user: WebUser,
    records: UnitOfWork,
    customer_id: uuid.UUID,
    exc: Exception,
    *,
    consent_source: str = "",
    notes: str | None = None,
) -> Response:
    """The record again with why the change was refused (nothing was written)."""
    if isinstance(exc, CustomerErased):
        key, status = "customers.erased_refused", 409
    else:
        key, status = "customers.invalid", 400
    return await render_record(
        request,
        user,
        records,
        customer_id,
        problem=key,
        status_code=status,
        consent_source=consent_source,
        notes=notes,
    )


def redirect_to_record(customer_id: uuid.UUID, flash: str) -> Response:
    response = RedirectResponse(f"/admin/customers/{customer_id}", status_code=303)
    set_flash(response, flash)
    return response


async def _search(
    records: UnitOfWork,
    user: WebUser,
    text: str,
    start: Cursor | None,
    limit: int = PAGE_SIZE,
) -> tuple[Page[CustomerSummary], bool]:
    """The search's page and whether the text was refused (too long, control characters)."""
    if not text:
        return Page([]), False
    try:
        found = await search_customers(records, user.tenant_id, text, after=start, limit=limit)
    except InvalidRequest:
        return Page([]), True
    return found, False
