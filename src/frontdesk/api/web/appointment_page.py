"""One appointment and what can be done with it: ``/admin/schedule/appointments/{id}``.

Move (to a free time of a chosen day, or by dragging it on the board, which posts here too),
cancel with a reason, mark completed or no-show. Each action is the same use case as REST and
voice (``BookingService``), with the version the page showed: a double-submitted form finds
the work done and says so instead of doing it twice. Another tenant's id is a 404.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from frontdesk.access.model import WebUser
from frontdesk.api.deps import BookingDep, QueriesDep
from frontdesk.api.web.action_errors import Refusal, refusal
from frontdesk.api.web.book_page import Choice, branch_zone
from frontdesk.api.web.deps import CurrentUser, ScheduleDep
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.templating import render, set_flash, translator_for
from frontdesk.booking.appointment_detail import AppointmentDetail, appointment_detail
from frontdesk.booking.manage_link import manage_url
from frontdesk.booking.service import BookingService
from frontdesk.domain.errors import (
    AlreadyCancelled,
    AppointmentNotFound,
    ConcurrentUpdate,
    DomainError,
    SlotUnavailable,
)
from frontdesk.domain.model import AppointmentStatus

router = APIRouter()
PATH = "/schedule/appointments/{appointment_id}"
_MARKS = {"completed": AppointmentStatus.COMPLETED, "no_show": AppointmentStatus.NO_SHOW}


async def _detail(booking: BookingService, user: WebUser, raw_id: str) -> AppointmentDetail:
    """The tenant's appointment; unknown, malformed or another tenant's ids are a 404 page."""
    try:
        return await appointment_detail(booking.uow, user.tenant_id, uuid.UUID(raw_id))
    except (ValueError, AppointmentNotFound):
        raise PageError(404, "error.not_found") from None


@router.get(PATH, include_in_schema=False)
async def appointment_page(
    request: Request,
    user: CurrentUser,
    booking: BookingDep,
    queries: QueriesDep,
    schedule: ScheduleDep,
    appointment_id: str,
    date: str | None = None,
    staff: str | None = None,
) -> Response:
    found = await _detail(booking, user, appointment_id)
    zone, _ = await branch_zone(request, schedule, user.tenant_id)
    context = await _context(request, user, booking, queries, found, zone, date, staff)
    return render(request, "appointment.html", context)


@router.post(PATH + "/move", include_in_schema=False)
async def move(
    request: Request,
    user: CurrentUser,
    booking: BookingDep,
    queries: QueriesDep,
    schedule: ScheduleDep,
    appointment_id: str,
) -> Response:
    found = await _detail(booking, user, appointment_id)
    values = await request.form()
    zone, _ = await branch_zone(request, schedule, user.tenant_id)
    start = _instant(values.get("slot"), zone)
    staff_id = _uuid(values.get("staff"))
    if start is None:
        why = Refusal("action.error.choose_time", 422)
        return await _refused(request, user, booking, queries, found, zone, why)
    try:
        moved = await booking.reschedule(
            user.tenant_id, found.id, start, staff_id, _version(values)
        )
    except ConcurrentUpdate as exc:
        # A second submit of the same move finds it done.
        if found.start == start and (staff_id is None or found.staff_id == staff_id):
            return _done(found.start.date(), "flash.moved")
        if _wants_json(request):
            return _json_refusal(request, refusal(exc))
        return await _refused(request, user, booking, queries, found, zone, refusal(exc))
    except DomainError as exc:
        if _wants_json(request):
            return _json_refusal(request, refusal(exc))
        return await _refused(request, user, booking, queries, found, zone, refusal(exc), exc)
    if _wants_json(request):
        return JSONResponse({"ok": True, "version": moved.version})
    return _done(moved.start.astimezone(zone).date(), "flash.moved")


@router.post(PATH + "/cancel", include_in_schema=False)
async def cancel(
    request: Request,
    user: CurrentUser,
    booking: BookingDep,
    queries: QueriesDep,
    schedule: ScheduleDep,
    appointment_id: str,
) -> Response:
    found = await _detail(booking, user, appointment_id)
    values = await request.form()
    reason = values.get("reason")
    text = reason.strip()[:200] if isinstance(reason, str) and reason.strip() else None
    try:
        await booking.cancel(user.tenant_id, found.id, text, _version(values))
    except AlreadyCancelled:
        return _done(found.start.date(), "flash.cancelled")  # a second submit: already done
    except DomainError as exc:
        zone, _ = await branch_zone(request, schedule, user.tenant_id)
        return await _refused(request, user, booking, queries, found, zone, refusal(exc))
    return _done(found.start.date(), "flash.cancelled")


@router.post(PATH + "/status", include_in_schema=False)
async def mark(
    request: Request,
    user: CurrentUser,
    booking: BookingDep,
    queries: QueriesDep,
    schedule: ScheduleDep,
    appointment_id: str,
) -> Response:
    found = await _detail(booking, user, appointment_id)
    values = await request.form()
    target = _MARKS.get(str(values.get("status")))
    zone, _ = await branch_zone(request, schedule, user.tenant_id)
    if target is None:
        why = Refusal("action.error.bad_status", 422)
        return await _refused(request, user, booking, queries, found, zone, why)
    try:
        await booking.mark_attendance(
            user.tenant_id, found.id, target, f"user:{user.user_id}", _version(values)
        )
    except DomainError as exc:
        return await _refused(request, user, booking, queries, found, zone, refusal(exc))
    return _done(found.start.date(), f"flash.{target.value}")


def _done(day: date, flash: str) -> Response:
    response = RedirectResponse(f"/admin/schedule?date={day.isoformat()}&view=day", 303)
    set_flash(response, flash)
    return response


def _wants_json(request: Request) -> bool:
    """The board's drag and drop posts with ``Accept: application/json``."""
    return "application/json" in request.headers.get("accept", "")


