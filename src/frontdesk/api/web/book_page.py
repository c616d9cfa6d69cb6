"""Book from the schedule: ``/admin/schedule/book`` (GET the form, POST the booking).

The form has two parts. The criteria (service, staff or "any", day, customer search) are a GET
form, so the page has a stable URL and works without JavaScript ("Aktualisieren"); with HTMX
the free times and the customers found are swapped in as the criteria change. The booking is a
POST form offering the free slots of the day from the same availability use case as REST and
voice, and books through ``BookingService.book`` (source ``admin``) with the form's
idempotency key, so a double-submitted form books once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.api.deps import BookingDep, QueriesDep
from frontdesk.api.web.action_errors import Refusal, refusal
from frontdesk.api.web.deps import CurrentUser, ScheduleDep
from frontdesk.api.web.templating import render, set_flash, translator_for
from frontdesk.booking.customer_records import CustomerSummary, search_customers
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.service import BookingRequest, BookingService
from frontdesk.booking.views import SlotView
from frontdesk.domain.errors import DomainError, SlotUnavailable
from frontdesk.domain.model import AppointmentSource

router = APIRouter()
MAX_FOUND = 8
KEY_PREFIX = "web:"


@dataclass(frozen=True, slots=True)
class Choice:
    """A free time offered as a radio button: ``value`` is the UTC start."""

    value: str
    label: str


@dataclass(slots=True)
class BookForm:
    """What the form shows and, after a refused POST, what was entered."""

    day: date
    service_id: uuid.UUID | None
    staff_id: uuid.UUID | None
    search: str = ""
    slot: str = ""
    customer: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    problems: list[tuple[str, str]] = field(default_factory=list)


def _uuid(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _text(values: Any, name: str, limit: int = 500) -> str:
    value = values.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse_form(values: Any, today: date) -> BookForm:
    """The criteria and fields of a GET query or POST body; a bad day is reported, not raised."""
    form = BookForm(today, _uuid(values.get("service")), _uuid(values.get("staff")))
    raw_day = _text(values, "date", 40)
    if raw_day:
        try:
            form.day = date.fromisoformat(raw_day)
        except ValueError:
            form.problems.append(("schedule.bad_date", raw_day))
    form.search = _text(values, "q", 100)
    form.slot = _text(values, "slot", 60)
    form.customer = _text(values, "customer", 60)
    form.name, form.phone = _text(values, "name", 200), _text(values, "phone", 40)
    form.email, form.notes = _text(values, "email", 254), _text(values, "notes", 1000)
    key = _uuid(values.get("idempotency_key"))
    if key is not None:
        form.key = str(key)
    return form


@router.get("/schedule/book", include_in_schema=False)
async def book_form(
    request: Request,
    user: CurrentUser,
    booking: BookingDep,
    queries: QueriesDep,
    schedule: ScheduleDep,
) -> Response:
    zone, today = await branch_zone(request, schedule, user.tenant_id)
    form = parse_form(request.query_params, today)
    context = await _context(request, user.tenant_id, booking, queries, form, zone)
    return render(request, "book.html", context, status_code=400 if form.problems else 200)


@router.post("/schedule/book", include_in_schema=False)
async def book(
    request: Request,
    user: CurrentUser,
    booking: BookingDep,
    queries: QueriesDep,
    schedule: ScheduleDep,
) -> Response:
    zone, today = await branch_zone(request, schedule, user.tenant_id)
    form = parse_form(await request.form(), today)
    missing = _missing(form)
    if missing is not None:
        return await _refused(request, user.tenant_id, booking, queries, form, zone, missing)
    try:
        outcome = await booking.book(_request(user.tenant_id, form))
    except DomainError as exc:
        why = refusal(exc)
        return await _refused(request, user.tenant_id, booking, queries, form, zone, why, exc)
    day = outcome.appointment.start.astimezone(zone).date()
    response = RedirectResponse(f"/admin/schedule?date={day.isoformat()}&view=day", status_code=303)
    set_flash(response, "flash.booked")
    return response


def _missing(form: BookForm) -> Refusal | None:
    if form.service_id is None:
        return Refusal("action.error.choose_service", 422)
    if not _start_of(form.slot):
        return Refusal("action.error.choose_time", 422)
    if form.customer != "new" and _uuid(form.customer) is None:
        return Refusal("action.error.choose_customer", 422)
    if form.customer == "new" and (not form.name or not form.phone):
        return Refusal("action.error.new_customer", 422)
    return None


def _start_of(value: str) -> datetime | None:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


def _request(tenant_id: uuid.UUID, form: BookForm) -> BookingRequest:
    assert form.service_id is not None
    start = _start_of(form.slot)
    assert start is not None
    picked = _uuid(form.customer)
    return BookingRequest(
        tenant_id=tenant_id,
        service_id=form.service_id,
        start=start,
        customer=CustomerInput(form.name, form.phone or None, form.email or None),
        source=AppointmentSource.ADMIN,
        staff_id=form.staff_id,
        notes=form.notes or None,
        idempotency_key=KEY_PREFIX + form.key,
        customer_id=picked if form.customer != "new" else None,
    )


async def _refused(
    request: Request,
    tenant_id: uuid.UUID,
    booking: BookingService,
    queries: QueriesDep,
    form: BookForm,
    zone: ZoneInfo,
    why: Refusal,
    exc: DomainError | None = None,
) -> Response:
    """The form again, as entered, with the reason on top (and the alternatives offered)."""
    context = await _context(request, tenant_id, booking, queries, form, zone)
    context["error"] = why
    if isinstance(exc, SlotUnavailable) and exc.alternatives:
        names = context["staff_names"]
        t = translator_for(request)
        context["alternatives"] = [
            Choice(
                a.start.isoformat(),
                f"{t.date(a.start.astimezone(zone), 'EEE d.M.')} "
                f"{t.time(a.start.astimezone(zone))} · {names.get(a.staff_id, '')}",
            )
            for a in exc.alternatives
        ]
    return render(request, "book.html", context, status_code=why.status)


async def _context(
    request: Request,
    tenant_id: uuid.UUID,
    booking: BookingService,
    queries: QueriesDep,
    form: BookForm,
    zone: ZoneInfo,
) -> dict[str, Any]:
    services = await queries.services(tenant_id)
    staff = await queries.staff(tenant_id)
    if form.service_id is None or all(row.id != form.service_id for row, _ in services):
        form.service_id = services[0][0].id if services else None
    performers = next((ids for row, ids in services if row.id == form.service_id), [])
    times: list[Choice] = []
    note = None
    if form.service_id is not None:
        if form.staff_id is not None and form.staff_id not in performers:
            note = "action.error.staff_cannot_perform"
        else:
            found = await booking.find_slots(tenant_id, form.service_id, form.day, 1, form.staff_id)
            times = [_choice(request, slot, zone) for slot in found.slots]
            note = None if times else "book.no_times"
    found_customers: list[CustomerSummary] = []
    if form.search:
        found_customers = (
            await search_customers(booking.uow, tenant_id, form.search, limit=MAX_FOUND)
        ).items
    if not form.customer:
        form.customer = str(found_customers[0].id) if len(found_customers) == 1 else "new"
    return {
        "form": form,
        "services": [row for row, _ in services],
        "staff": staff,
        "performers": performers,
        "staff_names": {row.id: row.name for row in staff},
        "times": times,
        "times_note": note,
        "customers": found_customers,
        "previous_day": form.day - timedelta(days=1),
        "next_day": form.day + timedelta(days=1),
        "problems": form.problems,
    }


def _choice(request: Request, slot: SlotView, zone: ZoneInfo) -> Choice:
    t = translator_for(request)
    return Choice(
        slot.start.isoformat(), f"{t.time(slot.start.astimezone(zone))} · {slot.staff_name}"
    )


async def branch_zone(
    request: Request, schedule: ScheduleDep, tenant_id: uuid.UUID
) -> tuple[ZoneInfo, date]:
    """The zone of the branch the schedule shows (the tenant's first) and today there; UTC
    for a tenant without branches (nothing to book)."""
    branches = await schedule.branches(tenant_id)
    zone = ZoneInfo(branches[0].timezone) if branches else ZoneInfo("UTC")
    clock = request.app.state.resources.clock
    return zone, clock().astimezone(zone).date()