def _json_refusal(request: Request, why: Refusal) -> Response:
    t = translator_for(request)
    return JSONResponse({"ok": False, "message": t(why.key, holiday=why.holiday or "")}, why.status)


def _uuid(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _instant(raw: object, zone: ZoneInfo) -> datetime | None:
    """An offered slot (UTC with offset) or a dropped wall-clock time (in the branch's zone)."""
    try:
        value = datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _version(values: Any) -> int | None:
    raw = values.get("version")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 10 else None


async def _refused(
    request: Request,
    user: WebUser,
    booking: BookingService,
    queries: QueriesDep,
    found: AppointmentDetail,
    zone: ZoneInfo,
    why: Refusal,
    exc: DomainError | None = None,
) -> Response:
    """The appointment page again (as it is now: nothing was written) with the reason."""
    current = await _detail(booking, user, str(found.id))
    context = await _context(request, user, booking, queries, current, zone, None, None)
    context["error"] = why
    if isinstance(exc, SlotUnavailable) and exc.alternatives:
        t = translator_for(request)
        names = context["staff_names"]
        context["alternatives"] = [
            Choice(
                a.start.isoformat(),
                f"{t.date(a.start.astimezone(zone), 'EEE d.M.')} "
                f"{t.time(a.start.astimezone(zone))} · {names.get(a.staff_id, '')}",
            )
            for a in exc.alternatives
        ]
    return render(request, "appointment.html", context, status_code=why.status)


async def _context(
    request: Request,
    user: WebUser,
    booking: BookingService,
    queries: QueriesDep,
    found: AppointmentDetail,
    zone: ZoneInfo,
    raw_date: str | None,
    raw_staff: str | None,
) -> dict[str, Any]:
    """The appointment, and for the move form the free times of the chosen day."""
    try:
        day = date.fromisoformat(raw_date) if raw_date else found.start.date()
    except ValueError:
        day = found.start.date()
    # Absent: the same staff member (the move keeps them); empty: anyone.
    staff_id = found.staff_id if raw_staff is None else _uuid(raw_staff)
    staff = await queries.staff(user.tenant_id)
    times: list[Choice] = []
    if found.changeable:
        t = translator_for(request)
        search = await booking.find_slots(user.tenant_id, found.service_id, day, 1, staff_id)
        times = [
            Choice(s.start.isoformat(), f"{t.time(s.start.astimezone(zone))} · {s.staff_name}")
            for s in search.slots
        ]
    settings = request.app.state.resources.settings
    return {
        "a": found,
        # The customer's own link (ADR 0026), for the business to pass on by hand.
        "manage_link": manage_url(settings, user.tenant_id, found.id, found.start)
        if found.changeable
        else None,
        "move_day": day,
        "move_staff": staff_id,
        "staff": staff,
        "staff_names": {row.id: row.name for row in staff},
        "times": times,
    }
